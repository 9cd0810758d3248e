"""API plumbing shared by every router: authentication, the error envelope, list parameters."""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, SessionAuth

from xiezhi.accounts.actors import actor_for, client_ip
from xiezhi.accounts.policy import require_ready_for_api
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, PermissionDenied

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuth(APIKeyHeader):
    """`Authorization: Bearer <token>`; tokens are stored hashed; read-scope tokens may only read.

    What a token resolves to (account, person, unit, roles) is kept for a few seconds per process
    (`accounts.token_cache`), so a busy client's calls cost no authentication queries."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from xiezhi.accounts import token_cache
        from xiezhi.accounts.models import ApiToken

        if not key or not key.startswith("Bearer "):
            return None
        raw = key.removeprefix("Bearer ").strip()
        digest = hashlib.sha256(raw.encode()).hexdigest()
        now = timezone.now()
        entry = token_cache.get(digest)
        if entry is None:
            token = ApiToken.objects.select_related("user__person__unit").filter(token_hash=digest).first()
            if token is None or not token.is_active() or not token.user.is_active:
                return None
            entry = token_cache.Entry(
                token_id=token.pk,
                scope=token.scope,
                expires_at=token.expires_at,
                user=token.user,
                actor=actor_for(token.user),
                last_used_at=token.last_used_at,
                stored=time.monotonic(),
            )
            token_cache.put(digest, entry)
        elif entry.expires_at <= now:
            return None
        if request.method not in SAFE_METHODS and entry.scope != "write":
            raise PermissionDenied("该令牌为只读令牌，不能执行写操作")
        # "Last used" to the minute is enough, and spares a write on every request of a busy client.
        if entry.last_used_at is None or now - entry.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
            entry.last_used_at = now
        request.user = entry.user
        request.actor = replace(entry.actor, ip=client_ip(request))  # type: ignore[attr-defined]
        return entry.user


class SessionActorAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None:
            return None
        # The pages' AccountPolicyMiddleware rule, as a 403 with a code: password change
        # (first sign-in, reset, expiry) → password_change_required; second factor → otp_required.
        require_ready_for_api(user)
        # ActorMiddleware has already built the actor of this very account; building it again
        # would read the roles a second time.
        built = getattr(request, "actor", None)
        if built is None or built.user is None or built.user.pk != user.pk:
            request.actor = actor_for(user, client_ip(request))  # type: ignore[attr-defined]
        return user


AUTH = [TokenAuth(), SessionActorAuth()]


def actor(request: HttpRequest) -> Actor:
    found = getattr(request, "actor", None)
    if found is None or not found.is_authenticated:
        raise NotAuthenticated()
    return found
