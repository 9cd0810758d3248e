"""Page plumbing for the catalogue: the actor, XiezhiError → a Chinese error page, small parsers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from xiezhi.core.errors import XiezhiError
from xiezhi.core.pagination import Page, paginate
from xiezhi.core.web import date_param as date_param
from xiezhi.core.web import error_page as core_error_page
from xiezhi.core.web import int_param as int_param
from xiezhi.core.web import page_view_with, request_actor

View = Callable[..., HttpResponse]


get_actor = request_actor


# The catalogue's error page links back to the public directory for anonymous visitors.
ERROR_TEMPLATE = "catalogue/error.html"


def error_page(request: HttpRequest, exc: XiezhiError) -> HttpResponse:
    return core_error_page(request, exc, template=ERROR_TEMPLATE)


page_view = page_view_with(template=ERROR_TEMPLATE)
"""Signed-in pages; a XiezhiError becomes an error page with its Chinese message and status."""


def public_view(func: View) -> View:
    @functools.wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return func(request, *args, **kwargs)
        except XiezhiError as exc:
            return error_page(request, exc)

    return wrapper


def paged(request: HttpRequest, qs: Any, default_size: int = 20) -> Page[Any]:
    return paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or default_size)


def post_dict(post: QueryDict, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: post.get(n, "") for n in names if n in post}


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
