"""Managing the 12345 hotline clients: only the system administrator; secrets shown once, rotated
secrets stop signing at once; bad input refused in Chinese with nothing written; every change audited."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from xiezhi.accounts.testing import sign_in
from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.intake import clients
from xiezhi.intake.models import CallbackDelivery, HotlineClient
from xiezhi.intake.signing import sign
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db
API = "/api/v1/intake/hotline-clients"


def signed_order(key_id: str, secret: str, personas: Personas, order_no: str = "GD1") -> Any:
    body = json.dumps(
        {
            "order_no": order_no,
            "text": "菜市场门口占道经营，堵塞交通",
            "township": personas.township.code,
            "reporter_name": "何先生",
            "reporter_phone": "13712345678",
        }
    ).encode()
    stamp, nonce = str(int(time.time())), secrets.token_hex(8)
    headers = {
        "X-Client-Id": key_id,
        "X-Timestamp": stamp,
        "X-Nonce": nonce,
        "X-Signature": sign(secret, stamp, nonce, body),
        "Idempotency-Key": f"k-{nonce}",
    }
    return Client().post("/api/v1/intake/work-orders", body, content_type="application/json", headers=headers)


def logged_in(user: Any) -> Client:
    return sign_in(Client(), user)  # administrators pass the second factor too


def new_client(personas: Personas, **extra: Any) -> tuple[HotlineClient, str]:
    data: dict[str, Any] = {"name": "市12345热线", "key_id": "hz-12345", "county_id": personas.county.pk}
    data.update(extra)
    return clients.create(personas.actor("sysadmin"), **data)


def test_create_shows_the_secret_once_and_it_signs_work_orders(personas: Personas) -> None:
    client, secret = new_client(personas, callback_url="https://hotline.example/cb")
    assert len(secret) >= 40 and client.active
    assert signed_order(client.key_id, secret, personas).status_code == 201
    event = AuditEvent.objects.get(action="hotline_client.create")
    assert event.after is not None
    assert secret not in json.dumps(event.after, ensure_ascii=False) and secret not in event.reason
    assert event.after["key_id"] == "hz-12345"


def test_rotating_invalidates_the_old_secret(personas: Personas) -> None:
    client, old = new_client(personas)
    _, new = clients.rotate_secret(personas.actor("sysadmin"), client.pk)
    assert new != old
    refused = signed_order(client.key_id, old, personas, "GD2")
    assert refused.status_code == 401 and refused.json()["code"] == "bad_signature"
    assert signed_order(client.key_id, new, personas, "GD3").status_code == 201
    assert AuditEvent.objects.filter(action="hotline_client.rotate_secret", target_id=str(client.pk)).exists()


def test_deactivated_client_is_refused_and_cannot_be_rotated(personas: Personas) -> None:
    client, secret = new_client(personas)
    admin = personas.actor("sysadmin")
    clients.deactivate(admin, client.pk, "热线系统迁移")
    assert signed_order(client.key_id, secret, personas).status_code == 401
    with pytest.raises(Conflict):
        clients.deactivate(admin, client.pk)
    with pytest.raises(Conflict, match="已停用"):
        clients.rotate_secret(admin, client.pk)
    client.refresh_from_db()
    assert client.secret == secret  # the refused rotation wrote nothing
    event = AuditEvent.objects.get(action="hotline_client.deactivate")
    assert event.before is not None and event.after is not None
    assert (
        event.before["active"] is True and event.after["active"] is False and event.reason == "热线系统迁移"
    )


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"name": ""}, "name", "请填写客户端名称"),
        ({"key_id": "有中文"}, "key_id", "客户端编号应为"),
        ({"key_id": "ab"}, "key_id", "客户端编号应为"),
        ({"county_id": None}, "county", "请选择所属县"),
        ({"callback_url": "ftp://x.example/cb"}, "callback_url", "回调地址格式不正确"),
        ({"callback_url": "https://" + "a" * 200 + ".cn"}, "callback_url", "不能超过200个字符"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(
    personas: Personas, extra: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        new_client(personas, **extra)
    assert any(message in m for m in info.value.details[field])
    assert (
        not HotlineClient.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="hotline").exists()
    )


def test_duplicate_key_and_foreign_receiving_unit_are_refused(personas: Personas) -> None:
    new_client(personas)
    with pytest.raises(ValidationFailed) as dup:
        new_client(personas, name="另一个")
    assert dup.value.details["key_id"] == ["该客户端编号已被使用"]
    outsider_unit = personas.outsider.unit
    with pytest.raises(ValidationFailed) as foreign:
        new_client(personas, key_id="hz-2", receiving_unit_id=outsider_unit.pk)
    assert "接收单位" in foreign.value.details["receiving_unit"][0]
    assert HotlineClient.objects.count() == 1


def test_callback_url_change_is_validated_and_audited(personas: Personas) -> None:
    client, _ = new_client(personas)
    admin = personas.actor("sysadmin")
    with pytest.raises(ValidationFailed):
        clients.set_callback_url(admin, client.pk, "不是网址")
    client.refresh_from_db()
    assert client.callback_url == ""
    clients.set_callback_url(admin, client.pk, "https://hotline.example/status")
    event = AuditEvent.objects.get(action="hotline_client.callback_url")
    assert event.before is not None and event.after is not None
    assert (
        event.before["callback_url"] == "" and event.after["callback_url"] == "https://hotline.example/status"
    )


@pytest.mark.parametrize(
    "who", ["secadmin", "auditadmin", "dispatcher", "township_handler", "department_leader"]
)
def test_only_the_system_administrator_manages_clients(personas: Personas, who: str) -> None:
    client, secret = new_client(personas)
    actor = personas.actor(who)
    for call in (
        lambda: clients.search(actor, clients.ClientFilters()),
        lambda: clients.get(actor, client.pk),
        lambda: clients.rotate_secret(actor, client.pk),
        lambda: clients.deactivate(actor, client.pk),
        lambda: clients.set_callback_url(actor, client.pk, "https://evil.example/"),
        lambda: clients.create(actor, name="x", key_id="xyz", county_id=personas.county.pk),
    ):
        with pytest.raises(PermissionDenied, match="只有系统管理员"):
            call()
    client.refresh_from_db()
    assert client.secret == secret and client.active and client.callback_url == ""
    user = getattr(personas, who)
    web = logged_in(user if who.endswith("admin") else user.account)
    assert web.get("/intake/clients/").status_code == 403
    assert web.post(f"/intake/clients/{client.pk}/rotate/").status_code == 403
    assert web.get(API).status_code == 403
    assert web.post(f"{API}/{client.pk}/deactivate", {}, content_type="application/json").status_code == 403
    client.refresh_from_db()
    assert client.active and client.secret == secret


def test_pages_create_rotate_deactivate_and_show_the_log(personas: Personas) -> None:
    web = logged_in(personas.sysadmin)
    assert web.get("/intake/clients/new/").status_code == 200
    bad = web.post("/intake/clients/new/", {"name": "", "key_id": "x", "county": personas.county.pk})
    assert bad.status_code == 422 and "请填写客户端名称" in bad.content.decode()
    created = web.post(
        "/intake/clients/new/", {"name": "市热线", "key_id": "hz-web", "county": personas.county.pk}
    )
    assert created.status_code == 201 and created["Cache-Control"].startswith("no-store")
    client = HotlineClient.objects.get(key_id="hz-web")
    assert client.secret in created.content.decode()
    detail = web.get(f"/intake/clients/{client.pk}/")
    assert detail.status_code == 200 and client.secret not in detail.content.decode()
    rotated = web.post(f"/intake/clients/{client.pk}/rotate/")
    old = client.secret
    client.refresh_from_db()
    assert rotated.status_code == 200 and client.secret != old and client.secret in rotated.content.decode()
    bad_url = web.post(f"/intake/clients/{client.pk}/callback-url/", {"callback_url": "javascript:alert(1)"})
    assert bad_url.status_code == 422 and "回调地址格式不正确" in bad_url.content.decode()
    assert (
        web.post(
            f"/intake/clients/{client.pk}/callback-url/", {"callback_url": "https://h.example/cb"}
        ).status_code
        == 302
    )
    report = signed_order(client.key_id, client.secret, personas)
    assert report.status_code == 201
    from xiezhi.intake.models import Report

    CallbackDelivery.objects.create(
        client=client, report=Report.objects.get(pk=report.json()["id"]), event="accepted", payload={}
    )
    log = web.get(f"/intake/clients/{client.pk}/")
    assert "GD1" in log.content.decode() and "accepted" in log.content.decode()
    assert web.post(f"/intake/clients/{client.pk}/deactivate/", {"reason": "停用"}).status_code == 302
    client.refresh_from_db()
    assert not client.active
    listing = web.get("/intake/clients/?status=inactive")
    assert "hz-web" in listing.content.decode()
    export = web.get("/intake/clients/export.csv")
    assert export.status_code == 200 and "hz-web" in export.content.decode("utf-8-sig")
    assert client.secret not in export.content.decode("utf-8-sig")
    assert web.get("/intake/clients/99999/").status_code == 404


def test_api_create_rotate_deactivate_and_callbacks(personas: Personas) -> None:
    api = logged_in(personas.sysadmin)
    bad = api.post(
        API, {"name": "x", "key_id": "?", "county": personas.county.pk}, content_type="application/json"
    )
    assert bad.status_code == 422 and "客户端编号应为" in json.dumps(bad.json(), ensure_ascii=False)
    made = api.post(
        API,
        {"name": "市热线", "key_id": "hz-api", "county": personas.county.pk},
        content_type="application/json",
    )
    assert made.status_code == 201 and made["Cache-Control"].startswith("no-store")
    body = made.json()
    secret, pk = body["secret"], body["id"]
    assert (
        api.get(f"{API}/{pk}").json()["key_id"] == "hz-api" and "secret" not in api.get(f"{API}/{pk}").json()
    )
    assert api.get(API).json()["total"] == 1
    rotated = api.post(f"{API}/{pk}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret
    assert signed_order("hz-api", secret, personas).status_code == 401
    assert signed_order("hz-api", rotated.json()["secret"], personas).status_code == 201
    changed = api.post(
        f"{API}/{pk}/callback-url", {"callback_url": "https://h.example/cb"}, content_type="application/json"
    )
    assert changed.json()["callback_url"] == "https://h.example/cb"
    assert api.get(f"{API}/{pk}/callbacks").json()["total"] == 0
    off = api.post(f"{API}/{pk}/deactivate", {"reason": "迁移"}, content_type="application/json")
    assert off.status_code == 200 and off.json()["active"] is False
    again = api.post(f"{API}/{pk}/deactivate", {}, content_type="application/json")
    assert again.status_code == 409
    assert api.get(f"{API}/424242").status_code == 404
