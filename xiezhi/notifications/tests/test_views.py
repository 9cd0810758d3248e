"""The inbox page and the delivery log page."""

from __future__ import annotations

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.notifications.dispatch import deliver_one
from xiezhi.notifications.models import Delivery, DeliveryStatus, Notification, NotificationRead
from xiezhi.notifications.services import notify
from xiezhi.notifications.tests.helpers import Gateway, admin_client, client_for
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(personas: Personas) -> Notification:
    return notify(
        title="转办即将到期",
        body="请于今日办理",
        dedupe_key="page-1",
        unit=personas.township,
        url="/transfers/3/",
        kind="reminder",
        channels=[],
    )


def test_inbox_lists_unit_notifications_with_nav_and_badge(personas: Personas, note: Notification) -> None:
    page = client_for(personas.township_leader.account).get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "转办即将到期" in html and "到期提醒" in html and "本单位（城关镇）" in html
    assert 'data-testid="unread-count">1<' in html
    assert ">通知</a>" in html


def test_mark_read_plain_post_and_htmx(personas: Personas, note: Notification) -> None:
    client = client_for(personas.township_leader.account)
    plain = client.post(f"/notifications/{note.pk}/read")
    assert plain.status_code == 302 and plain.headers["Location"] == "/notifications/"
    other = client_for(personas.township_handler.account)
    row = other.post(f"/notifications/{note.pk}/read", HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert row.content.decode().lstrip().startswith(f'<tr id="notification-{note.pk}"')
    assert "已读" in row.content.decode()
    assert NotificationRead.objects.filter(notification=note).count() == 2


def test_open_marks_read_and_goes_to_the_object(personas: Personas, note: Notification) -> None:
    client = client_for(personas.township_leader.account)
    response = client.post(f"/notifications/{note.pk}/open")
    assert (response.status_code, response.headers["Location"]) == (302, "/transfers/3/")
    assert NotificationRead.objects.filter(notification=note, person=personas.township_leader).exists()


def test_read_all_and_get_is_refused(personas: Personas, note: Notification) -> None:
    client = client_for(personas.township_leader.account)
    assert client.get("/notifications/read-all").status_code == 405
    response = client.post("/notifications/read-all", follow=True)
    assert "已将 1 条通知标为已读" in response.content.decode()


def test_other_units_get_a_404_page(personas: Personas, note: Notification) -> None:
    client = client_for(personas.other_township_handler.account)
    response = client.post(f"/notifications/{note.pk}/read")
    assert response.status_code == 404
    assert "通知不存在或您无权查看" in response.content.decode()
    assert "转办即将到期" not in client.get("/notifications/").content.decode()


def test_administrator_has_no_inbox_but_sysadmin_has_the_delivery_log(
    personas: Personas, note: Notification
) -> None:
    assert admin_client(personas.secadmin).get("/notifications/").status_code == 403
    assert admin_client(personas.secadmin).get("/notifications/deliveries/").status_code == 403
    assert client_for(personas.township_leader.account).get("/notifications/deliveries/").status_code == 403
    page = admin_client(personas.sysadmin).get("/notifications/deliveries/")
    assert page.status_code == 200
    assert "通知投递日志" in page.content.decode()


def test_delivery_log_page_filters_masks_and_requeues(personas: Personas, gateway: Gateway) -> None:
    gateway.answer_with(400)
    n = notify(title="t", body="", dedupe_key="page-sms", person=personas.township_handler, channels=["sms"])
    delivery = Delivery.objects.get(notification=n)
    assert deliver_one(delivery.pk) == DeliveryStatus.DEAD
    client = admin_client(personas.sysadmin)
    html = client.get("/notifications/deliveries/?status=dead").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    assert "HTTP 400" in html and "重新投递" in html
    assert "page-sms" not in client.get("/notifications/deliveries/?status=sent").content.decode()

    missing_reason = client.post(f"/notifications/deliveries/{delivery.pk}/requeue", {"reason": ""})
    assert missing_reason.status_code == 422
    response = client.post(f"/notifications/deliveries/{delivery.pk}/requeue", {"reason": "网关已修复"})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    event = AuditEvent.objects.get(action="notification.delivery_requeued")
    assert event.reason == "网关已修复" and event.before == {"status": "dead", "attempts": 1}
    again = client.post(f"/notifications/deliveries/{delivery.pk}/requeue", {"reason": "再来"})
    assert again.status_code == 409
    assert deliver_one(delivery.pk) == DeliveryStatus.SENT
