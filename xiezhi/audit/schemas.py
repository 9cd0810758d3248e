from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from xiezhi.audit.models import AuditEvent


class AuditQuery(Schema):
    """Every parameter is text: the filter parser gives Chinese field errors (422)."""

    since: str | None = None
    until: str | None = None
    actor: str | None = None
    unit: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    success: str | None = None
    page: str | None = None
    page_size: str | None = None


class AuditEventOut(Schema):
    """`seq`, `prev_hash` and `hash` are the event's chain link: null for the moment between the
    business commit and the chainer linking it."""

    id: int
    seq: int | None
    created_at: datetime
    actor_user_id: int | None
    actor_name: str
    unit_id: int | None
    unit_name: str
    ip: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    success: bool
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    algorithm: str
    content_hash: str
    prev_hash: str | None
    hash: str | None

    @staticmethod
    def resolve_seq(obj: AuditEvent) -> int | None:
        link = obj.chain_link
        return link.seq if link else None

    @staticmethod
    def resolve_prev_hash(obj: AuditEvent) -> str | None:
        link = obj.chain_link
        return link.prev_hash if link else None

    @staticmethod
    def resolve_hash(obj: AuditEvent) -> str | None:
        link = obj.chain_link
        return link.hash if link else None


class AuditEventPage(Schema):
    items: list[AuditEventOut]
    total: int
    page: int
    page_size: int
    pages: int


class ProblemOut(Schema):
    kind: str
    label: str
    seq: int | None
    event_id: int | None
    created_at: str | None
    action: str
    detail: str


class VerificationOut(Schema):
    ok: bool
    message: str
    count: int
    head_seq: int
    head_hash: str
    algorithms: list[str]
    seconds: float
    pending: int
    problem: ProblemOut | None
