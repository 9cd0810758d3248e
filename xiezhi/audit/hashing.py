"""Canonical serialisation and the chain hash of an audit event."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def _digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sm3":
        # SM3 (GB/T 32905) through OpenSSL; fails clearly where OpenSSL lacks it.
        return hashlib.new("sm3", data).hexdigest()
    return hashlib.sha256(data).hexdigest()


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, fields: dict[str, Any], algorithm: str = "sha256") -> str:
    return _digest(algorithm, prev_hash.encode() + canonical(fields))


def event_fields(event: Any) -> dict[str, Any]:
    """The fields the hash covers, read from a model instance or a row-like object."""
    return {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_user_id": event.actor_user_id,
        "actor_name": event.actor_name,
        "unit_id": event.unit_id,
        "unit_name": event.unit_name,
        "ip": event.ip,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "success": event.success,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
    }
