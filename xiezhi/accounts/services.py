"""Account actions: sign-in bookkeeping and password changes, each audited."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xiezhi.accounts.models import User
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed


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
            record(actor, "account.password_change", user, success=False, reason="；".join(sum(errors.values(), [])))
        raise ValidationFailed("密码修改失败", details=errors)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record(actor, "account.password_change", user)
