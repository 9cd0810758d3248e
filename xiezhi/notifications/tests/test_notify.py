"""`notify`: idempotency by dedupe key, validation, and which deliveries are queued for which channel."""

from __future__ import annotations

from typing import Any

import pytest

from xiezhi.core.errors import ValidationFailed
from xiezhi.notifications.models import Delivery, DeliveryStatus, Notification
from xiezhi.notifications.services import notify
from xiezhi.testing.factories import Personas, make_person
from xiezhi.units.models import Person

pytestmark = pytest.mark.django_db


def test_same_dedupe_key_returns_the_existing_row_and_creates_nothing(personas: Personas) -> None:
    first = notify(
        title="转办即将到期",
        body="请于今日17:30前办理",
        dedupe_key="obligation:1:remind:0",
        unit=personas.township,
        url="/transfers/1/",
        kind="reminder",
    )
    deliveries = Delivery.objects.count()
    again = notify(title="另一个标题", body="", dedupe_key="obligation:1:remind:0", unit=personas.township)
    assert again.pk == first.pk
    assert again.title == "转办即将到期"
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == deliveries == 1


def test_default_channel_is_console_and_one_delivery_per_notification(personas: Personas) -> None:
    n = notify(title="t", body="b", dedupe_key="k1", unit=personas.township)
    [d] = Delivery.objects.filter(notification=n)
    assert (d.channel, d.recipient, d.status) == (
        "console",
        f"unit:{personas.township.pk}",
        DeliveryStatus.PENDING,
    )
    assert len(d.idempotency_key) == 64


def test_channels_from_settings(personas: Personas, settings: Any) -> None:
    settings.XIEZHI_NOTIFY_CHANNELS = ["console", "email"]
    settings.XIEZHI_NOTIFY_EMAIL_DOMAIN = "example.gov.cn"
    n = notify(title="t", body="b", dedupe_key="k-settings", person=personas.township_handler)
    assert sorted(Delivery.objects.filter(notification=n).values_list("channel", "recipient")) == [
        ("console", f"person:{personas.township_handler.pk}"),
        ("email", "t_handler@example.gov.cn"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"unit": None, "person": None}, "recipient"),
        ({"both": True}, "recipient"),
        ({"title": "  "}, "title"),
        ({"dedupe_key": ""}, "dedupe_key"),
        ({"url": "https://evil.example.com/"}, "url"),
        ({"url": "//evil.example.com/x"}, "url"),
        ({"kind": "Reminder!"}, "kind"),
        ({"channels": ["pigeon"]}, "channels"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_saved(
    personas: Personas, kwargs: dict[str, Any], field: str
) -> None:
    args: dict[str, Any] = {"title": "标题", "body": "", "dedupe_key": "bad", "unit": personas.township}
    if kwargs.pop("both", False):
        args["person"] = personas.township_handler
    args.update(kwargs)
    with pytest.raises(ValidationFailed) as caught:
        notify(**args)
    assert field in caught.value.details
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_unit_sms_goes_to_every_active_person_with_a_phone(personas: Personas, gateway: Any) -> None:
    personas.township_handler.phone = "13800000001"
    personas.township_handler.save()
    personas.township_leader.phone = ""
    personas.township_leader.save()
    gone = make_person(personas.township, "离岗人员", account=False)
    Person.objects.filter(pk=gone.pk).update(active=False, phone="13800000009")
    n = notify(title="t", body="b", dedupe_key="k-sms", unit=personas.township, channels=["sms"])
    rows = {(d.person_id, d.recipient, d.status) for d in Delivery.objects.filter(notification=n)}
    assert rows == {
        (personas.township_handler.pk, "13800000001", DeliveryStatus.PENDING),
        (personas.township_leader.pk, f"person:{personas.township_leader.pk}", DeliveryStatus.SKIPPED),
    }
    skipped = Delivery.objects.get(notification=n, status=DeliveryStatus.SKIPPED)
    assert skipped.last_error == "该人员未登记联系电话"
    assert skipped.next_attempt_at is None


def test_sms_without_a_configured_gateway_is_skipped_with_the_reason(
    personas: Personas, settings: Any
) -> None:
    settings.XIEZHI_SMS_WEBHOOK_URL = ""
    n = notify(title="t", body="b", dedupe_key="k-nogw", person=personas.township_handler, channels=["sms"])
    [d] = Delivery.objects.filter(notification=n)
    assert d.status == DeliveryStatus.SKIPPED
    assert "XIEZHI_SMS_WEBHOOK_URL" in d.last_error


def test_shared_phone_in_one_unit_gets_one_message(personas: Personas, gateway: Any) -> None:
    # The personas share one phone number (13812345678).
    n = notify(title="t", body="b", dedupe_key="k-shared", unit=personas.township, channels=["sms"])
    assert Delivery.objects.filter(notification=n, status=DeliveryStatus.PENDING).count() == 1


def test_deliveries_are_sent_after_commit(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = notify(title="t", body="b", dedupe_key="k-commit", person=personas.township_handler)
        assert Delivery.objects.get(notification=n).status == DeliveryStatus.PENDING
    assert len(callbacks) == 1
    d = Delivery.objects.get(notification=n)
    assert (d.status, d.attempts, d.attempt_log.count()) == (DeliveryStatus.SENT, 1, 1)


def test_inline_dispatch_can_be_turned_off(
    personas: Personas, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.XIEZHI_NOTIFY_INLINE = False
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        n = notify(title="t", body="b", dedupe_key="k-deferred", person=personas.township_handler)
    assert callbacks == []
    assert Delivery.objects.get(notification=n).status == DeliveryStatus.PENDING


def test_a_duplicate_call_queues_no_second_send(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(title="t", body="b", dedupe_key="k-twice", person=personas.township_handler)
        notify(title="t", body="b", dedupe_key="k-twice", person=personas.township_handler)
    assert len(callbacks) == 1


def test_losing_the_insert_race_returns_the_winner_and_leaves_the_transaction_usable(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    winner = notify(title="先到", body="", dedupe_key="race", unit=personas.township)
    # As if the other writer committed between our existence check and our insert.
    monkeypatch.setattr("xiezhi.notifications.services._existing", lambda key: None)
    loser = notify(title="后到", body="", dedupe_key="race", unit=personas.township)
    assert loser.pk == winner.pk
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1
    Notification.objects.filter(pk=winner.pk).update(
        title="仍可写入"
    )  # the savepoint kept the outer transaction alive


def test_an_overlong_body_is_cut_visibly_not_refused(personas: Personas) -> None:
    n = notify(title="t", body="很长的清单\n" * 1000, dedupe_key="long", unit=personas.township, channels=[])
    assert len(n.body) == 4000
    assert n.body.endswith("……（内容过长，已截断）")
