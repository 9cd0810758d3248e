"""Writing audit events. Call `record` inside the service's transaction — never from signals."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from xiezhi.audit.hashing import chain_hash, event_fields
from xiezhi.audit.models import AuditChainHead, AuditEvent
from xiezhi.core.actor import Actor
from xiezhi.rulebook.masking import MaskKind, mask_mapping

# Personal data in before/after is masked (LAW.md §C, R-PUB-02): the rulebook's default keys plus
# these; secrets are redacted outright.
SENSITIVE_KEYS = {"password": MaskKind.REDACT, "token": MaskKind.REDACT, "token_hash": MaskKind.REDACT}
NAME_KEYS = ("reporter_name",)


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """Dates, decimals and ids become strings, so the stored JSON and the hashed JSON are the same."""
    if data is None:
        return None
    return json.loads(json.dumps(mask_mapping(data, SENSITIVE_KEYS, name_keys=NAME_KEYS), ensure_ascii=False, default=str))


def _describe_target(target: Any) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:200]
    if isinstance(target, tuple):
        kind, ident, text = target
        return str(kind), str(ident), str(text)[:200]
    return type(target).__name__, "", str(target)[:200]


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
    """Append one event to the chain. The chain head row is locked for the rest of the enclosing
    transaction, so concurrent writers queue and the chain stays linear."""
    target_type, target_id, target_repr = _describe_target(target)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor_user_id=actor.user.pk if actor and actor.user else None,
            actor_name=(actor_name if actor_name is not None else (str(actor) if actor else "系统"))[:100],
            unit_id=actor.unit_id if actor else None,
            unit_name=(actor.unit.name if actor and actor.unit else "")[:100],
            ip=(ip if ip is not None else (actor.ip if actor else "")) or "",
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            success=success,
            reason=reason,
            before=_jsonable(before),
            after=_jsonable(after),
            prev_hash=head.last_hash,
        )
        event.hash = chain_hash(head.last_hash, event_fields(event), settings.XIEZHI_AUDIT_HASH)
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event
