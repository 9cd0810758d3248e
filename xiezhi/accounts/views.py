from __future__ import annotations

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from xiezhi.accounts import services
from xiezhi.accounts.actors import actor_for, client_ip
from xiezhi.accounts.lockout import lockout_response
from xiezhi.audit.services import record
from xiezhi.core.errors import ValidationFailed

# One message whether or not the account exists, so sign-in never reveals which names are real.
BAD_CREDENTIALS = "用户名或密码错误"


def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        user = authenticate(request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            with transaction.atomic():
                record(None, "account.locked_out", ("accounts.user", "", username), success=False,
                       actor_name=username[:100], ip=client_ip(request), reason="连续登录失败")
            return lockout_response(request)
        if user is None:
            with transaction.atomic():
                record(None, "account.login", ("accounts.user", "", username), success=False,
                       actor_name=username[:100], ip=client_ip(request), reason=BAD_CREDENTIALS)
            error = BAD_CREDENTIALS
        else:
            login(request, user)
            with transaction.atomic():
                record(actor_for(user, client_ip(request)), "account.login", user)
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = "/"
            return redirect(target)
    return render(request, "accounts/login.html", {"error": error, "next": request.GET.get("next", "")}, status=200 if not error else 401)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        with transaction.atomic():
            record(request.actor, "account.logout", request.user)  # type: ignore[attr-defined]
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.change_password(
                request.actor,  # type: ignore[attr-defined]
                request.user,  # type: ignore[arg-type]
                request.POST.get("old_password", ""),
                request.POST.get("new_password", ""),
                request.POST.get("confirm", ""),
            )
        except ValidationFailed as exc:
            errors = exc.details
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            return redirect("/")
    return render(request, "accounts/password_change.html", {"errors": errors, "forced": request.user.must_change_password})  # type: ignore[union-attr]
