"""Writing audit events. Call `record` inside the service's transaction — never from signals.

`record` only INSERTs the event (with its content hash) and a queue entry: it takes no lock, so
audited transactions no longer queue behind one another. The event is linked into the hash chain
right after the business transaction commits (`xiezhi.audit.chain`), so it exists if and only if
the business change committed. See docs/adr/0002-audit-chaining.md.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from xiezhi.audit.chain import chain_after_commit
from xiezhi.audit.hashing import HASHED_FIELDS, content_hash, fields_from_row
from xiezhi.audit.models import AuditEvent, AuditPending
from xiezhi.core.actor import Actor
from xiezhi.core.statements import fetch_value
from xiezhi.rulebook.masking import MaskKind, mask_mapping, sensitive_keys_of

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

_SENSITIVE = sensitive_keys_of(SENSITIVE_KEYS)

log = logging.getLogger(__name__)
_EVENT = AuditEvent._meta.db_table
_PENDING = AuditPending._meta.db_table


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text and jsonb; a NUL typed into a sign-in form must not stop
    # the failure from being recorded.
    return value.replace("\x00", "\ufffd")


class _NotPlain(Exception):
    pass


def _plain(value: Any) -> Any:
    """A copy of the value with NUL replaced in every key and string, when the value is made of
    JSON's own types only (the exact types: a subclass such as an enum member may encode
    differently), which JSON would hand back as it is; `_NotPlain` otherwise."""
    kind = type(value)
    if kind is str:
        return _clean_text(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is float:
        if math.isfinite(value):
            return value
        raise _NotPlain  # JSON has no NaN or infinity: the slow path refuses it
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotPlain
            out[_clean_text(key)] = _plain(item)
        return out
    if kind is list:
        return [_plain(item) for item in value]
    raise _NotPlain


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Masked, and reduced to plain JSON (dates, decimals, ids become strings), so the stored
    value and the hashed value are the same on every database."""
    if data is None:
        return None
    masked = mask_mapping(data, _SENSITIVE)
    try:
        # Most events carry plain values already: one walk instead of encoding, decoding and
        # cleaning (the three were a third of an append's Python time).
        plain: dict[str, Any] = _plain(masked)
    except _NotPlain:
        # Decoded JSON is plain (dumps refuses NaN and infinity), so the walk only cleans it.
        plain = _plain(json.loads(json.dumps(masked, ensure_ascii=False, default=str, allow_nan=False)))
    return plain


def _describe_target(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)
    if isinstance(target, tuple):
        kind, ident, text = target
        return str(kind), str(ident), str(text)
    return type(target).__name__, "", str(target)


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
    """Write one event inside the caller's transaction (or its own); it joins the chain after commit.
    The returned event has its id and content hash; its `chain_link` appears after commit."""
    target_type, target_id, target_repr = _describe_target(target)
    name = actor_name if actor_name is not None else (str(actor) if actor else "系统")
    values: dict[str, Any] = {
        "created_at": timezone.now(),
        "actor_user_id": actor.user.pk if actor and actor.user else None,
        "actor_name": _clean_text(name)[:100],
        "unit_id": actor.unit_id if actor else None,
        "unit_name": _clean_text(actor.unit.name if actor and actor.unit else "")[:100],
        "ip": _clean_text((ip if ip is not None else (actor.ip if actor else "")) or "")[:45],
        "action": action,
        "target_type": _clean_text(target_type)[:60],
        "target_id": _clean_text(target_id)[:64],
        "target_repr": _clean_text(target_repr)[:200],
        "success": success,
        "reason": _clean_text(reason),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "algorithm": settings.XIEZHI_AUDIT_HASH,
    }
    values["content_hash"] = content_hash(
        fields_from_row([values[f] for f in HASHED_FIELDS]), values["algorithm"]
    )
    # Positional arguments in field order: Django's fast way to build an instance (keyword
    # arguments cost a tenth of an append's Python time).
    event = AuditEvent(*[values.get(f) for f in _FIELD_ORDER])  # type: ignore[misc]  # the plugin reads *args as one field
    conn = connections[DEFAULT_DB_ALIAS]  # looked up once: each `connection.x` is a lookup
    if conn.vendor == "postgresql" and conn.get_autocommit() and not conn.in_atomic_block:
        # An event of its own (a sign-in, a view of personal data): the event and its queue entry
        # are one statement, which is a transaction by itself — no BEGIN and COMMIT round trips.
        _insert_event_and_pending(event, values, conn.alias)
        try:
            chain_after_commit()
        except Exception:  # committed already: as on_commit(robust=True), the job retries
            log.exception("audit chainer failed")
        return event
    # No savepoint when nested: a failed audit write must fail the business transaction anyway.
    with transaction.atomic(savepoint=False):
        if conn.vendor == "postgresql":
            _insert_event_and_pending(event, values, conn.alias)
        else:
            event.save(force_insert=True)
            AuditPending.objects.create(event_id=event.pk)
        # Linked into the chain once the business transaction has committed — never before, so a
        # rolled-back change leaves neither event nor link. robust: the business change is already
        # committed; a failing chainer is logged and the scheduler's `audit-chain` retries.
        transaction.on_commit(chain_after_commit, robust=True)
    return event


_FIELD_ORDER = tuple(f.attname for f in AuditEvent._meta.concrete_fields)
_COLUMNS = (*HASHED_FIELDS, "content_hash")
_JSON = {"before", "after"}
_PG_INSERT = (
    f"WITH e AS (INSERT INTO {_EVENT} ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join('%s::jsonb' if c in _JSON else '%s' for c in _COLUMNS)}) RETURNING id) "
    f"INSERT INTO {_PENDING} (event_id) SELECT id FROM e RETURNING event_id"
)


def _insert_event_and_pending(event: AuditEvent, values: dict[str, Any], alias: str) -> None:
    """The event and its queue entry in one round trip: this is all an audited business
    transaction pays for the trail (no lock is taken)."""
    params = [
        json.dumps(values[c], ensure_ascii=False) if c in _JSON and values[c] is not None else values[c]
        for c in _COLUMNS
    ]
    # A prepared statement: PostgreSQL parses and plans the insert once per connection, and the
    # values are not quoted into SQL text in Python on every append.
    event.pk = fetch_value(alias, _PG_INSERT, params)
    event._state.adding = False
    event._state.db = alias
