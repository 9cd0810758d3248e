"""Personal API tokens: issued by a user for themself, shown once, stored as a SHA-256 hash.

Raw form: `xz_<prefix>_<secret>`; the prefix (8 hex digits) is stored to let the owner recognise a
token in the list, the secret never is. `xiezhi.core.api.TokenAuth` looks tokens up by the SHA-256
of the whole raw string.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xiezhi.accounts import token_cache
from xiezhi.accounts.access import access_token
from xiezhi.accounts.models import ApiToken, ApiTokenScope
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, NotAuthenticated, ValidationFailed

MAX_DAYS = 365
DEFAULT_DAYS = 90
MAX_ACTIVE_PER_USER = 20


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_raw_token() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"xz_{prefix}_{secrets.token_urlsafe(32)}"


def _audit_view(token: ApiToken) -> dict[str, object]:
    return {"name": token.name, "prefix": token.prefix, "scope": token.scope, "expires_at": token.expires_at}


def issue_token(actor: Actor, *, name: str, scope: str, expires_in_days: int) -> tuple[ApiToken, str]:
    if actor.user is None:
        raise NotAuthenticated()
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["请填写令牌名称"]
    elif len(name) > 100:
        errors["name"] = ["令牌名称不能超过100字"]
    if scope not in ApiTokenScope.values:
        errors["scope"] = ["范围须为只读（read）或读写（write）"]
    if not 1 <= expires_in_days <= MAX_DAYS:
        errors["expires_in_days"] = [f"有效期须在1至{MAX_DAYS}天之间"]
    active = ApiToken.objects.filter(
        user_id=actor.user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if active.count() >= MAX_ACTIVE_PER_USER:
        errors["__all__"] = [f"有效令牌最多{MAX_ACTIVE_PER_USER}个，请先撤销不用的令牌"]
    if errors:
        raise ValidationFailed("令牌创建失败", details=errors)
    prefix, raw = new_raw_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user_id=actor.user.pk,
            name=name,
            prefix=prefix,
            token_hash=hash_token(raw),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=expires_in_days),
        )
        record(actor, "account.token_issued", token, after=_audit_view(token))
    return token, raw


def revoke_token(actor: Actor, pk: int) -> ApiToken:
    token = access_token(actor, pk)
    with transaction.atomic():
        if ApiToken.objects.filter(pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now()) == 0:
            raise Conflict("该令牌已撤销")
        token_cache.invalidate()
        token.refresh_from_db()
        record(actor, "account.token_revoked", token, before=_audit_view(token))
    return token
