"""Canonical serialisation, the content hash of an audit event and the hash of its chain link.

Two digests (docs/adr/0002-audit-chaining.md):

* the **content hash** of an event, ``H(canonical(fields))``, computed by `record` inside the
  business transaction; ``canonical`` is sorted-key, compact JSON of the fields in
  `HASHED_FIELDS`;
* the **link hash** of chain position *n*, ``H(prev_hash "|" n "|" event_id "|" content_hash)``,
  computed by the chainer after commit, where ``prev_hash`` is the link hash of position *n-1*
  (64 zeros for the first).

`H` is SHA-256 or SM3 (GB/T 32905), chosen per event by its ``algorithm`` field (the link uses its
event's), so that switching ``XIEZHI_AUDIT_HASH`` leaves older events verifiable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
ALGORITHMS = ("sha256", "sm3")

# The event's own fields, covered by its content hash. Order matters only for `fields_from_row`:
# the verifier selects these columns in this order. The chain position is not among them: it is
# assigned after commit and covered by the link hash.
HASHED_FIELDS: tuple[str, ...] = (
    "created_at",
    "actor_user_id",
    "actor_name",
    "unit_id",
    "unit_name",
    "ip",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "success",
    "reason",
    "before",
    "after",
    "algorithm",
)


def _sm3_from_openssl() -> Callable[[bytes], str] | None:
    try:
        hashlib.new("sm3", b"")
    except ValueError:
        return None
    return lambda data: hashlib.new("sm3", data).hexdigest()


def _sm3_from_gmssl() -> Callable[[bytes], str] | None:
    # Fallback for an OpenSSL built without SM3 (e.g. some FIPS builds): `pip install gmssl`.
    try:
        from gmssl import sm3  # type: ignore[import-not-found]
    except ImportError:
        return None
    return lambda data: str(sm3.sm3_hash(list(data)))


_SM3 = _sm3_from_openssl() or _sm3_from_gmssl()


def sm3_available() -> bool:
    return _SM3 is not None


def digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    if algorithm == "sm3":
        if _SM3 is None:
            raise RuntimeError("本机 OpenSSL 不支持 SM3，且未安装 gmssl：无法计算 SM3 摘要")
        return _SM3(data)
    raise ValueError(f"未知的摘要算法：{algorithm}")


# One encoder for every event (what json.dumps would build per call): a fifth off the verifier's walk.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical(fields: dict[str, Any]) -> bytes:
    return _ENCODER.encode(fields).encode()


def content_hash(fields: dict[str, Any], algorithm: str = "sha256") -> str:
    return digest(algorithm, canonical(fields))


def link_hash(prev_hash: str, seq: int, event_id: int, content: str, algorithm: str = "sha256") -> str:
    """The position and the event's id are in the link hash: moving a link to another position
    or pointing it at another event breaks it, as does replacing the event's content hash."""
    return digest(algorithm, f"{prev_hash}|{seq}|{event_id}|{content}".encode())


def canonical_time(value: datetime) -> str:
    """UTC with exactly six fractional digits, whatever the database hands back.

    SQLite returns UTC datetimes, PostgreSQL returns them in the connection's zone (UTC under
    Django, but a zone object other than `datetime.UTC`), and a naive value can only be UTC
    here (USE_TZ stores UTC). Normalising makes the written and the read-back value hash alike."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def fields_from_row(row: Sequence[Any]) -> dict[str, Any]:
    """The hashed fields of a row selected in `HASHED_FIELDS` order."""
    fields = dict(zip(HASHED_FIELDS, row, strict=True))
    fields["created_at"] = canonical_time(fields["created_at"])
    return fields


def event_fields(event: Any) -> dict[str, Any]:
    """The fields the hash covers, read from a model instance or a row-like object."""
    return fields_from_row([getattr(event, name) for name in HASHED_FIELDS])
