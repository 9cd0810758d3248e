"""Small helpers the account pages share: error pages, safe redirects, secrets never cached."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from xiezhi.core.errors import NotAuthenticated, XiezhiError
from xiezhi.core.web import request_actor

View = Callable[..., HttpResponse]


actor_of = request_actor


def error_page(request: HttpRequest, exc: XiezhiError) -> HttpResponse:
    return render(request, "accounts/error.html", {"error": exc}, status=exc.status)


def pages(view: View) -> View:
    """A XiezhiError raised by a page becomes a page with its Chinese message and its status code."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect_to_login(request.get_full_path())
        except XiezhiError as exc:
            return error_page(request, exc)

    return wrapper


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return fallback
    return target


def no_store(response: HttpResponse) -> HttpResponse:
    """For pages that show a password, a token or a TOTP secret once: never kept by a cache."""
    response["Cache-Control"] = "no-store, max-age=0"
    response["Pragma"] = "no-cache"
    return response
