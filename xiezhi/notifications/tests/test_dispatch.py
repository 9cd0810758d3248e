"""Claiming, leases and the attempt log, independent of any network: console and e-mail channels."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from xiezhi.notifications import dispatch
from xiezhi.notifications.channels import SendResult
from xiezhi.notifications.models import AttemptOutcome, Delivery, DeliveryStatus
from xiezhi.notifications.services import notify
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _console(p: Personas, key: str = "c-1") -> Delivery:
    n = notify(
        title="提醒", body="内容", dedupe_key=key, unit=p.township, kind="reminder", channels=["console"]
    )
    return Delivery.objects.get(notification=n)


def test_console_logs_the_notification(personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    delivery = _console(personas)
    with caplog.at_level(logging.INFO, logger="xiezhi.notifications.outbound"):
        assert dispatch.deliver_one(delivery.pk) == DeliveryStatus.SENT
    assert "提醒" in caplog.text and f"unit:{personas.township.pk}" in caplog.text


def test_a_claimed_delivery_cannot_be_claimed_again(personas: Personas) -> None:
    delivery = _console(personas)
    now = timezone.now()
    first = dispatch._claim(delivery.pk, now)
    assert first is not None
    assert dispatch._claim(delivery.pk, now) is None
    assert dispatch.deliver_one(delivery.pk, now) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENDING, 1)


def test_an_expired_lease_is_taken_over_and_the_lost_attempt_is_closed(
    personas: Personas, settings: Any
) -> None:
    settings.XIEZHI_NOTIFY_LEASE_SECONDS = 300
    delivery = _console(personas)
    now = timezone.now()
    stale = dispatch._claim(delivery.pk, now)  # this runner "dies" without finishing
    assert stale is not None
    assert dispatch.deliver_one(delivery.pk, now + timedelta(seconds=299)) is None
    assert dispatch.deliver_one(delivery.pk, now + timedelta(seconds=300)) == DeliveryStatus.SENT
    log = list(Delivery.objects.get(pk=delivery.pk).attempt_log.values_list("number", "outcome"))
    assert log == [(1, AttemptOutcome.ABANDONED), (2, AttemptOutcome.SENT)]

    # The dead runner wakes up and reports: its token no longer matches, the result stands.
    fresh = Delivery.objects.select_related("notification").get(pk=delivery.pk)
    dispatch._finish(
        fresh, stale[0], stale[1], SendResult(ok=False, error="late"), now + timedelta(seconds=400)
    )
    fresh.refresh_from_db()
    assert fresh.status == DeliveryStatus.SENT


def test_a_channel_that_raises_becomes_a_logged_retryable_failure(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    delivery = _console(personas)

    def broken(self: Any, d: Delivery) -> SendResult:
        raise RuntimeError("boom")

    monkeypatch.setattr("xiezhi.notifications.channels.ConsoleChannel.send", broken)
    assert dispatch.deliver_one(delivery.pk) == DeliveryStatus.FAILED
    assert "RuntimeError: boom" in Delivery.objects.get(pk=delivery.pk).attempt_log.get().error


def test_skipped_deliveries_are_never_sent(personas: Personas, settings: Any) -> None:
    settings.XIEZHI_SMS_WEBHOOK_URL = ""
    n = notify(title="t", body="", dedupe_key="skip", person=personas.township_handler, channels=["sms"])
    delivery = Delivery.objects.get(notification=n)
    assert dispatch.deliver_due(now=timezone.now() + timedelta(days=30)).statuses == {}
    assert dispatch.deliver_one(delivery.pk) is None
    assert delivery.attempt_log.count() == 0


def test_email_uses_the_backend_and_the_key_as_message_id(personas: Personas, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.XIEZHI_NOTIFY_EMAIL_DOMAIN = "example.gov.cn"
    personas.department_leader.account.email = "qian@dept.example.gov.cn"
    personas.department_leader.account.save()
    n = notify(
        title="督办",
        body="已超期3个工作日",
        dedupe_key="mail-1",
        unit=personas.department,
        kind="escalation",
        channels=["email"],
    )
    report = dispatch.deliver_due()
    assert report.sent == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"qian@dept.example.gov.cn", "d_liaison@example.gov.cn"}
    message = by_address["qian@dept.example.gov.cn"]
    key = Delivery.objects.get(notification=n, recipient="qian@dept.example.gov.cn").idempotency_key
    assert message.subject == "【獬豸】督办"
    assert message.extra_headers["Message-ID"] == f"<{key}@xiezhi>"


def test_email_without_an_address_is_skipped_with_the_reason(personas: Personas, settings: Any) -> None:
    settings.XIEZHI_NOTIFY_EMAIL_DOMAIN = ""
    n = notify(title="t", body="", dedupe_key="mail-2", person=personas.township_handler, channels=["email"])
    delivery = Delivery.objects.get(notification=n)
    assert delivery.status == DeliveryStatus.SKIPPED
    assert "XIEZHI_NOTIFY_EMAIL_DOMAIN" in delivery.last_error


def test_deliver_command_sends_what_is_due(personas: Personas) -> None:
    _console(personas, "cmd-1")
    _console(personas, "cmd-2")
    out = StringIO()
    call_command("deliver", stdout=out)
    assert "已发送 2 条" in out.getvalue()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    out = StringIO()
    call_command("deliver", stdout=out)
    assert "已发送 0 条" in out.getvalue()
