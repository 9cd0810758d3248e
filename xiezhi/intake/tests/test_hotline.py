"""The 12345 interface (§3): signatures, the 5-minute window, replays, idempotency (R-IN-05)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from xiezhi.intake.hotline import sign
from xiezhi.intake.models import HotlineClient, Report
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/work-orders"
SECRET = "s3cret-for-tests"


@pytest.fixture
def hotline(personas: Personas) -> HotlineClient:
    return HotlineClient.objects.create(
        county=personas.county, key_id="hz12345", name="12345热线", secret=SECRET
    )


def order(personas: Personas, **extra: Any) -> dict[str, Any]:
    data = {
        "order_no": "GD2025100800123",
        "text": "菜市场门口占道经营，堵塞交通",
        "township": personas.township.code,
        "reporter_name": "何先生",
        "reporter_phone": "13712345678",
    }
    data.update(extra)
    return data


def post(
    body: bytes,
    *,
    key: str = "k-1",
    ts: int | None = None,
    nonce: str | None = None,
    secret: str = SECRET,
    client_id: str = "hz12345",
) -> Any:
    stamp = str(int(time.time()) if ts is None else ts)
    nonce = nonce or secrets.token_hex(8)
    headers = {
        "X-Client-Id": client_id,
        "X-Timestamp": stamp,
        "X-Nonce": nonce,
        "X-Signature": sign(secret, stamp, nonce, body),
        "Idempotency-Key": key,
    }
    return Client().post(URL, body, content_type="application/json", headers=headers)


@pytest.mark.rule("R-IN-05")
def test_signed_order_enters_the_same_flow(personas: Personas, hotline: HotlineClient) -> None:
    resp = post(json.dumps(order(personas)).encode())
    assert resp.status_code == 201, resp.content
    report = Report.objects.get(pk=resp.json()["id"])
    assert report.channel == "hotline_12345" and report.external_id == "GD2025100800123"
    assert report.first_unit == personas.township and report.status == "received"
    assert report.events.filter(kind="registered").exists()


def test_unsigned_bad_and_stale_refused(personas: Personas, hotline: HotlineClient) -> None:
    body = json.dumps(order(personas)).encode()
    unsigned = Client().post(URL, body, content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "unsigned"
    assert post(body, secret="wrong").json()["code"] == "bad_signature"
    stale = post(body, ts=int(time.time()) - 301)
    assert stale.status_code == 401 and stale.json()["code"] == "stale" and "5分钟" in stale.json()["message"]
    assert post(body, client_id="nobody").status_code == 401
    assert not Report.objects.exists()


def test_replay_refused(personas: Personas, hotline: HotlineClient) -> None:
    body = json.dumps(order(personas)).encode()
    assert post(body, nonce="n-1").status_code == 201
    again = post(body, nonce="n-1", key="k-2")
    assert again.status_code == 401 and again.json()["code"] == "replay"
    assert Report.objects.count() == 1


def test_idempotency(personas: Personas, hotline: HotlineClient) -> None:
    body = json.dumps(order(personas)).encode()
    first = post(body)
    second = post(body)
    assert second.status_code == 201 and second.json() == first.json()
    assert Report.objects.count() == 1
    other = post(json.dumps(order(personas, text="别的内容")).encode())
    assert other.status_code == 409 and other.json()["code"] == "idempotency_conflict"
    missing = post(body, key="")
    assert missing.status_code == 400


def test_bad_order_gets_envelope_and_saves_nothing(personas: Personas, hotline: HotlineClient) -> None:
    resp = post(json.dumps(order(personas, reporter_phone="99")).encode())
    assert resp.status_code == 422 and "reporter_phone" in resp.json()["details"]
    resp = post(json.dumps(order(personas, township="邻县城关镇")).encode(), key="k-3")
    assert resp.status_code == 422 and "township" in resp.json()["details"]
    resp = post(json.dumps(order(personas, extra=1)).encode(), key="k-4")
    assert resp.status_code == 422
    assert post(b"not json", key="k-5").status_code == 400
    assert not Report.objects.exists()
