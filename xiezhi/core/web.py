"""Page plumbing shared by the apps' views: the signed-in actor and XiezhiError → a Chinese error page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from xiezhi.core.actor import Actor
from xiezhi.core.errors import XiezhiError

View = Callable[..., HttpResponse]
ERROR_TEMPLATE = "core/error.html"


def request_actor(request: HttpRequest) -> Actor:
    """The actor the middleware attached to the request."""
    return request.actor  # type: ignore[attr-defined,no-any-return]


def error_page(
    request: HttpRequest,
    exc: XiezhiError,
    *,
    template: str = ERROR_TEMPLATE,
    back_url: str = "core:home",
    back_label: str = "返回首页",
) -> HttpResponse:
    """The error page keeps the exception's status so a page answers 403/404/409 like the API does."""
    context = {"error": exc, "back_url": back_url, "back_label": back_label}
    return render(request, template, context, status=exc.status)


def page_view_with(
    *, template: str = ERROR_TEMPLATE, back_url: str = "core:home", back_label: str = "返回首页"
) -> Callable[[View], View]:
    """A `page_view` whose error page links back to the app's own start page."""

    def decorate(func: View) -> View:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return func(request, *args, **kwargs)
            except XiezhiError as exc:
                return error_page(request, exc, template=template, back_url=back_url, back_label=back_label)

        return login_required(wrapper)

    return decorate


page_view: Callable[[View], View] = page_view_with()
"""Signed-in pages; a XiezhiError becomes an error page with its Chinese message and status."""


def int_param(params: QueryDict, name: str) -> int | None:
    raw = params.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


def date_param(params: QueryDict, name: str) -> tuple[date | None, str]:
    raw = params.get(name, "").strip()
    if not raw:
        return None, ""
    try:
        return date.fromisoformat(raw), ""
    except ValueError:
        return None, "日期格式有误，应为“2025-10-08”这样的日期"
