"""The auditor's list, filters, detail and CSV export, on the pages and through the API."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from xiezhi.audit.chain import chain_pending
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import bearer, link_of, otp_login
from xiezhi.testing.factories import Personas

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2025, 10, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def trail(personas: Personas) -> dict[str, AuditEvent]:
    """Events by different people, units, actions, targets, outcomes and days."""
    handler, liaison = personas.actor("township_handler"), personas.actor("department_liaison")
    plan = {
        "login_ok": (at(1), handler, "account.login", personas.township, True, ""),
        "login_bad": (at(2), None, "account.login", None, False, "用户名或密码错误"),
        "unit_edit": (at(3), liaison, "units.unit.update", personas.department, True, "更正名称"),
        "export": (at(4, 23), liaison, "units.export", None, True, '=HYPERLINK("http://x")'),
        "late": (at(9), handler, "account.logout", personas.township, True, ""),
    }
    events = {}
    for key, (moment, who, action, target, success, reason) in plan.items():
        with mock.patch("xiezhi.audit.services.timezone.now", return_value=moment):
            events[key] = record(
                who,
                action,
                target,
                success=success,
                reason=reason,
                before={"name": "旧名"} if key == "unit_edit" else None,
                after={"name": "新名", "phone": "13812345678"} if key == "unit_edit" else None,
                actor_name="ghost" if who is None else None,
                ip="10.0.0.9",
            )
    chain_pending()  # what record's after-commit hook does outside a test's transaction
    return events


@pytest.fixture
def auditor(personas: Personas) -> Client:
    client = Client()
    otp_login(client, personas.auditadmin)
    return client


@pytest.fixture
def api(personas: Personas) -> dict[str, str]:
    return bearer(personas.auditadmin)


def seqs(client: Client, headers: dict[str, str], **params: str) -> list[int]:
    response = client.get("/api/v1/audit/events", params, headers=headers)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_api_filters(trail: dict[str, AuditEvent], personas: Personas, api: dict[str, str]) -> None:
    c = Client()
    s = {k: e.pk for k, e in trail.items()}
    assert seqs(c, api) == sorted(s.values(), reverse=True)
    assert seqs(c, api, since="2025-10-02", until="2025-10-03") == [s["unit_edit"], s["login_bad"]]
    assert seqs(c, api, until="2025-10-04") == [s["export"], s["unit_edit"], s["login_bad"], s["login_ok"]]
    assert seqs(c, api, since="2025-10-04T12:00", until="2025-10-09T09:00") == [s["export"]]
    assert seqs(c, api, actor="赵联") == [s["export"], s["unit_edit"]]
    assert seqs(c, api, unit=str(personas.township.pk)) == [s["late"], s["login_ok"]]
    assert seqs(c, api, action="account.") == [s["late"], s["login_bad"], s["login_ok"]]
    assert seqs(c, api, action="account.login") == [s["login_bad"], s["login_ok"]]
    assert seqs(c, api, target_type="units.unit", target_id=str(personas.department.pk)) == [s["unit_edit"]]
    assert seqs(c, api, success="false") == [s["login_bad"]]
    assert seqs(c, api, success="true", action="account.") == [s["late"], s["login_ok"]]


def test_api_pagination_is_bounded(trail: dict[str, AuditEvent], api: dict[str, str]) -> None:
    page = Client().get("/api/v1/audit/events", {"page_size": "2", "page": "2"}, headers=api).json()
    assert (page["total"], page["page"], page["page_size"], page["pages"]) == (5, 2, 2, 3)
    assert len(page["items"]) == 2
    too_big = Client().get("/api/v1/audit/events", {"page_size": "1000"}, headers=api)
    assert too_big.status_code == 422 and "page_size" in too_big.json()["details"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "昨天"}, "since"),
        ({"until": "2025-02-30"}, "until"),
        ({"unit": "城关镇"}, "unit"),
        ({"success": "maybe"}, "success"),
        ({"since": "2025-10-05", "until": "2025-10-01"}, "until"),
        ({"page": "x"}, "page"),
    ],
)
def test_bad_filters_get_chinese_field_errors(
    params: dict[str, str], field: str, personas: Personas, api: dict[str, str], auditor: Client
) -> None:
    response = Client().get("/api/v1/audit/events", params, headers=api)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed" and field in body["details"]
    page = auditor.get("/audit/", params)
    assert page.status_code == 422 and body["details"][field][0] in page.content.decode()


def test_event_detail_api_and_page(
    trail: dict[str, AuditEvent], api: dict[str, str], auditor: Client
) -> None:
    event = trail["unit_edit"]
    link = link_of(event)
    data = Client().get(f"/api/v1/audit/events/{event.pk}", headers=api).json()
    assert data["before"] == {"name": "旧名"} and data["after"]["phone"] == "138****5678"
    assert (data["id"], data["seq"], data["content_hash"]) == (event.pk, link.seq, event.content_hash)
    assert data["hash"] == link.hash and data["prev_hash"] == link.prev_hash
    missing = Client().get("/api/v1/audit/events/999999999", headers=api)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    page = auditor.get(f"/audit/{event.pk}/").content.decode()
    assert "旧名" in page and "138****5678" in page and "13812345678" not in page and link.hash in page
    assert f"第 {link.seq} 号" in page and event.content_hash in page
    assert "2025年10月3日 10:00:00" in page
    assert auditor.get("/audit/999999999/").status_code == 404


def test_list_page_filters_and_pages(trail: dict[str, AuditEvent], auditor: Client) -> None:
    page = auditor.get("/audit/", {"action": "account.", "page_size": "2"})
    html = page.content.decode()
    assert page.status_code == 200 and "共 3 条事件" in html and "第 1/2 页" in html
    assert "account.logout" in html and "units.unit.update" not in html
    assert 'href="?action=account.&amp;page_size=2&amp;page=2"' in html
    # Newest first: the sign-out (9th) and the failed sign-in (2nd), then the sign-in (1st) on page 2.
    assert "2025年10月9日" in html and "2025年10月2日" in html and "2025年10月1日" not in html
    second = auditor.get("/audit/", {"action": "account.", "page_size": "2", "page": "2"}).content.decode()
    assert "2025年10月1日" in second and "2025年10月2日" not in second and "上一页" in second


def _csv(response: object) -> tuple[bytes, list[list[str]]]:
    raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_is_excel_ready_filtered_and_audited(
    trail: dict[str, AuditEvent], auditor: Client, personas: Personas
) -> None:
    response = auditor.get("/audit/export.csv", {"actor": "赵联", "since": "2025-10-01"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw, rows = _csv(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert rows[0][:3] == ["序号", "时间（北京时间）", "操作人"]
    assert [r[0] for r in rows[1:]] == [str(trail["export"].pk), str(trail["unit_edit"].pk)]
    assert rows[1][-2:] == [str(link_of(trail["export"]).seq), link_of(trail["export"]).hash]
    assert rows[1][1] == "2025-10-04 23:00:00" and rows[1][11] == "成功"
    assert rows[1][12] == '\'=HYPERLINK("http://x")'  # never a live formula
    event = AuditEvent.objects.order_by("-id").first()
    assert (
        event is not None and event.action == "audit.export" and event.actor_user_id == personas.auditadmin.pk
    )
    assert event.reason == "导出条件：起始时间=2025-10-01；操作人含“赵联”" and event.after == {
        "rows": 2,
        "format": "csv",
    }


def test_the_export_does_not_contain_its_own_event(trail: dict[str, AuditEvent], api: dict[str, str]) -> None:
    _, rows = _csv(Client().get("/api/v1/audit/export.csv", headers=api))
    assert len(rows) == 1 + len(trail)
    assert AuditEvent.objects.filter(action="audit.export").count() == 1


def test_verification_through_the_api_and_the_page(
    trail: dict[str, AuditEvent],
    api: dict[str, str],
    auditor: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # as if the request's transaction committed
        data = Client().get("/api/v1/audit/verify", headers=api).json()
    assert data["ok"] is True and data["message"] == "审计链完整：共 5 条事件" and data["problem"] is None
    page = auditor.post("/audit/verify/").content.decode()
    # The API's verification is itself an event, chained by its after-commit hook; the page's own
    # event is not linked yet when the page verifies (its transaction has not committed).
    assert "审计链完整：共 6 条事件" in page and "另有" not in page
    assert list(AuditEvent.objects.filter(action="audit.verify").values_list("success", flat=True)) == [
        True,
        True,
    ]


def test_a_broken_chain_is_reported_by_the_api(
    trail: dict[str, AuditEvent], api: dict[str, str], bypass: object
) -> None:
    with bypass():  # type: ignore[operator]
        AuditEvent.objects.filter(pk=trail["unit_edit"].pk).update(reason="掩盖")
    data = Client().get("/api/v1/audit/verify", headers=api).json()
    assert data["ok"] is False and data["problem"]["seq"] == link_of(trail["unit_edit"]).seq
    assert data["problem"]["event_id"] == trail["unit_edit"].pk
    assert data["problem"]["label"] == "摘要不符"
    failed = AuditEvent.objects.order_by("-id").first()
    assert failed is not None and failed.action == "audit.verify" and failed.success is False


def test_time_of_day_is_shown_in_beijing_time(trail: dict[str, AuditEvent], auditor: Client) -> None:
    html = auditor.get("/audit/", {"action": "units.export"}).content.decode()
    assert "2025年10月4日 23:00:00" in html
    assert timedelta(0) == trail["export"].created_at - at(4, 23)


def test_an_event_waiting_for_the_chainer_is_shown_as_such(
    trail: dict[str, AuditEvent], api: dict[str, str], auditor: Client
) -> None:
    waiting = record(None, "test.waiting")  # inside the test's transaction: never committed, never linked
    data = Client().get(f"/api/v1/audit/events/{waiting.pk}", headers=api).json()
    assert (data["id"], data["seq"], data["prev_hash"], data["hash"]) == (waiting.pk, None, None, None)
    assert data["content_hash"] == waiting.content_hash
    page = auditor.get(f"/audit/{waiting.pk}/").content.decode()
    assert "待入链" in page and waiting.content_hash in page
    listing = auditor.get("/audit/").content.decode()
    assert "待入链" in listing and f"<td>{link_of(trail['late']).seq}</td>" in listing
