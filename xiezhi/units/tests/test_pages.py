"""Pages: they render in Chinese for the right people, forms show Chinese field errors, destructive
actions ask for confirmation, exports (CSV, xlsx) work and are audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import Personas, make_certificate, make_person
from xiezhi.units.models import Unit
from xiezhi.units.tests.helpers import certificate, session_client, snapshot

BAD_CHECK = "91330183MA2B3C4D1J"


def test_navigation_entries_by_role(personas: Personas) -> None:
    business = session_client(personas.township_handler.account).get("/units/").content.decode()
    for label in ("单位管理", "人员管理", "执法证管理", "联络员"):
        assert label in business
    secadmin = session_client(personas.secadmin).get("/units/people/").content.decode()
    assert "人员管理" in secadmin and "执法证管理" not in secadmin
    auditor = session_client(personas.auditadmin).get("/").content.decode()
    assert "单位管理" not in auditor and "人员管理" not in auditor


def test_unit_pages_render_for_a_business_user_without_write_buttons(personas: Personas) -> None:
    client = session_client(personas.township_handler.account)
    listing = client.get("/units/", {"q": "城关"}).content.decode()
    assert "城关镇" in listing and "河西镇" not in listing
    assert "新建单位" not in listing
    assert "缺联络员" in listing  # R-CO-06 shown in the list
    detail = client.get(f"/units/{personas.township.pk}/").content.decode()
    assert "尚未明确联络员" in detail and f"/units/{personas.township.pk}/edit/" not in detail


def test_sysadmin_unit_form_shows_chinese_field_errors_and_keeps_nothing(personas: Personas) -> None:
    client = session_client(personas.sysadmin)
    assert "新建单位" in client.get("/units/new/").content.decode()
    before = snapshot()
    response = client.post("/units/new/", {"code": "T01", "name": "示例县水利局", "kind": "department",
                                           "county_id": personas.county.pk, "credit_code": BAD_CHECK})  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert "单位编码“T01”已被其他单位使用" in page
    assert "校验码错误" in page
    assert 'value="示例县水利局"' in page  # what was typed is kept
    assert snapshot() == before


@pytest.mark.rule("R-CAT-07")
def test_credit_code_override_through_the_form(personas: Personas) -> None:
    client = session_client(personas.sysadmin)
    response = client.post("/units/new/", {"code": "D55", "name": "示例县水利局", "kind": "department",
                                           "county_id": personas.county.pk, "credit_code": BAD_CHECK,
                                           "credit_code_override_reason": "原件如此，已核实"})  # fmt: skip
    assert response.status_code == 302
    unit = Unit.objects.get(code="D55")
    assert unit.credit_code_override_reason == "原件如此，已核实"
    assert AuditEvent.objects.filter(action="unit.credit_code_override", target_id=str(unit.pk)).exists()
    assert "校验未通过" in client.get(f"/units/{unit.pk}/").content.decode()


def test_destructive_actions_ask_for_confirmation(personas: Personas) -> None:
    empty = Unit.objects.create(county=personas.county, code="E9", name="待撤并局", kind="department")
    sysadmin = session_client(personas.sysadmin)
    assert 'data-confirm="确定停用待撤并局吗' in sysadmin.get(f"/units/{empty.pk}/").content.decode()
    assert "data-confirm" in sysadmin.get(f"/units/people/{personas.township_handler.pk}/").content.decode()
    cert = make_certificate(personas.township_handler)
    form = sysadmin.get(f"/units/certificates/{cert.pk}/edit/").content.decode()
    assert 'data-confirm="确定注销执法证' in form and 'data-confirm="确定暂扣执法证' in form
    secadmin = (
        session_client(personas.secadmin)
        .get(f"/units/people/{personas.township_handler.pk}/")
        .content.decode()
    )
    assert 'data-confirm="确定撤销张承办的承办人角色吗？"' in secadmin


@pytest.mark.rule("R-CASE-01")
def test_people_pages_label_assistants_and_mask_phones(personas: Personas) -> None:
    make_certificate(personas.township_leader)
    make_person(personas.township, "协管员丙", account=False)
    client = session_client(personas.dispatcher.account)
    page = client.get("/units/people/", {"unit": personas.township.pk}).content.decode()
    assert page.count("协管/辅助人员</span>") == 2  # 张承办 (no certificate) and 协管员丙
    assert page.count("执法人员</span>") == 1
    assert "138****5678" in page and "13812345678" not in page
    unit_page = client.get(f"/units/{personas.township.pk}/").content.decode()
    assert unit_page.count("协管/辅助人员") == 2


def test_revealing_a_phone_on_the_page_is_audited(personas: Personas) -> None:
    client = session_client(personas.township_leader.account)
    detail = client.get(f"/units/people/{personas.department_liaison.pk}/").content.decode()
    assert "13812345678" not in detail
    revealed = client.post(f"/units/people/{personas.department_liaison.pk}/phone/").content.decode()
    assert "13812345678" in revealed
    assert AuditEvent.objects.filter(action="person.view_unmasked").count() == 1


def test_certificate_page_flags_expiring_and_expired(personas: Personas) -> None:
    today = timezone.localdate()
    certificate(personas.township_handler, today - timedelta(days=300), today + timedelta(days=5))
    certificate(personas.township_leader, today - timedelta(days=300), today - timedelta(days=5))
    page = session_client(personas.dispatcher.account).get("/units/certificates/").content.decode()
    assert "即将到期" in page and "已过期" in page
    assert "1 本执法证将在30日内到期" in page
    assert f"{today.year}年" in page  # Chinese dates


def test_subjects_and_liaison_pages(personas: Personas) -> None:
    Unit.objects.filter(pk=personas.other_township.pk).update(
        subject_review_date=timezone.localdate() - timedelta(days=500)
    )
    client = session_client(personas.justice_office_supervisor.account)
    subjects = client.get("/units/subjects/").content.decode()
    assert "待复核" in subjects and "河西镇" in subjects
    gaps = client.get("/units/liaisons/").content.decode()
    assert "城关镇" in gaps and "赵联络" in gaps and "138****5678" in gaps


@pytest.mark.parametrize("path", ["/units/", "/units/people/", "/units/certificates/"])
def test_csv_export_is_audited(personas: Personas, path: str) -> None:
    make_certificate(personas.township_handler)
    client = session_client(personas.township_leader.account)
    response = client.get(path, {"export": "csv", "q": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) >= 2
    assert "13812345678" not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(action__endswith=".export")
    assert (event.after or {})["rows"] == len(rows) - 1
    assert (event.after or {})["format"] == "csv"


def test_xlsx_export_of_people(personas: Personas) -> None:
    client = session_client(personas.township_leader.account)
    response = client.get("/units/people/", {"export": "xlsx", "unit": str(personas.township.pk)})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名"
    assert {r[0] for r in rows[1:]} == {"张承办", "李镇长"}
    assert {r[5] for r in rows[1:]} == {"协管/辅助人员"}
    assert AuditEvent.objects.get(action="people.export").after == {
        "format": "xlsx", "rows": 2, "filters": {"unit": str(personas.township.pk)},
    }  # fmt: skip


def test_export_in_an_unknown_format_is_refused_and_not_audited(personas: Personas) -> None:
    response = session_client(personas.township_leader.account).get("/units/", {"export": "pdf"})
    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action__endswith=".export").exists()


def test_outsider_gets_404_pages_for_this_county(personas: Personas) -> None:
    client = session_client(personas.outsider.account)
    assert client.get(f"/units/{personas.township.pk}/").status_code == 404
    assert client.get(f"/units/people/{personas.township_handler.pk}/").status_code == 404
    assert "城关镇</a>" not in client.get("/units/").content.decode().replace("邻县城关镇</a>", "")
