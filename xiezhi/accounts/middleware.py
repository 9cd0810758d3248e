"""Per-request actor, and the account policies that apply to every signed-in page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from xiezhi.accounts.actors import actor_for, client_ip

# Paths a user with an expired or initial password may still reach.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/public/", "/healthz")


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = actor_for(getattr(request, "user", None), client_ip(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def password_expired(user: object) -> bool:
    changed = getattr(user, "password_changed_at", None)
    if changed is None:
        return True
    return timezone.now() - changed > timedelta(days=settings.XIEZHI_PASSWORD_MAX_AGE_DAYS)


class AccountPolicyMiddleware:
    """Forces a password change at first sign-in and after expiry, and a second factor for administrators."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            if user.must_change_password or password_expired(user):
                return redirect("accounts:password_change")
            if user.admin_role and not user.is_verified():
                return redirect("accounts:otp")
        return self.get_response(request)
