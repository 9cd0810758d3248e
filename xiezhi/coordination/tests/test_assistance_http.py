"""Assistance requests and hazard notices over the API and the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from xiezhi.accounts.testing import sign_in
from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas, make_person
from xiezhi.transfers.tests.helpers import bearer

from .assist_helpers import (
    counts,
    dispatch_data,
    hazard_data,
    isolated_media,  # noqa: F401
    request_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_media")]


def _api(p: Personas, who: str):  # type: ignore[no-untyped-def]
    obj = getattr(p, who)
    return bearer(obj.account)


def _page(p: Personas, who: str) -> Client:
    return sign_in(Client(), getattr(p, who).account)


@pytest.mark.rule("R-CO-05")
def test_assistance_api_main_path_and_visibility(personas: Personas) -> None:
    town = _api(personas, "township_handler")
    data = request_data(personas)
    data["assisting_id"] = data.pop("assisting")
    res = town.post("/api/v1/assistance", data, content_type="application/json")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["obligations"][0]["rule_id"] == "R-CO-05" and body["status"] == "pending"
    rid = body["id"]
    dept = _api(personas, "department_liaison")
    assert dept.get("/api/v1/assistance?direction=received").json()["total"] == 1
    res = dept.post(
        f"/api/v1/assistance/{rid}/answer", {"answer": "检测合格"}, content_type="application/json"
    )
    assert res.status_code == 200 and res.json()["status"] == "answered"
    assert res.json()["obligations"][0]["status"] == "met"
    # Not a party: the same 404 as a missing request.
    other = _api(personas, "other_township_handler")
    assert other.get(f"/api/v1/assistance/{rid}").status_code == 404
    assert other.get("/api/v1/assistance/999999").status_code == 404
    # County-wide reading for the justice bureau's command centre.
    assert _api(personas, "dispatcher").get(f"/api/v1/assistance/{rid}").status_code == 200


def test_assistance_api_bad_input_writes_nothing(personas: Personas) -> None:
    town = _api(personas, "township_handler")
    before = counts(AssistanceRequest)
    data = request_data(personas, subject="")
    data["assisting_id"] = data.pop("assisting")
    res = town.post("/api/v1/assistance", data, content_type="application/json")
    assert res.status_code == 422 and "协助事项" in res.json()["message"]
    data = request_data(personas)
    data["assisting_id"] = data.pop("assisting")
    data["requester_id"] = personas.other_township.pk
    assert town.post("/api/v1/assistance", data, content_type="application/json").status_code == 403
    assert counts(AssistanceRequest) == before


def test_hazard_api_refusal_without_reason_is_refused(personas: Personas) -> None:
    data = hazard_data(personas)
    data["department_id"] = data.pop("department")
    res = _api(personas, "township_handler").post("/api/v1/hazards", data, content_type="application/json")
    assert res.status_code == 201, res.content
    hid = res.json()["id"]
    leader = _api(personas, "department_leader")
    before = counts(HazardNotice)
    res = leader.post(f"/api/v1/hazards/{hid}/refuse", {"reason": ""}, content_type="application/json")
    assert res.status_code == 422 and counts(HazardNotice) == before
    res = _api(personas, "department_liaison").post(
        f"/api/v1/hazards/{hid}/dispatch", dispatch_data(personas), content_type="application/json"
    )
    assert res.status_code == 200 and res.json()["status"] == "onsite"


def test_pages_list_csv_form_and_detail(personas: Personas) -> None:
    c = _page(personas, "township_handler")
    res = c.post("/assistance/new/", {**request_data(personas), "subject": ""})
    assert res.status_code == 422 and "请填写协助事项" in res.content.decode()
    assert AssistanceRequest.objects.count() == 0
    res = c.post("/assistance/new/", request_data(personas))
    assert res.status_code == 302
    r = AssistanceRequest.objects.get()
    page = c.get(f"/assistance/{r.pk}/").content.decode()
    assert "书面答复协助请求" in page and "R-CO-05" in page
    listing = c.get("/assistance/?status=open").content.decode()
    assert r.subject in listing
    csv = c.get("/assistance/?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and r.subject in csv.content.decode("utf-8-sig")
    d = _page(personas, "department_liaison")
    res = d.post(f"/assistance/{r.pk}/answer/", {"answer": ""})
    assert res.status_code == 422 and "请填写答复内容" in res.content.decode()
    assert d.post(f"/assistance/{r.pk}/answer/", {"answer": "已检测"}).status_code == 302
    # Hazards: form, detail, list CSV.
    res = c.post("/hazards/new/", hazard_data(personas))
    assert res.status_code == 302
    h = HazardNotice.objects.get()
    assert "立即派员处置隐患" in c.get(f"/hazards/{h.pk}/").content.decode()
    assert h.title in c.get("/hazards/?format=csv").content.decode("utf-8-sig")
    assert _page(personas, "other_township_handler").get(f"/hazards/{h.pk}/").status_code == 404


@pytest.mark.rule("R-CO-04")
def test_refusal_page_opens_a_dispute_from_the_request(personas: Personas) -> None:
    c = _page(personas, "township_handler")
    assert c.post("/assistance/new/", request_data(personas)).status_code == 302
    r = AssistanceRequest.objects.get()
    leader = _page(personas, "department_leader")
    res = leader.post(f"/assistance/{r.pk}/refuse/", {"reason": ""})
    assert res.status_code == 422 and "请填写拒绝理由" in res.content.decode()
    assert leader.post(f"/assistance/{r.pk}/refuse/", {"reason": "不属本局"}).status_code == 302
    page = c.get(f"/assistance/{r.pk}/").content.decode()
    assert "提起执法争议" in page and "不属本局" in page
    res = c.post(f"/assistance/{r.pk}/dispute/", {"applicant_position": "属于法定协助范围"})
    r.refresh_from_db()
    assert res.status_code == 302 and res["Location"] == f"/disputes/{r.dispute_id}/"
    assert c.get(res["Location"]).status_code == 200
    # The justice bureau sees the refused request through its notification link.
    bureau = make_person(personas.justice_bureau, "冯科长", ("handler",), username="jb_handler")
    note = Notification.objects.get(recipient_unit=personas.justice_bureau)
    assert sign_in(Client(), bureau.account).get(note.url).status_code == 200
