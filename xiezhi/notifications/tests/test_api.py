"""/api/v1/notifications/: the authorisation matrix over every endpoint, pagination and the envelope."""

from __future__ import annotations

import pytest
from django.test import Client

from xiezhi.notifications.models import Notification, NotificationRead
from xiezhi.notifications.services import notify
from xiezhi.notifications.tests.helpers import Gateway, admin_client, client_for
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db

BUSINESS = [
    "township_handler",
    "township_leader",
    "other_township_handler",
    "department_liaison",
    "department_leader",
    "justice_office_supervisor",
    "dispatcher",
    "outsider",
]
ADMINS = ["sysadmin", "secadmin", "auditadmin"]
TOWNSHIP = {"township_handler", "township_leader"}


def _client(p: Personas, who: str | None) -> Client:
    if who is None:
        return Client()
    if who in ADMINS:
        return admin_client(getattr(p, who))
    return client_for(getattr(p, who).account)


@pytest.fixture
def note(personas: Personas) -> Notification:
    return notify(
        title="本镇待办",
        body="请处理",
        dedupe_key="api-unit",
        unit=personas.township,
        url="/x/1/",
        kind="reminder",
        channels=["console"],
    )


def _expected(who: str | None, business: int, admin: int) -> int:
    if who is None:
        return 401
    return admin if who in ADMINS else business


@pytest.mark.parametrize("who", [None, *BUSINESS, *ADMINS])
def test_matrix_list_count_read_all(personas: Personas, note: Notification, who: str | None) -> None:
    client = _client(personas, who)
    for method, path in [
        ("get", "/api/v1/notifications/"),
        ("get", "/api/v1/notifications/unread-count"),
        ("post", "/api/v1/notifications/read-all"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == _expected(who, 200, 403), (method, path, who)
        if response.status_code != 200:
            assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize("who", [None, *BUSINESS, *ADMINS])
def test_matrix_mark_read(personas: Personas, note: Notification, who: str | None) -> None:
    response = _client(personas, who).post(f"/api/v1/notifications/{note.pk}/read")
    expected = _expected(who, 200 if who in TOWNSHIP else 404, 403)
    assert response.status_code == expected
    assert NotificationRead.objects.filter(notification=note).count() == (1 if expected == 200 else 0)
    if expected == 404:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", [None, *BUSINESS, *ADMINS])
def test_matrix_delivery_log(personas: Personas, note: Notification, who: str | None) -> None:
    response = _client(personas, who).get("/api/v1/notifications/deliveries")
    assert response.status_code == _expected(who, 403, 200 if who == "sysadmin" else 403)


def test_list_shape_unread_filter_and_count(personas: Personas, note: Notification) -> None:
    for i in range(3):
        notify(
            title=f"个人{i}", body="", dedupe_key=f"api-p{i}", person=personas.township_handler, channels=[]
        )
    client = client_for(personas.township_handler.account)
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 4}
    first = client.get("/api/v1/notifications/?page_size=3").json()
    assert (first["total"], first["pages"], len(first["items"])) == (4, 2, 3)
    item = client.post(f"/api/v1/notifications/{note.pk}/read").json()
    assert item["read"] is True and item["read_at"]
    assert (item["scope"], item["unit_name"], item["kind_label"], item["url"]) == (
        "unit",
        "城关镇",
        "到期提醒",
        "/x/1/",
    )
    unread = client.get("/api/v1/notifications/?unread=1").json()
    assert unread["total"] == 3 and all(not i["read"] for i in unread["items"])
    everything = client.get("/api/v1/notifications/").json()
    assert [i["read"] for i in everything["items"]] == [False, False, False, True]
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 3}
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}
    # The colleague's copy of the unit notification is still unread.
    other = client_for(personas.township_leader.account)
    assert other.get("/api/v1/notifications/unread-count").json() == {"unread": 1}


def test_bad_page_size_is_422(personas: Personas) -> None:
    client = client_for(personas.township_handler.account)
    response = client.get("/api/v1/notifications/?page_size=1000")
    assert response.status_code == 422
    assert "page_size" in response.json()["details"]


def test_delivery_log_filters_masks_and_lists_attempts(
    personas: Personas, note: Notification, gateway: Gateway
) -> None:
    from xiezhi.notifications.dispatch import deliver_due

    deliver_due()
    notify(title="t", body="", dedupe_key="api-sms", person=personas.township_handler, channels=["sms"])
    client = admin_client(personas.sysadmin)
    everything = client.get("/api/v1/notifications/deliveries").json()
    assert everything["total"] == 2
    sent = client.get("/api/v1/notifications/deliveries?status=sent").json()["items"]
    assert [d["notification_id"] for d in sent] == [note.pk]
    assert [a["outcome"] for a in sent[0]["attempt_log"]] == ["sent"]
    [sms] = client.get("/api/v1/notifications/deliveries?channel=sms").json()["items"]
    assert (sms["status"], sms["recipient"]) == ("pending", "138****5678")
    assert client.get("/api/v1/notifications/deliveries?status=bogus").status_code == 422
    assert client.get("/api/v1/notifications/deliveries?since=2025-13-01").status_code == 422
    assert client.get("/api/v1/notifications/deliveries?q=api-sms").json()["total"] == 1
