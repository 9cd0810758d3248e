"""The system administrator manages a 12345 hotline client in the browser: create (secret shown once),
rotate the secret (the old one stops signing), deactivate after confirming."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client

from e2e.conftest import sign_in
from xiezhi.accounts.testing import enrol_device, totp_code
from xiezhi.intake.models import HotlineClient
from xiezhi.intake.signing import sign
from xiezhi.testing.factories import PASSWORD, make_personas


@pytest.fixture
def people(transactional_db: None) -> Any:
    return make_personas()


def signed_status(key_id: str, secret: str, township: str) -> int:
    body = json.dumps(
        {
            "order_no": f"GD-{secrets.token_hex(4)}",
            "text": "菜市场门口占道经营",
            "township": township,
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
        "Idempotency-Key": nonce,
    }
    return (
        Client()
        .post("/api/v1/intake/work-orders", body, content_type="application/json", headers=headers)
        .status_code
    )


def test_sysadmin_creates_rotates_and_deactivates_a_hotline_client(
    page: Any, live_server: Any, people: Any
) -> None:
    device = enrol_device(people.sysadmin)
    sign_in(page, live_server.url, "sysadmin", PASSWORD)
    page.wait_for_url("**/accounts/otp/**")
    page.fill("#id_code", totp_code(device))
    page.click("[data-testid=otp-submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=12345客户端")
    page.wait_for_url(f"{live_server.url}/intake/clients/")

    page.click("[data-testid=new-client]")
    page.fill("#id_name", "市12345热线")
    page.fill("#id_key_id", "hz-browser")
    page.select_option("#id_county", str(people.county.pk))
    page.fill("#id_callback_url", "https://hotline.example/status")
    page.click("[data-testid=create-client]")
    first = page.inner_text("[data-testid=client-secret]").strip()
    assert first == HotlineClient.objects.get(key_id="hz-browser").secret
    assert signed_status("hz-browser", first, people.township.code) == 201

    page.click("[data-testid=secret-saved]")
    assert page.input_value("#id_callback_url") == "https://hotline.example/status"
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    page.click("[data-testid=rotate-secret]")
    second = page.inner_text("[data-testid=client-secret]").strip()
    assert second and second != first
    assert signed_status("hz-browser", first, people.township.code) == 401
    assert signed_status("hz-browser", second, people.township.code) == 201

    page.click("[data-testid=secret-saved]")
    page.fill("#id_reason", "热线系统迁移")
    page.click("[data-testid=deactivate-client]")
    page.wait_for_load_state()
    assert "已停用" in page.inner_text("[data-testid=client-status]")
    assert not HotlineClient.objects.get(key_id="hz-browser").active
    assert signed_status("hz-browser", second, people.township.code) == 401
