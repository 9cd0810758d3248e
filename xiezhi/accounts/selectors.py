"""Reads scoped to an actor: the account list (system and security administrators) and one's own tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from xiezhi.accounts import lockout
from xiezhi.accounts.access import can_read_accounts
from xiezhi.accounts.models import AdminRole, ApiToken, User
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed

STATUSES = {"active": "启用", "inactive": "已停用", "locked": "已锁定", "must_change": "待改密码"}


def accounts_visible_to(actor: Actor) -> QuerySet[User]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not can_read_accounts(actor):
        return User.objects.none()
    has_otp = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    return User.objects.select_related("person__unit").annotate(has_otp=Exists(has_otp)).order_by("username")


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    admin_role: str = ""
    status: str = ""
    unit_id: int | None = None

    def validate(self) -> None:
        if self.admin_role and self.admin_role not in [*AdminRole.values, "none"]:
            raise ValidationFailed.field("admin_role", "管理员角色无效")
        if self.status and self.status not in STATUSES:
            raise ValidationFailed.field("status", "状态无效")


def search_accounts(actor: Actor, filters: AccountFilters) -> QuerySet[User]:
    filters.validate()
    qs = accounts_visible_to(actor)
    if filters.q:
        qs = qs.filter(Q(username__icontains=filters.q) | Q(person__name__icontains=filters.q))
    if filters.admin_role == "none":
        qs = qs.filter(admin_role="")
    elif filters.admin_role:
        qs = qs.filter(admin_role=filters.admin_role)
    if filters.unit_id is not None:
        qs = qs.filter(person__unit_id=filters.unit_id)
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "inactive":
        qs = qs.filter(is_active=False)
    elif filters.status == "must_change":
        qs = qs.filter(must_change_password=True)
    elif filters.status == "locked":
        from axes.models import AccessAttempt

        names = AccessAttempt.objects.values_list("username", flat=True).distinct()
        qs = qs.filter(username__in=list(lockout.locked_usernames(n for n in names if n)))
    return qs


def lock_times(users: list[User]) -> dict[str, datetime]:
    return lockout.locked_usernames(u.username for u in users)


def tokens_of(actor: Actor) -> QuerySet[ApiToken]:
    if actor.user is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.user.pk).order_by("-created_at")
