"""Writing audit events. Call `record` inside the service's transaction — never from signals.

`record` takes the chain head's row lock with its first statement and the lock is held until
the enclosing transaction commits, so call it as late as possible in the business transaction
(after the state change, before obligations and side effects) to keep the queue short.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from xiezhi.audit.hashing import GENESIS, HASHED_FIELDS, chain_hash, event_fields
from xiezhi.audit.models import AuditChainHead, AuditEvent
from xiezhi.core.actor import Actor
from xiezhi.rulebook.masking import MaskKind, mask_mapping

# Personal data in before/after is masked (DESIGN §4 Audit): the rulebook's default keys
# (id numbers, phones, addresses, bank accounts, health) plus these; secrets are redacted
# outright, keys ending in these names too (`new_password`, `api_token`).
SENSITIVE_KEYS: dict[str, MaskKind] = {
    "password": MaskKind.REDACT,
    "secret": MaskKind.REDACT,
    "token": MaskKind.REDACT,
    "token_hash": MaskKind.REDACT,
    "otp": MaskKind.REDACT,
    "reporter_name": MaskKind.NAME,
}

_HEAD = AuditChainHead._meta.db_table
_EVENT = AuditEvent._meta.db_table


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and jsonb; a NUL typed into a sign-in form must not stop
    # the failure from being recorded.
    return value.replace("\x00", "\ufffd")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Masked, and reduced to plain JSON (dates, decimals, ids become strings), so the stored
    value and the hashed value are the same on every database."""
    if data is None:
        return None
    masked = mask_mapping(data, SENSITIVE_KEYS)
    return _clean(json.loads(json.dumps(masked, ensure_ascii=False, default=str, allow_nan=False)))


def _describe_target(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)
    if isinstance(target, tuple):
        kind, ident, text = target
        return str(kind), str(ident), str(text)
    return type(target).__name__, "", str(target)


def _lock_head() -> tuple[int, str]:
    """Lock the head row and return (the next seq, the previous hash). The lock is held until the
    enclosing transaction ends, so writers queue here and each sees what its predecessor committed.

    PostgreSQL: SELECT … FOR UPDATE, and the head moves in the same statement as the INSERT, so each
    append leaves one row version of the head instead of two — under contention the hot row's
    version chain is what slows every writer. SQLite: an UPDATE … RETURNING that takes the write
    lock at once (Django's select_for_update is a no-op there)."""
    if connection.vendor == "postgresql":
        sql = f"SELECT last_seq + 1, last_hash FROM {_HEAD} WHERE id = 1 FOR UPDATE"
    else:
        sql = f"UPDATE {_HEAD} SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq, last_hash"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        if row is None:
            _create_head()
            cursor.execute(sql)
            row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _create_head() -> None:
    """The migration creates the head; it is missing only after a test flush. Resume from the
    last event, if any, so that a lost head can never start a second chain."""
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last else (0, GENESIS)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=1, last_seq=seq, last_hash=digest)], ignore_conflicts=True
    )


def record(
    actor: Actor | None,
    action: str,
    target: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    success: bool = True,
    actor_name: str | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (or its own)."""
    target_type, target_id, target_repr = _describe_target(target)
    name = actor_name if actor_name is not None else (str(actor) if actor else "系统")
    event = AuditEvent(
        actor_user_id=actor.user.pk if actor and actor.user else None,
        actor_name=_clean_text(name)[:100],
        unit_id=actor.unit_id if actor else None,
        unit_name=_clean_text(actor.unit.name if actor and actor.unit else "")[:100],
        ip=_clean_text((ip if ip is not None else (actor.ip if actor else "")) or "")[:45],
        action=action,
        target_type=_clean_text(target_type)[:60],
        target_id=_clean_text(target_id)[:64],
        target_repr=_clean_text(target_repr)[:200],
        success=success,
        reason=_clean_text(reason),
        before=_jsonable(before),
        after=_jsonable(after),
        algorithm=settings.XIEZHI_AUDIT_HASH,
    )
    # No savepoint when nested: it would cost two more round trips while the head is locked, and
    # a failed audit write must fail the business transaction anyway.
    with transaction.atomic(savepoint=False):
        event.seq, event.prev_hash = _lock_head()
        # Taken under the lock, so time never runs backwards along the chain.
        event.created_at = timezone.now()
        event.hash = chain_hash(event.prev_hash, event_fields(event), event.algorithm)
        if connection.vendor == "postgresql":
            _insert_and_move_head(event)
        else:
            event.save(force_insert=True)
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {_HEAD} SET last_hash = %s WHERE id = 1", [event.hash])
    return event


_COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")
_JSON = {"before", "after"}
_PG_APPEND = (
    f"WITH e AS (INSERT INTO {_EVENT} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('%s::jsonb' if c in _JSON else '%s' for c in _COLUMNS)}) RETURNING id) "
    f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1 RETURNING (SELECT id FROM e)"
)


def _insert_and_move_head(event: AuditEvent) -> None:
    """The INSERT and the head's move in one round trip: the lock is held until commit, so every
    statement saved while holding it is throughput for all writers."""
    values = [
        json.dumps(getattr(event, c), ensure_ascii=False)
        if c in _JSON and getattr(event, c) is not None
        else getattr(event, c)
        for c in _COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_PG_APPEND, [*values, event.seq, event.hash])
        row = cursor.fetchone()
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias
