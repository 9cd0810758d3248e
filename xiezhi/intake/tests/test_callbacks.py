"""§3 status callbacks: signed, queued with the state change, retried with back-off, logged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.intake import callbacks, services
from xiezhi.intake.models import CallbackDelivery, HotlineClient, Report
from xiezhi.intake.signing import sign
from xiezhi.intake.tests.conftest import report_data
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline_report(personas: Personas) -> Report:
    client = HotlineClient.objects.create(
        county=personas.county,
        key_id="hz",
        name="12345",
        secret="k",
        callback_url="https://hotline.example/cb",
    )
    report = services.create_report(
        personas.actor("township_handler"), report_data(personas.township, channel="hotline_12345")
    )
    Report.objects.filter(pk=report.pk).update(hotline_client=client, external_id="GD1")
    return Report.objects.get(pk=report.pk)


def test_state_changes_queue_signed_callbacks(personas: Personas, hotline_report: Report) -> None:
    town = personas.actor("township_handler")
    services.accept(town, hotline_report)
    services.hand_on(town, hotline_report, personas.department.pk, "属部门")
    events = list(CallbackDelivery.objects.order_by("id").values_list("event", flat=True))
    assert events == ["accepted", "handed_on"]
    seen: list[tuple[str, bytes, dict[str, str]]] = []

    def ok(url: str, body: bytes, headers: dict[str, str]) -> int:
        seen.append((url, body, headers))
        return 200

    assert callbacks.deliver_due(send=ok) == 2
    url, body, headers = seen[0]
    assert url == "https://hotline.example/cb" and json.loads(body)["order_no"] == "GD1"
    assert headers["X-Signature"] == sign("k", headers["X-Timestamp"], headers["X-Nonce"], body)
    assert set(CallbackDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_failures_back_off_then_give_up(personas: Personas, hotline_report: Report) -> None:
    services.accept(personas.actor("township_handler"), hotline_report)

    def down(url: str, body: bytes, headers: dict[str, str]) -> int:
        raise OSError("connection refused")

    assert callbacks.deliver_due(send=down) == 0
    row = CallbackDelivery.objects.get()
    assert row.status == "pending" and row.attempts == 1 and "refused" in row.last_error
    assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert callbacks.deliver_due(send=down) == 0  # not due yet
    assert CallbackDelivery.objects.get().attempts == 1
    for _ in range(callbacks.MAX_ATTEMPTS):
        CallbackDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        callbacks.deliver_due(send=lambda u, b, h: 500)
    row = CallbackDelivery.objects.get()
    assert row.status == "failed" and row.attempts == callbacks.MAX_ATTEMPTS and row.last_error == "HTTP 500"
    c = Client()
    c.force_login(personas.dispatcher.account)  # type: ignore[attr-defined]
    assert "发送失败" in c.get("/intake/callbacks/").content.decode()
    c.force_login(personas.township_handler.account)  # type: ignore[attr-defined]
    assert c.get("/intake/callbacks/").status_code == 404


def test_no_callbacks_for_other_channels(personas: Personas) -> None:
    town = personas.actor("township_handler")
    services.accept(town, services.create_report(town, report_data(personas.township)))
    assert not CallbackDelivery.objects.exists()
