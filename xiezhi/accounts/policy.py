"""What a signed-in session must do before it may use the platform.

In this order: verify the second factor (when the account has one), change the password (first
sign-in, reset by an administrator, or older than XIEZHI_PASSWORD_MAX_AGE_DAYS), enrol a second
factor (administrators must have one). Verifying first means a stolen password alone cannot even
reach the password-change form of an account protected by a second factor.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import timezone

from xiezhi.core.errors import PermissionDenied


class Step(StrEnum):
    OTP_VERIFY = "otp_verify"
    PASSWORD = "password"
    OTP_ENROL = "otp_enrol"


def password_age_limit() -> timedelta:
    return timedelta(days=settings.XIEZHI_PASSWORD_MAX_AGE_DAYS)


def password_expired(user: Any) -> bool:
    changed = getattr(user, "password_changed_at", None)
    if changed is None:
        return True
    return timezone.now() - changed > password_age_limit()


def password_change_reason(user: Any) -> str:
    if getattr(user, "must_change_password", False):
        return "首次登录或密码已被重置，请先修改密码。"
    if password_expired(user):
        return f"密码已超过{settings.XIEZHI_PASSWORD_MAX_AGE_DAYS}天未修改，请先修改密码。"
    return ""


def has_confirmed_device(user: Any) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_verified(user: Any) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def otp_required(user: Any) -> bool:
    """The three administrators must use a second factor; business users may choose to."""
    return bool(getattr(user, "admin_role", ""))


def pending_step(user: Any) -> Step | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    verified = is_verified(user)
    has_device = verified or has_confirmed_device(user)
    if has_device and not verified:
        return Step.OTP_VERIFY
    if user.must_change_password or password_expired(user):
        return Step.PASSWORD
    if otp_required(user) and not has_device:
        return Step.OTP_ENROL
    return None


def require_ready_for_api(user: Any) -> None:
    """Session-authenticated API calls are refused until the session has done its pending step."""
    step = pending_step(user)
    if step is Step.PASSWORD:
        raise PermissionDenied("请先修改密码", code="password_change_required")
    if step is not None:
        raise PermissionDenied("请先完成双因素认证", code="otp_required")
