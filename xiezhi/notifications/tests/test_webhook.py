"""The SMS webhook against a real HTTP server on 127.0.0.1: signature, retries with back-off, the attempt log."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.notifications.dispatch import deliver_due, deliver_one
from xiezhi.notifications.models import AttemptOutcome, Delivery, DeliveryStatus
from xiezhi.notifications.services import notify
from xiezhi.notifications.tests.helpers import SECRET, Gateway
from xiezhi.notifications.webhook import sign, verify
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _sms(p: Personas, key: str = "sms-1") -> Delivery:
    n = notify(
        title="转办超期",
        body="请尽快办理",
        dedupe_key=key,
        person=p.township_handler,
        url="/transfers/7/",
        kind="overdue",
        channels=["sms"],
    )
    return Delivery.objects.get(notification=n)


def test_signature_known_answer() -> None:
    # Computed once with hmac.new(b"s3cret", b'1700000000.{"a":1}', sha256).hexdigest().
    expected = "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940"
    assert sign("s3cret", "1700000000", b'{"a":1}') == expected
    assert verify("s3cret", "1700000000", b'{"a":1}', expected)
    assert not verify("s3cret", "1700000000", b'{"a":2}', expected)
    assert not verify("s3cret", "1700000001", b'{"a":1}', expected)


def test_the_gateway_receives_a_signed_json_post(personas: Personas, gateway: Gateway, settings: Any) -> None:
    settings.XIEZHI_SITE_URL = "https://xiezhi.example.gov.cn/"
    delivery = _sms(personas)
    assert deliver_one(delivery.pk) == DeliveryStatus.SENT
    [got] = gateway.received
    timestamp, signature = got.headers["X-Xiezhi-Timestamp"], got.headers["X-Xiezhi-Signature"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256).hexdigest()
    assert signature == expected
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    assert got.headers["X-Xiezhi-Idempotency-Key"] == delivery.idempotency_key
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.json == {
        "id": delivery.idempotency_key,
        "to": "13812345678",
        "kind": "overdue",
        "notification_id": delivery.notification_id,
        "text": "【獬豸】转办超期\n请尽快办理\nhttps://xiezhi.example.gov.cn/transfers/7/",
    }


def test_500_then_200_retries_after_the_back_off_with_the_same_key(
    personas: Personas, gateway: Gateway, settings: Any
) -> None:
    settings.XIEZHI_NOTIFY_RETRY_BASE_SECONDS = 60
    gateway.answer_with(500)
    delivery = _sms(personas)
    t0 = timezone.now()
    assert deliver_one(delivery.pk, now=t0) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == t0 + timedelta(seconds=60)
    assert "HTTP 500" in delivery.last_error

    # Not due before the back-off has passed: nothing is sent.
    assert deliver_due(now=t0 + timedelta(seconds=59)).statuses == {}
    assert len(gateway.received) == 1

    assert deliver_due(now=t0 + timedelta(seconds=60)).statuses == {delivery.pk: DeliveryStatus.SENT}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    log = list(delivery.attempt_log.values_list("number", "outcome", "response_code"))
    assert log == [(1, AttemptOutcome.FAILED, 500), (2, AttemptOutcome.SENT, 200)]
    keys = {r.headers["X-Xiezhi-Idempotency-Key"] for r in gateway.received}
    assert keys == {delivery.idempotency_key}
    # Each attempt is signed afresh, and each signature checks out.
    assert all(
        verify(SECRET, r.headers["X-Xiezhi-Timestamp"], r.body, r.headers["X-Xiezhi-Signature"])
        for r in gateway.received
    )

    # Sent is final: another run sends nothing more.
    assert deliver_due(now=t0 + timedelta(hours=5)).statuses == {}
    assert len(gateway.received) == 2


def test_back_off_doubles_and_the_delivery_dies_after_the_last_attempt(
    personas: Personas, gateway: Gateway, settings: Any
) -> None:
    settings.XIEZHI_NOTIFY_RETRY_BASE_SECONDS = 10
    settings.XIEZHI_NOTIFY_MAX_ATTEMPTS = 4
    gateway.answer_with(503, 503, 502, 500, 200)
    delivery = _sms(personas)
    now = timezone.now()
    gaps = []
    for _ in range(4):
        deliver_one(delivery.pk, now=now)
        delivery.refresh_from_db()
        if delivery.next_attempt_at is None:
            break
        gaps.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    assert gaps == [10, 20, 40]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 4)
    assert delivery.attempt_log.filter(outcome=AttemptOutcome.FAILED).count() == 4
    assert deliver_due(now=now + timedelta(days=1)).statuses == {}
    assert len(gateway.received) == 4


def test_a_4xx_answer_is_not_retried(personas: Personas, gateway: Gateway) -> None:
    gateway.answer_with(400)
    delivery = _sms(personas)
    assert deliver_one(delivery.pk) == DeliveryStatus.DEAD
    assert delivery.attempt_log.get().response_code == 400


def test_429_is_retried(personas: Personas, gateway: Gateway) -> None:
    gateway.answer_with(429)
    delivery = _sms(personas)
    assert deliver_one(delivery.pk) == DeliveryStatus.FAILED


def test_an_unreachable_gateway_is_a_retryable_failure(
    personas: Personas, gateway: Gateway, settings: Any
) -> None:
    delivery = _sms(personas)
    settings.XIEZHI_SMS_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    assert deliver_one(delivery.pk) == DeliveryStatus.FAILED
    attempt = delivery.attempt_log.get()
    assert attempt.response_code is None
    assert "无法连接短信网关" in attempt.error


def test_a_redirect_is_reported_not_followed(personas: Personas, gateway: Gateway) -> None:
    gateway.answer_with(302)
    delivery = _sms(personas)
    assert deliver_one(delivery.pk) == DeliveryStatus.DEAD
    assert delivery.attempt_log.get().response_code == 302
    assert len(gateway.received) == 1


def test_only_http_urls_are_used(personas: Personas, gateway: Gateway, settings: Any) -> None:
    delivery = _sms(personas)
    settings.XIEZHI_SMS_WEBHOOK_URL = "file:///etc/passwd"
    assert deliver_one(delivery.pk) == DeliveryStatus.DEAD
    assert "http(s)" in delivery.attempt_log.get().error
