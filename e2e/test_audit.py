"""The audit administrator filters the audit trail and exports it (issue 3 §10)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from e2e.conftest import sign_in
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, make_personas


@pytest.fixture
def people(transactional_db: None) -> Any:
    return make_personas()


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def test_the_audit_administrator_filters_and_exports(
    page: Any, live_server: Any, people: Any, tmp_path: Path
) -> None:
    sign_in(page, live_server.url, "t_handler", "Wrong-pass-1")  # a failure for the trail
    device = TOTPDevice.objects.create(user=people.auditadmin, name="审计管理员", confirmed=True)

    sign_in(page, live_server.url, "auditadmin", PASSWORD)
    page.wait_for_url("**/accounts/otp/**")
    page.fill("#id_code", current_code(device))
    page.click("[data-testid=otp-submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/")
    page.click("nav >> text=审计日志")
    page.wait_for_url(f"{live_server.url}/audit/")

    page.fill("input[name=action]", "account.login")
    page.select_option("select[name=success]", "false")
    page.click("[data-testid=audit-filters] >> button[type=submit]")
    page.wait_for_url("**/audit/?*")
    table = page.inner_text("[data-testid=audit-table]")
    assert "t_handler" in table and "用户名或密码错误" in table
    assert "auditadmin" not in table and "失败" in table  # its own successful sign-in is filtered out

    with page.expect_download() as info:
        page.click("[data-testid=audit-export]")
    path = tmp_path / "audit.csv"
    info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,时间（北京时间）,操作人")
    assert "t_handler" in text and "account.otp_verified" not in text
    export = AuditEvent.objects.filter(action="audit.export").get()
    assert export.actor_user_id == people.auditadmin.pk
    assert "操作以“account.login”开头" in export.reason and "结果=失败" in export.reason


def test_a_business_user_is_refused_the_audit_pages(page: Any, live_server: Any, people: Any) -> None:
    sign_in(page, live_server.url, "t_handler", PASSWORD)
    page.wait_for_load_state()
    assert "审计日志" not in page.inner_text("body")
    response = page.goto(f"{live_server.url}/audit/")
    assert response is not None and response.status == 403
    assert "审计日志仅限审计管理员查看" in page.content()
    before = AuditEvent.objects.count()
    response = page.goto(f"{live_server.url}/audit/export.csv")
    assert response is not None and response.status == 403
    assert AuditEvent.objects.count() == before
