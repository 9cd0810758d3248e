"""Writes: creating notifications (called by other apps), read state, and re-queueing a delivery.

`notify` is idempotent by `dedupe_key`: the unique constraint decides, inside a savepoint, so two
concurrent callers with the same key (two sweeps at once) end up with one row and one set of
deliveries. Reading is not a change of business data and is not audited; re-queueing is.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed
from xiezhi.notifications import conf
from xiezhi.notifications.access import access_delivery, access_notification
from xiezhi.notifications.channels import get_channel
from xiezhi.notifications.dispatch import dispatch
from xiezhi.notifications.models import Delivery, DeliveryStatus, Notification, NotificationRead
from xiezhi.notifications.selectors import require_inbox, unread_for
from xiezhi.units.models import Person, Unit

log = logging.getLogger(__name__)

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,29}")


def _validate(
    title: str,
    body: str,
    dedupe_key: str,
    unit: Unit | None,
    person: Person | None,
    url: str,
    kind: str,
    channels: Sequence[str],
) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not title.strip():
        add("title", "标题不能为空")
    elif len(title) > 200:
        add("title", "标题不能超过200个字符")
    if not dedupe_key.strip():
        add("dedupe_key", "去重键不能为空")
    elif len(dedupe_key) > 200:
        add("dedupe_key", "去重键不能超过200个字符")
    if (unit is None) == (person is None):
        add("recipient", "必须且只能指定一个接收人或一个接收单位")
    # Only links inside this site: an inbox link can never send a user to another host.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 500):
        add("url", "链接必须是本站内以“/”开头的路径")
    if not KIND_PATTERN.fullmatch(kind):
        add("kind", "类别须为小写英文字母、数字或下划线，最长30个字符")
    for name in channels:
        if get_channel(name) is None:
            add("channels", f"未知的通知渠道：{name}")
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)


BODY_MAX = 4000
CLIPPED = "\n……（内容过长，已截断）"


def _clip(body: str) -> str:
    """A long list in a reminder must not make the sweep that sends it fail: the body is cut, visibly."""
    return body if len(body) <= BODY_MAX else body[: BODY_MAX - len(CLIPPED)] + CLIPPED


def idempotency_key(dedupe_key: str, channel: str, address: str) -> str:
    return hashlib.sha256(f"{dedupe_key}\x1f{channel}\x1f{address}".encode()).hexdigest()


def _create_deliveries(notification: Notification, channels: Sequence[str]) -> list[Delivery]:
    now = timezone.now()
    rows: dict[str, Delivery] = {}
    for name in dict.fromkeys(channels):
        channel = get_channel(name)
        assert channel is not None  # validated above
        for address in channel.addresses(notification):
            key = idempotency_key(notification.dedupe_key, name, address.value)
            if key in rows:  # two people of a unit sharing one phone get one message
                continue
            if address.skip_reason:
                log.info(
                    "notification %s not sent by %s to %s: %s",
                    notification.pk,
                    name,
                    address.value,
                    address.skip_reason,
                )
            rows[key] = Delivery(
                notification=notification,
                channel=name,
                person_id=address.person_id,
                recipient=address.value[:254],
                idempotency_key=key,
                status=DeliveryStatus.SKIPPED if address.skip_reason else DeliveryStatus.PENDING,
                last_error=address.skip_reason,
                next_attempt_at=None if address.skip_reason else now,
            )
    return Delivery.objects.bulk_create(list(rows.values()))


def _existing(dedupe_key: str) -> Notification | None:
    return Notification.objects.filter(dedupe_key=dedupe_key).first()


def notify(
    *,
    title: str,
    body: str,
    dedupe_key: str,
    unit: Unit | None = None,
    person: Person | None = None,
    url: str = "",
    kind: str = "info",
    channels: Sequence[str] | None = None,
) -> Notification:
    """Put a notification in a person's or a unit's inbox and queue its outbound deliveries.

    A second call with the same `dedupe_key` returns the existing row and creates nothing (its other
    arguments are ignored). Deliveries go over `channels` (default: settings XIEZHI_NOTIFY_CHANNELS)
    and are sent after the caller's transaction commits; failures are retried by `xiezhi deliver`.
    """
    chosen = list(conf.default_channels() if channels is None else channels)
    _validate(title, body, dedupe_key, unit, person, url, kind, chosen)
    existing = _existing(dedupe_key)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient_unit=unit,
                recipient_person=person,
                kind=kind,
                title=title.strip(),
                body=_clip(body),
                url=url,
                dedupe_key=dedupe_key,
            )
            deliveries = _create_deliveries(notification, chosen)
    except IntegrityError:
        # Someone else committed the same key between our read and our insert: theirs is the one.
        winner = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if winner is None:
            raise
        log.debug("notification %s was created concurrently; returning the existing row", dedupe_key)
        return winner
    pending = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
    if pending and conf.inline_dispatch():
        transaction.on_commit(lambda: dispatch(pending))
    return notification


def mark_read(actor: Actor, notification_id: int) -> Notification:
    """Mark one notification read for this person (idempotent; the first reading time is kept)."""
    notification = access_notification(actor, notification_id)
    assert actor.person is not None
    if not notification.is_read:  # type: ignore[attr-defined]
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification=notification, person_id=actor.person.pk, read_at=timezone.now())],
            ignore_conflicts=True,
        )
    return access_notification(actor, notification_id)


def mark_all_read(actor: Actor) -> int:
    """Mark everything in this person's inbox read; returns how many were unread."""
    require_inbox(actor)
    assert actor.person is not None
    now = timezone.now()
    ids = list(unread_for(actor).values_list("pk", flat=True))
    NotificationRead.objects.bulk_create(
        [NotificationRead(notification_id=pk, person_id=actor.person.pk, read_at=now) for pk in ids],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(ids)


def requeue(actor: Actor, delivery_id: int, reason: str = "") -> Delivery:
    """The system administrator sends a failed or abandoned delivery once more (after fixing the gateway, say)."""
    delivery = access_delivery(actor, delivery_id)
    if not reason.strip():
        raise ValidationFailed.field("reason", "请填写重新投递的原因")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    with transaction.atomic():
        changed = Delivery.objects.filter(
            pk=delivery.pk, status__in=(DeliveryStatus.DEAD, DeliveryStatus.FAILED)
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
        if not changed:
            raise Conflict("只有发送失败或已放弃的投递可以重新投递")
        delivery.refresh_from_db()
        record(
            actor,
            "notification.delivery_requeued",
            delivery,
            before=before,
            after={"status": delivery.status, "attempts": delivery.attempts},
            reason=reason.strip(),
        )
        if conf.inline_dispatch():
            transaction.on_commit(lambda: dispatch([delivery.pk]))
    return delivery
