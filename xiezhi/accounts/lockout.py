"""What a locked-out sign-in sees: the same page, saying until when."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def locked_until_text(request: HttpRequest) -> str:
    from axes.helpers import get_cool_off
    from django.utils import timezone

    cool_off = get_cool_off(request)
    if not cool_off:
        return ""
    until = timezone.localtime(timezone.now() + cool_off)
    return f"{until:%H:%M}"


def lockout_response(request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    message = f"账号已被锁定，请于{locked_until_text(request)}后再试" if locked_until_text(request) else "账号已被锁定，请稍后再试"
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked", "message": message, "details": {}}, status=403)
    return render(request, "accounts/login.html", {"error": message, "locked": True}, status=403)
