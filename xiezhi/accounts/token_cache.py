"""API token → Actor, remembered in-process for a few seconds.

Every API call used to pay two queries (the token with its account, person and unit; the person's
roles) and the ORM work around them before doing anything useful — on a busy list endpoint that was
close to half of the request. A busy client calls many times a minute with the same token, so the
worker keeps what the token resolved to for `settings.XIEZHI_API_AUTH_CACHE_SECONDS` (default 10).

Keyed by the token's SHA-256 (the raw token is never kept). Only tokens that were valid when looked
up are kept; expiry is checked on every hit. Anything that can change what a token may do clears the
whole cache of this process, after commit: revoking a token, (de)activating an account, person or
unit, granting or revoking roles, linking an account — explicitly in those services (they write with
`UPDATE`, which sends no signals) and through model signals for every `save`/`delete` of tokens,
accounts, people, roles and units. Other server processes see such a change when their entry
expires, i.e. within the TTL; that window is the price of the cache and is why it is short.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from xiezhi.core.actor import Actor

MAX_ENTRIES = 10_000


@dataclass
class Entry:
    token_id: int
    scope: str
    expires_at: datetime
    user: Any
    actor: Actor
    last_used_at: datetime | None
    stored: float


_entries: dict[str, Entry] = {}


def ttl() -> float:
    return float(getattr(settings, "XIEZHI_API_AUTH_CACHE_SECONDS", 10))


def get(digest: str) -> Entry | None:
    entry = _entries.get(digest)
    if entry is None:
        return None
    if time.monotonic() - entry.stored >= ttl():
        _entries.pop(digest, None)
        return None
    return entry


def put(digest: str, entry: Entry) -> None:
    if ttl() <= 0:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[digest] = entry


def clear() -> None:
    _entries.clear()


def invalidate() -> None:
    """Forget every cached token now and again when the current transaction commits (a request
    between the two would otherwise cache the state that is being replaced)."""
    _entries.clear()
    transaction.on_commit(_entries.clear)


def _on_change(sender: Any, **kwargs: Any) -> None:
    invalidate()


def connect_signals() -> None:
    from xiezhi.accounts.models import ApiToken, User
    from xiezhi.units.models import Person, RoleAssignment, Unit

    for model in (ApiToken, User, Person, RoleAssignment, Unit):
        uid = f"token_cache_{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}_save", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}_delete", weak=False)
