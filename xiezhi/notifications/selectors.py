"""Reads scoped to an actor. `unread_count` is imported by the base template's context processor."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Notification,
    NotificationRead,
)


def has_inbox(actor: Actor) -> bool:
    """Business people have an inbox; administrators (三员) take no part in business (LAW.md rule 70)."""
    return actor.is_authenticated and actor.person is not None and actor.admin_role is None


def require_inbox(actor: Actor) -> None:
    if not has_inbox(actor):
        raise PermissionDenied("您的账号没有业务通知收件箱")


def _reads_of(person_id: int) -> QuerySet[NotificationRead]:
    return NotificationRead.objects.filter(notification=OuterRef("pk"), person_id=person_id)


def inbox_for(actor: Actor) -> QuerySet[Notification]:
    """The person's own notifications and, while the person is active, their unit's; each row is annotated
    with this person's `is_read` and `read_at`, unread first, newest first."""
    if not has_inbox(actor):
        return Notification.objects.none()
    person = actor.person
    assert person is not None
    scope = Q(recipient_person_id=person.pk)
    if person.active:
        scope |= Q(recipient_unit_id=person.unit_id)
    mine = _reads_of(person.pk)
    return (
        Notification.objects.filter(scope)
        .select_related("recipient_unit", "recipient_person")
        .annotate(is_read=Exists(mine), read_at=Subquery(mine.values("read_at")[:1]))
        .order_by("is_read", "-created_at", "-pk")
    )


def unread_for(actor: Actor) -> QuerySet[Notification]:
    if not has_inbox(actor):
        return Notification.objects.none()
    assert actor.person is not None
    return inbox_for(actor).filter(~Exists(_reads_of(actor.person.pk)))


def unread_count(actor: Actor) -> int:
    return unread_for(actor).count() if has_inbox(actor) else 0


def require_delivery_log(actor: Actor) -> None:
    actor.require_admin("sysadmin")


def _day_bound(value: str, name: str, end: bool) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.field(name, "日期格式应为 YYYY-MM-DD") from None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def deliveries_for(
    actor: Actor,
    *,
    status: str = "",
    channel: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    notification: int | None = None,
) -> QuerySet[Delivery]:
    """The delivery log, for the system administrator only, newest first, with each delivery's attempts."""
    require_delivery_log(actor)
    qs = Delivery.objects.select_related("notification").prefetch_related(
        Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number", "pk"))
    )
    if status:
        if status not in DeliveryStatus.values:
            raise ValidationFailed.field("status", "状态取值无效")
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if since:
        qs = qs.filter(created_at__gte=_day_bound(since, "since", end=False))
    if until:
        qs = qs.filter(created_at__lte=_day_bound(until, "until", end=True))
    if notification is not None:
        qs = qs.filter(notification_id=notification)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(idempotency_key__startswith=term) | Q(notification__dedupe_key__icontains=term))
    return qs.order_by("-created_at", "-pk")
