"""Account actions, each checked, validated and audited in one transaction; nothing half-saved.

Sign-in bookkeeping (success, failure, lockout, logout), password changes, and the system
administrator's account management. Administrator roles are granted here by the security
administrator (and by `xiezhi createadmin`); business roles are granted in `xiezhi.units`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiezhi.accounts import access, lockout, token_cache
from xiezhi.accounts.models import AdminRole, User
from xiezhi.accounts.passwords import generate_temporary_password
from xiezhi.accounts.separation import ADMIN_WITH_BUSINESS_ROLES, ONE_ADMIN_ROLE
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed

USERNAME = re.compile(r"^[\w.@+-]{3,150}$")
CLI_ACTOR_NAME = "命令行（xiezhi createadmin）"


def snapshot(user: User) -> dict[str, Any]:
    """What an account's audit before/after shows; never the password hash."""
    return {
        "username": user.username,
        "person_id": user.person_id,
        "admin_role": user.admin_role,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
    }


# --- sign-in bookkeeping -------------------------------------------------------------------


def _user_target(username: str) -> tuple[str, str, str]:
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return ("accounts.user", str(found or ""), username)


def record_sign_in(user: User, ip: str) -> None:
    from xiezhi.accounts.actors import actor_for

    with transaction.atomic():
        record(actor_for(user, ip), "account.login", user)


def record_sign_in_failure(username: str, ip: str, reason: str) -> None:
    with transaction.atomic():
        record(
            None,
            "account.login",
            _user_target(username),
            success=False,
            actor_name=username[:100],
            ip=ip,
            reason=reason,
        )


def record_lockout(username: str, ip: str, until: datetime | None) -> None:
    """The failure that locked the account: a security event of its own."""
    reason = (
        f"连续{lockout.failure_limit()}次登录失败，锁定至{lockout.clock(until)}" if until else "连续登录失败"
    )
    with transaction.atomic():
        record(
            None,
            "account.locked",
            _user_target(username),
            success=False,
            actor_name=username[:100],
            ip=ip,
            reason=reason,
        )


def record_ip_throttled(username: str, ip: str, until: datetime | None) -> None:
    reason = f"该地址登录失败次数过多，限制至{lockout.clock(until)}" if until else "该地址登录失败次数过多"
    with transaction.atomic():
        record(
            None,
            "account.ip_throttled",
            _user_target(username),
            success=False,
            actor_name=username[:100],
            ip=ip,
            reason=reason,
        )


def record_sign_out(actor: Actor, user: User) -> None:
    with transaction.atomic():
        record(actor, "account.logout", user)


def record_otp(actor: Actor, user: User, action: str, *, success: bool = True, reason: str = "") -> None:
    with transaction.atomic():
        record(actor, action, user, success=success, reason=reason)


# --- passwords -------------------------------------------------------------------------------


def change_password(actor: Actor, user: User, old_password: str, new_password: str, confirm: str) -> None:
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确"]
    if new_password != confirm:
        errors["confirm"] = ["两次输入的新密码不一致"]
    if old_password and new_password == old_password:
        errors.setdefault("new_password", []).append("新密码不能与原密码相同")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        errors.setdefault("new_password", []).extend(exc.messages)
    if errors:
        with transaction.atomic():
            record(
                actor,
                "account.password_change",
                user,
                success=False,
                reason="；".join(m for items in errors.values() for m in items),
            )
        raise ValidationFailed("密码修改失败", details=errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(actor, "account.password_change", user)


# --- account management (system administrator) ------------------------------------------------


def _check_username(username: str, errors: dict[str, list[str]]) -> None:
    if not USERNAME.match(username):
        errors["username"] = ["用户名须为3至150位字母、数字或 . @ + - _"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["用户名已存在"]


def create_account(actor: Actor, *, username: str, person_id: int | None = None) -> tuple[User, str]:
    """A new account, for a person (business user) or standalone (to be made an administrator by
    the security administrator). Returns the one-time temporary password; it is never stored."""
    from xiezhi.units.models import Person

    access.require(actor, "create")
    username = username.strip()
    errors: dict[str, list[str]] = {}
    _check_username(username, errors)
    person = None
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            errors["person_id"] = ["人员不存在"]
        elif not person.active:
            errors["person_id"] = ["该人员已不在岗，不能开设账号"]
        elif User.objects.filter(person_id=person.pk).exists():
            errors["person_id"] = ["该人员已有账号"]
    if errors:
        raise ValidationFailed("账号创建失败", details=errors)
    temporary = generate_temporary_password()
    try:
        with transaction.atomic():
            user = User(
                username=username,
                person=person,
                must_change_password=True,
                password_changed_at=timezone.now(),
            )
            user.set_password(temporary)
            user.save()
            record(actor, "account.created", user, after=snapshot(user))
    except IntegrityError:
        # Two administrators creating the same name or the same person's account at once.
        raise ValidationFailed(
            "账号创建失败", details={"username": ["用户名已存在或该人员已有账号"]}
        ) from None
    return user, temporary


def _require_reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.field("reason", f"请填写{what}原因")
    if len(reason) > 500:
        raise ValidationFailed.field("reason", "原因不能超过500字")
    return reason


def set_active(actor: Actor, pk: int, active: bool, reason: str = "") -> User:
    action: access.Action = "reactivate" if active else "deactivate"
    user = access.access_account(actor, pk, action)
    # Stopping someone's access needs a reason on record; restoring it may carry one.
    reason = reason.strip()[:500] if active else _require_reason(reason, "停用")
    with transaction.atomic():
        before = snapshot(user)
        if User.objects.filter(pk=pk, is_active=not active).update(is_active=active) == 0:
            raise Conflict("账号已是启用状态" if active else "账号已停用")
        token_cache.invalidate()
        user.refresh_from_db()
        record(
            actor,
            "account.reactivated" if active else "account.deactivated",
            user,
            before=before,
            after=snapshot(user),
            reason=reason,
        )
    return user


def reset_password(actor: Actor, pk: int) -> tuple[User, str]:
    """A new temporary password, shown once; the user must change it at the next sign-in. Also lifts
    a lock: a locked-out user calling for help gets both at once. Existing sessions end, because
    Django ties each session to the password hash."""
    from axes.utils import reset as axes_reset

    user = access.access_account(actor, pk, "reset_password")
    temporary = generate_temporary_password()
    with transaction.atomic():
        before = snapshot(user)
        user.set_password(temporary)
        user.must_change_password = True
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        axes_reset(username=user.username)
        record(actor, "account.password_reset", user, before=before, after=snapshot(user))
    return user, temporary


def unlock(actor: Actor, pk: int) -> User:
    from axes.utils import reset as axes_reset

    user = access.access_account(actor, pk, "unlock")
    with transaction.atomic():
        until = lockout.locked_until(user.username)
        if until is None:
            raise Conflict("该账号未被锁定")
        axes_reset(username=user.username)
        record(actor, "account.unlocked", user, reason=f"原锁定至{lockout.clock(until)}")
    return user


def reset_otp(actor: Actor, pk: int) -> User:
    """For a lost phone: the devices are removed; an administrator enrols again at the next sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = access.access_account(actor, pk, "reset_otp")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
        if removed == 0:
            raise Conflict("该账号未启用双因素认证")
        record(actor, "account.otp_reset", user)
    return user


# --- administrator roles (security administrator, or the CLI) ----------------------------------


def check_may_hold_business_roles(person_id: int) -> None:
    """For `xiezhi.units` before granting a business role: refused for administrator accounts."""
    if User.objects.filter(person_id=person_id).exclude(admin_role="").exists():
        raise ValidationFailed(ADMIN_WITH_BUSINESS_ROLES, details={"role": [ADMIN_WITH_BUSINESS_ROLES]})


def _check_grant(user: User, role: str) -> None:
    from xiezhi.units.models import RoleAssignment

    if role not in AdminRole.values:
        raise ValidationFailed.field("admin_role", "管理员角色无效")
    if user.admin_role:
        if user.admin_role == role:
            raise Conflict(f"该账号已是{AdminRole(role).label}")
        raise ValidationFailed.field("admin_role", ONE_ADMIN_ROLE)
    if user.person_id and RoleAssignment.objects.filter(person_id=user.person_id).exists():
        raise ValidationFailed.field("admin_role", ADMIN_WITH_BUSINESS_ROLES)


def _grant(actor: Actor | None, user: User, role: str, **audit: Any) -> User:
    try:
        with transaction.atomic():
            before = snapshot(user)
            if User.objects.filter(pk=user.pk, admin_role="").update(admin_role=role) == 0:
                raise Conflict("账号的管理员角色已变化，请刷新后重试")
            token_cache.invalidate()
            user.refresh_from_db()
            record(
                actor,
                "account.admin_role_granted",
                user,
                before=before,
                after=snapshot(user),
                reason=AdminRole(role).label,
                **audit,
            )
    except IntegrityError:
        # The database trigger saw business roles granted in a concurrent transaction.
        raise ValidationFailed.field("admin_role", ADMIN_WITH_BUSINESS_ROLES) from None
    return user


def grant_admin_role(actor: Actor, pk: int, role: str) -> User:
    user = access.access_account(actor, pk, "admin_role")
    _check_grant(user, role)
    return _grant(actor, user, role)


def revoke_admin_role(actor: Actor, pk: int) -> User:
    user = access.access_account(actor, pk, "admin_role")
    if not user.admin_role:
        raise Conflict("该账号没有管理员角色")
    with transaction.atomic():
        before = snapshot(user)
        if User.objects.filter(pk=pk, admin_role=user.admin_role).update(admin_role="") == 0:
            raise Conflict("账号的管理员角色已变化，请刷新后重试")
        token_cache.invalidate()
        user.refresh_from_db()
        record(
            actor,
            "account.admin_role_revoked",
            user,
            before=before,
            after=snapshot(user),
            reason=AdminRole(before["admin_role"]).label,
        )
    return user


def create_admin(username: str, role: str, password: str | None = None) -> tuple[User, str | None, bool]:
    """`xiezhi createadmin`: a new administrator account, or an existing account without a role made
    one. Returns (account, the temporary password if one was generated, whether anything changed).
    The password must be changed and a second factor enrolled at the first sign-in."""
    audit: dict[str, Any] = {"actor_name": CLI_ACTOR_NAME, "ip": ""}
    username = username.strip()
    if role not in AdminRole.values:
        raise ValidationFailed.field("role", "管理员角色须为 sysadmin、secadmin 或 auditadmin")
    user = User.objects.filter(username=username).first()
    if user is not None and user.admin_role == role and password is None:
        return user, None, False
    if user is not None and user.admin_role not in ("", role):
        raise ValidationFailed.field("admin_role", ONE_ADMIN_ROLE)
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed("密码不符合要求", details={"password": exc.messages}) from None
    if user is None:
        generated = None if password is not None else generate_temporary_password()
        errors: dict[str, list[str]] = {}
        _check_username(username, errors)
        if errors:
            raise ValidationFailed("账号创建失败", details=errors)
        with transaction.atomic():
            user = User(
                username=username,
                admin_role=role,
                must_change_password=True,
                password_changed_at=timezone.now(),
            )
            user.set_password(password or generated)
            user.save()
            record(None, "account.created", user, after=snapshot(user), **audit)
            record(
                None,
                "account.admin_role_granted",
                user,
                after=snapshot(user),
                reason=AdminRole(role).label,
                **audit,
            )
        return user, generated, True
    with transaction.atomic():
        if user.admin_role != role:
            _check_grant(user, role)
            _grant(None, user, role, **audit)
        if password is not None:
            before = snapshot(user)
            user.set_password(password)
            user.must_change_password = True
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password", "must_change_password", "password_changed_at"])
            record(None, "account.password_reset", user, before=before, after=snapshot(user), **audit)
    return user, None, True
