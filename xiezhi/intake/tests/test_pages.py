"""Pages, API and the public side (§5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xiezhi.audit.models import AuditEvent
from xiezhi.intake import services
from xiezhi.intake.models import Report, Status
from xiezhi.intake.tests.conftest import PNG, VALID_ID, report_data
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def client_for(p: Personas, who: str) -> Client:
    client = Client()
    client.force_login(getattr(p, who).account)
    return client


def test_intake_form_creates_and_detail_shows_timeline(personas: Personas) -> None:
    c = client_for(personas, "township_handler")
    data = report_data(personas.township)
    data["attachments"] = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    resp = c.post("/intake/new/", data)
    assert resp.status_code == 302
    report = Report.objects.get()
    page = c.get(f"/intake/{report.pk}/").content.decode()
    assert "登记（来访）" in page and "13812345678" not in page and "138****5678" in page
    assert c.post(f"/intake/{report.pk}/accept/").status_code == 302
    assert Report.objects.get().status == Status.ACCEPTED


def test_form_errors_in_chinese(personas: Personas) -> None:
    c = client_for(personas, "township_handler")
    resp = c.post("/intake/new/", report_data(personas.township, reporter_phone="123"))
    assert resp.status_code == 422 and not Report.objects.exists()
    assert "电话" in resp.content.decode()


def test_list_masks_searches_and_exports(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    services.create_report(actor, report_data(personas.township))
    services.create_report(actor, report_data(personas.township, text="河道里有人倾倒建筑垃圾"))
    c = client_for(personas, "township_handler")
    page = c.get("/intake/?q=建筑垃圾").content.decode()
    assert "河道里" in page and "烧烤摊" not in page and "陈*" in page and "陈小明" not in page
    csv = c.get("/intake/?format=csv").content.decode()
    assert "138****5678" in csv and VALID_ID not in csv and csv.count("\n") == 3
    assert AuditEvent.objects.filter(action="report.exported").exists()
    assert c.get("/intake/?status=nonsense").status_code == 422


def test_full_reporter_view_is_audited(personas: Personas) -> None:
    report = services.create_report(personas.actor("township_handler"), report_data(personas.township))
    c = client_for(personas, "township_handler")
    resp = c.post(f"/intake/{report.pk}/reporter/")
    assert VALID_ID in resp.content.decode()
    assert AuditEvent.objects.filter(action="report.reporter_viewed").count() == 1
    assert c.get(f"/intake/{report.pk}/reporter/").status_code == 405


def test_invisible_report_is_404(personas: Personas) -> None:
    report = services.create_report(personas.actor("township_handler"), report_data(personas.township))
    assert client_for(personas, "outsider").get(f"/intake/{report.pk}/").status_code == 404
    assert client_for(personas, "department_liaison").post(f"/intake/{report.pk}/accept/").status_code == 404


def test_api_flow_and_envelope(personas: Personas) -> None:
    c = client_for(personas, "department_liaison")
    data: dict[str, Any] = report_data(personas.township)
    resp = c.post("/api/v1/intake/reports", data, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["reporter_phone"] == "138****5678" and body["first_unit"] == personas.department.name
    pk = body["id"]
    resp = c.post(
        f"/api/v1/intake/reports/{pk}/hand-on",
        {"target": personas.township.pk, "note": "属乡镇"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["current_unit"] == personas.township.name
    resp = c.post(
        f"/api/v1/intake/reports/{pk}/hand-on",
        {"target": personas.township.pk, "note": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 403
    bad = c.post("/api/v1/intake/reports", {**data, "text": ""}, content_type="application/json")
    assert (
        bad.status_code == 422
        and bad.json()["code"] == "validation_failed"
        and "text" in bad.json()["details"]
    )
    extra = c.post("/api/v1/intake/reports", {**data, "hack": 1}, content_type="application/json")
    assert extra.status_code == 422
    assert c.get("/api/v1/intake/reports").json()["total"] == 1
    assert Client().get("/api/v1/intake/reports").status_code == 401


def _public_post(client: Client, personas: Personas, **extra: Any) -> Any:
    data = {
        "text": "夜间工地施工噪音扰民",
        "township": str(personas.township.pk),
        "reporter_name": "刘女士",
        "reporter_phone": "13912345678",
        "website": "",
    }
    data.update(extra)
    return client.post("/public/report/", data)


def test_public_report_and_tracking(personas: Personas) -> None:
    resp = _public_post(Client(), personas)
    assert resp.status_code == 200
    code = re.search(r'data-testid="tracking-code">([^<]+)<', resp.content.decode())
    assert code is not None
    tracking = code.group(1)
    assert len(tracking) >= 10 and set(tracking) <= set(services.TRACKING_ALPHABET)
    report = Report.objects.get(tracking_code=tracking)
    assert report.channel == "portal" and report.first_unit == personas.township
    town = personas.actor("township_handler")
    services.accept(town, report)
    services.take_on(town, report, "内部备注：当事人系镇干部亲属")
    services.reply(town, report, "已责令工地停止夜间施工。")
    page = Client().get(f"/public/track/?code={tracking.lower()}").content.decode()
    assert "已责令工地停止夜间施工" in page and "已立案办理" in page
    for secret in ("刘", "13912345678", "内部备注", "张承办"):
        assert secret not in page
    assert Client().get("/public/track/?code=ABCDEFGHJK").status_code == 404


def test_public_honeypot_and_rate_limit(personas: Personas) -> None:
    c = Client()
    assert _public_post(c, personas, website="http://spam").status_code == 422
    assert not Report.objects.exists()
    for _ in range(services.PUBLIC_LIMIT):
        assert _public_post(c, personas).status_code == 200
    resp = _public_post(c, personas)
    assert resp.status_code == 429 and "频繁" in resp.content.decode()
    assert Report.objects.count() == services.PUBLIC_LIMIT
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _public_post(other, personas).status_code == 200


def test_tracking_codes_are_unguessable() -> None:
    codes = {services.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not any(ch in "".join(codes) for ch in "01OIL")
