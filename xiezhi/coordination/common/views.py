"""The POST behind a record's action buttons, the same for every coordination record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, XiezhiError
from xiezhi.core.pagination import Page, paginate
from xiezhi.core.web import request_actor

T = TypeVar("T")


def listing(request: HttpRequest, qs: Any, *, keep_format: bool = True) -> tuple[Page[Any], str]:
    """The page asked for (``page``, ``page_size``; 20 a page) and the list's query string without
    ``page`` (nor ``format`` unless ``keep_format``), for the pager's links."""
    page = paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or 20)
    query = request.GET.copy()
    query.pop("page", None)
    if not keep_format:
        query.pop("format", None)
    return page, query.urlencode()


@dataclass(frozen=True)
class ActionPost(Generic[T]):
    """``steps[action](actor, record, form)``; refused or bad input → the detail page again with the
    error (the record read afresh: nothing was written); done → ``done[action]`` as a message and
    back to the detail page, or where ``follow[action](result)`` leads."""

    load: Callable[[Actor, int], T]
    detail: Callable[[HttpRequest, T, XiezhiError], HttpResponse]
    url_name: str
    steps: Mapping[str, Callable[[Actor, T, Any], Any]]
    done: Mapping[str, str]
    # The services that take a plain dict (``request.POST.dict()``) rather than the QueryDict.
    as_dict: bool = False
    follow: Mapping[str, Callable[[Any], HttpResponse]] = field(default_factory=dict)

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.steps:
            raise NotFound("没有这项操作")
        actor = request_actor(request)
        record = self.load(actor, pk)
        try:
            result = self.steps[action](actor, record, request.POST.dict() if self.as_dict else request.POST)
        except XiezhiError as exc:
            return self.detail(request, self.load(actor, pk), exc)
        messages.success(request, self.done[action])
        if action in self.follow:
            return self.follow[action](result)
        return redirect(self.url_name, pk)
