"""Sign-in, sign-out, password change, the second factor and "my account"."""

from __future__ import annotations

import django_otp
from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.accounts import lockout, otp, policy, services
from xiezhi.accounts.models import User
from xiezhi.accounts.selectors import tokens_of
from xiezhi.accounts.webutils import actor_of, no_store, pages, safe_next
from xiezhi.core.errors import PermissionDenied, ValidationFailed

# One message whether or not the account exists, so sign-in never reveals which names are real.
BAD_CREDENTIALS = "用户名或密码错误"
BAD_CODE = "验证码错误或已过期"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def login_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if request.user.is_authenticated:
            return redirect(safe_next(request))
        return render(request, "accounts/login.html", {"next": request.GET.get("next", "")})
    username = request.POST.get("username", "").strip()[:150]
    password = request.POST.get("password", "")
    ip = get_client_ip_address(request) or ""
    context = {"next": request.POST.get("next", ""), "username": username}
    # Refused before checking the password, so a refused attempt neither counts nor extends a lock.
    ip_until = lockout.ip_throttled_until(ip)
    if ip_until is not None:
        services.record_ip_throttled(username, ip, ip_until)
        return lockout.render_refusal(
            request, lockout.IP_THROTTLED_MESSAGE.format(until=lockout.clock(ip_until)), 429
        )
    until = lockout.locked_until(username)
    if until is not None:
        services.record_sign_in_failure(username, ip, "账号已锁定")
        return lockout.render_refusal(request, lockout.locked_message(until), 403)
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            until = lockout.locked_until(username)
            services.record_lockout(username, ip, until)
            return lockout.render_refusal(request, lockout.locked_message(until), 403)
        services.record_sign_in_failure(username, ip, BAD_CREDENTIALS)
        return render(request, "accounts/login.html", {**context, "error": BAD_CREDENTIALS}, status=401)
    login(request, user)
    services.record_sign_in(user, ip)  # type: ignore[arg-type]
    # AccountPolicyMiddleware sends the session on to its pending step (code, password, enrolment).
    return redirect(safe_next(request))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_sign_out(actor_of(request), _user(request))
    logout(request)
    return redirect("accounts:login")


@login_required
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.change_password(
                actor_of(request),
                user,
                request.POST.get("old_password", ""),
                request.POST.get("new_password", ""),
                request.POST.get("confirm", ""),
            )
        except ValidationFailed as exc:
            errors = exc.details
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改")
            return redirect(safe_next(request))
    context = {
        "errors": errors,
        "forced": bool(policy.password_change_reason(user)),
        "reason": policy.password_change_reason(user),
        "next": request.GET.get("next") or request.POST.get("next", ""),
    }
    return render(request, "accounts/password_change.html", context, status=422 if errors else 200)


@login_required
def otp_view(request: HttpRequest) -> HttpResponse:
    """Verify a code after the password (accounts with a device), or enrol a device (administrators
    at their first sign-in; business users when they choose to)."""
    user = _user(request)
    target = safe_next(request)
    device = otp.confirmed_device(user)
    if device is None:
        return _enrol(request, user, target)
    if policy.is_verified(user):
        return redirect(target)
    error = ""
    if request.method == "POST":
        code = otp.clean_code(request.POST.get("code", ""))
        # django-otp doubles the wait after each wrong code; a code sent during the wait is not tried.
        allowed, _ = device.verify_is_allowed()
        verified = None
        if allowed and otp.is_well_formed(code):
            verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            django_otp.login(request, verified)
            services.record_otp(actor_of(request), user, "account.otp_verified")
            return redirect(target)
        error = BAD_CODE if allowed else "验证码错误次数过多，请稍候片刻再试"
        services.record_otp(actor_of(request), user, "account.otp_verified", success=False, reason=error)
    context = {"error": error, "next": request.GET.get("next") or request.POST.get("next", "")}
    return render(request, "accounts/otp_verify.html", context, status=401 if error else 200)


def _enrol(request: HttpRequest, user: User, target: str) -> HttpResponse:
    pending = otp.pending_device(user)
    error = ""
    if request.method == "POST":
        code = otp.clean_code(request.POST.get("code", ""))
        with transaction.atomic():
            verified = (
                django_otp.verify_token(user, pending.persistent_id, code)
                if otp.is_well_formed(code)
                else None
            )
            if verified is not None:
                verified.confirmed = True
                verified.save(update_fields=["confirmed"])
                type(verified).objects.filter(user_id=user.pk, confirmed=False).delete()
        if verified is not None:
            django_otp.login(request, verified)
            services.record_otp(actor_of(request), user, "account.otp_enrolled")
            messages.success(request, "已启用双因素认证")
            return redirect(target)
        error = BAD_CODE
        services.record_otp(actor_of(request), user, "account.otp_enrolled", success=False, reason=error)
    context = {
        "error": error,
        "uri": otp.otpauth_uri(pending),
        "secret": otp.secret_base32(pending),
        "required": policy.otp_required(user),
        "next": request.GET.get("next") or request.POST.get("next", ""),
    }
    return no_store(render(request, "accounts/otp_enrol.html", context, status=422 if error else 200))


@login_required
def otp_qr_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if otp.confirmed_device(user) is not None:
        raise Http404()
    pending = otp.pending_device(user)
    return no_store(HttpResponse(otp.qr_svg(otp.otpauth_uri(pending)), content_type="image/svg+xml"))


@require_POST
@login_required
@pages
def otp_remove_view(request: HttpRequest) -> HttpResponse:
    """A business user may switch the second factor off again, proving possession one last time."""
    user = _user(request)
    if policy.otp_required(user):
        raise PermissionDenied("管理员必须启用双因素认证，不能停用")
    device = otp.confirmed_device(user)
    if device is None:
        return redirect("accounts:me")
    code = otp.clean_code(request.POST.get("code", ""))
    with transaction.atomic():
        verified = (
            django_otp.verify_token(user, device.persistent_id, code) if otp.is_well_formed(code) else None
        )
        if verified is not None:
            type(device).objects.filter(user_id=user.pk).delete()
    if verified is None:
        services.record_otp(actor_of(request), user, "account.otp_removed", success=False, reason=BAD_CODE)
        raise ValidationFailed.field("code", BAD_CODE)
    services.record_otp(actor_of(request), user, "account.otp_removed")
    messages.success(request, "已停用双因素认证")
    return redirect("accounts:me")


@login_required
def me_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "account": user,
        "otp_enabled": otp.confirmed_device(user) is not None,
        "otp_required": policy.otp_required(user),
        "password_expires_at": user.password_changed_at + policy.password_age_limit(),
        "active_tokens": sum(1 for t in tokens_of(actor_of(request)) if t.is_active()),
    }
    return render(request, "accounts/me.html", context)
