"""Sending deliveries: claim with a conditional UPDATE, send outside any transaction, record the attempt.

A claim sets status "sending", a fresh claim token and a lease. Only one runner's UPDATE can match
(the WHERE clause requires the row to be due and unclaimed), so two runners — the inline dispatcher
after a commit and `xiezhi deliver`, or two `deliver` processes — never send the same delivery
twice. A runner that dies mid-send leaves the lease to expire; the next claim marks that attempt
abandoned and tries again. Finishing is conditional on the claim token, so a runner whose lease was
taken over cannot overwrite the new owner's result.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from xiezhi.notifications import conf
from xiezhi.notifications.channels import SendResult, get_channel
from xiezhi.notifications.models import AttemptOutcome, Delivery, DeliveryAttempt, DeliveryStatus

log = logging.getLogger(__name__)

RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failed tries: base, 2×base, 4×base … capped."""
    seconds = conf.retry_base_seconds() * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, conf.retry_max_seconds()))


def due_q(now: datetime) -> Q:
    return Q(status__in=RETRYABLE, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, lease_until__lte=now
    )


def _claim(pk: int, now: datetime) -> tuple[str, int] | None:
    token = uuid.uuid4().hex
    with transaction.atomic():
        claimed = Delivery.objects.filter(due_q(now), pk=pk).update(
            status=DeliveryStatus.SENDING,
            claim_token=token,
            lease_until=now + timedelta(seconds=conf.lease_seconds()),
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return None
        # A still-open attempt belongs to a runner whose lease expired: it is closed, not forgotten.
        DeliveryAttempt.objects.filter(delivery_id=pk, outcome=AttemptOutcome.STARTED).update(
            outcome=AttemptOutcome.ABANDONED, finished_at=now, error="发送进程未完成，占用已过期"
        )
        number = Delivery.objects.values_list("attempts", flat=True).get(pk=pk)
        attempt = DeliveryAttempt.objects.create(delivery_id=pk, number=number, started_at=now)
    return token, attempt.pk


def _send(delivery: Delivery) -> SendResult:
    channel = get_channel(delivery.channel)
    if channel is None:
        return SendResult(ok=False, error=f"未知的通知渠道：{delivery.channel}", retryable=False)
    try:
        return channel.send(delivery)
    except Exception as exc:  # a channel bug must become a logged, retried attempt, not a crashed runner
        log.exception("channel %s raised while sending delivery %s", delivery.channel, delivery.pk)
        return SendResult(ok=False, error=f"渠道内部错误：{type(exc).__name__}: {exc}"[:1000])


def _finish(delivery: Delivery, token: str, attempt_id: int, result: SendResult, now: datetime) -> str:
    if result.ok:
        status, changes = DeliveryStatus.SENT, {"sent_at": now, "last_error": "", "next_attempt_at": None}
    elif result.retryable and delivery.attempts < conf.max_attempts():
        status = DeliveryStatus.FAILED
        changes = {"last_error": result.error, "next_attempt_at": now + backoff(delivery.attempts)}
    else:
        status, changes = DeliveryStatus.DEAD, {"last_error": result.error, "next_attempt_at": None}
    with transaction.atomic():
        DeliveryAttempt.objects.filter(pk=attempt_id).update(
            finished_at=now,
            outcome=AttemptOutcome.SENT if result.ok else AttemptOutcome.FAILED,
            response_code=result.response_code,
            error=result.error,
        )
        updated = Delivery.objects.filter(
            pk=delivery.pk, claim_token=token, status=DeliveryStatus.SENDING
        ).update(status=status, lease_until=None, claim_token="", **changes)
    if not updated:
        log.warning("delivery %s was taken over by another runner before this attempt finished", delivery.pk)
    return status


def deliver_one(pk: int, now: datetime | None = None) -> str | None:
    """Try one delivery if it is due; return its new status, or None if it was not due or someone else has it."""
    started = now or timezone.now()
    claim = _claim(pk, started)
    if claim is None:
        return None
    token, attempt_id = claim
    delivery = Delivery.objects.select_related("notification").get(pk=pk)
    result = _send(delivery)
    return _finish(delivery, token, attempt_id, result, now or timezone.now())


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    statuses: dict[int, str] = field(default_factory=dict)

    def add(self, pk: int, status: str | None) -> None:
        if status is None:
            return
        self.statuses[pk] = status
        if status == DeliveryStatus.SENT:
            self.sent += 1
        elif status == DeliveryStatus.FAILED:
            self.failed += 1
        elif status == DeliveryStatus.DEAD:
            self.dead += 1


def dispatch(pks: Iterable[int], now: datetime | None = None) -> RunReport:
    """Send the given deliveries now. Never raises: whatever is not sent stays due for `xiezhi deliver`."""
    report = RunReport()
    for pk in pks:
        try:
            report.add(pk, deliver_one(pk, now))
        except Exception:
            log.exception("dispatching delivery %s failed; it stays due for `xiezhi deliver`", pk)
    return report


def deliver_due(now: datetime | None = None, limit: int = 500, channel: str | None = None) -> RunReport:
    """One pass of `xiezhi deliver`: every delivery due at `now`, oldest first, at most `limit`."""
    moment = now or timezone.now()
    qs = Delivery.objects.filter(due_q(moment))
    if channel:
        qs = qs.filter(channel=channel)
    pks = list(qs.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    return dispatch(pks, now)
