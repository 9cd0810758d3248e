"""On PostgreSQL: concurrent callers and concurrent runners, each thread with its own connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from xiezhi.notifications.dispatch import deliver_due
from xiezhi.notifications.models import Delivery, DeliveryAttempt, DeliveryStatus, Notification
from xiezhi.notifications.services import notify
from xiezhi.notifications.tests.helpers import Gateway
from xiezhi.testing.factories import Personas, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(count: int, work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            value = work()
            with lock:
                results.append(value)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_concurrent_notify_with_one_key_makes_one_row_and_sends_once(personas: Personas) -> None:
    unit = personas.township

    def call() -> int:
        return notify(
            title="超期督办", body="", dedupe_key="race-1", unit=unit, kind="escalation", channels=["console"]
        ).pk

    pks = _in_threads(8, call)
    assert len(set(pks)) == 1
    assert Notification.objects.count() == 1
    [delivery] = Delivery.objects.all()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert DeliveryAttempt.objects.count() == 1


def test_concurrent_runners_send_each_delivery_exactly_once(
    personas: Personas, gateway: Gateway, settings: Any
) -> None:
    settings.XIEZHI_NOTIFY_INLINE = False
    people = [make_person(personas.department, f"人员{i}", account=False) for i in range(30)]
    for i, person in enumerate(people):
        person.phone = f"139{i:08d}"
        person.save()
    notify(title="全局通知", body="", dedupe_key="race-2", unit=personas.department, channels=["sms"])
    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    assert pending >= 30

    reports = _in_threads(4, lambda: deliver_due(limit=1000))
    assert sum(r.sent for r in reports) == pending
    per_key = Counter(r.headers["X-Xiezhi-Idempotency-Key"] for r in gateway.received)
    assert len(per_key) == pending and set(per_key.values()) == {1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert DeliveryAttempt.objects.count() == pending
