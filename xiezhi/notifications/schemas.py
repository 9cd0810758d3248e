"""API schemas. Recipient addresses in the delivery log are masked: the log is for operations, not for
reading people's contact details."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from xiezhi.notifications.models import Delivery, DeliveryAttempt, Notification
from xiezhi.rulebook.masking import mask_phone


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    url: str
    scope: str
    unit_name: str | None
    created_at: datetime
    read: bool
    read_at: datetime | None

    @staticmethod
    def of(n: Notification) -> NotificationOut:
        return NotificationOut(
            id=n.pk,
            kind=n.kind,
            kind_label=n.kind_label,
            title=n.title,
            body=n.body,
            url=n.url,
            scope=n.scope,
            unit_name=n.recipient_unit.name if n.recipient_unit else None,
            created_at=n.created_at,
            read=bool(getattr(n, "is_read", False)),
            read_at=getattr(n, "read_at", None),
        )


class NotificationPage(Schema):
    items: list[NotificationOut]
    total: int
    page: int
    page_size: int
    pages: int


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


def mask_address(value: str) -> str:
    if value.startswith(("person:", "unit:")):
        return value
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(value)


class AttemptOut(Schema):
    number: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    response_code: int | None
    error: str

    @staticmethod
    def of(a: DeliveryAttempt) -> AttemptOut:
        return AttemptOut(
            number=a.number,
            started_at=a.started_at,
            finished_at=a.finished_at,
            outcome=a.outcome,
            response_code=a.response_code,
            error=a.error,
        )


class DeliveryOut(Schema):
    id: int
    notification_id: int
    kind: str
    dedupe_key: str
    channel: str
    recipient: str
    idempotency_key: str
    status: str
    status_label: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    attempt_log: list[AttemptOut]

    @staticmethod
    def of(d: Delivery) -> DeliveryOut:
        return DeliveryOut(
            id=d.pk,
            notification_id=d.notification_id,
            kind=d.notification.kind,
            dedupe_key=d.notification.dedupe_key,
            channel=d.channel,
            recipient=mask_address(d.recipient),
            idempotency_key=d.idempotency_key,
            status=d.status,
            status_label=d.get_status_display(),
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_error=d.last_error,
            created_at=d.created_at,
            sent_at=d.sent_at,
            attempt_log=[AttemptOut.of(a) for a in d.attempt_log.all()],
        )


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    total: int
    page: int
    page_size: int
    pages: int
