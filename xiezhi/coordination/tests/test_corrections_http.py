"""Correction opinions, feedback and evidence over the pages and the API."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.accounts.testing import sign_in
from xiezhi.coordination.corrections.models import CorrectionOpinion, EvidenceCitation, Feedback
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import PNG, bearer, build_world, make_sent

from .assist_helpers import isolated_media  # noqa: F401
from .test_corrections import opinion_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_media")]


def _page(p: Personas, who: str) -> Client:
    return sign_in(Client(), getattr(p, who).account)


def test_opinion_pages_form_errors_detail_and_csv(personas: Personas) -> None:
    dept = _page(personas, "department_liaison")
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    res = dept.post("/corrections/new/", opinion_data(personas, due_on=past))
    assert res.status_code == 422 and "不能是过去的日期" in res.content.decode()
    assert CorrectionOpinion.objects.count() == 0
    res = dept.post("/corrections/new/", opinion_data(personas))
    assert res.status_code == 302
    o = CorrectionOpinion.objects.get()
    town = _page(personas, "township_handler")
    assert "答复整改情况" in town.get(f"/corrections/{o.pk}/").content.decode()
    assert town.post(f"/corrections/{o.pk}/answer/", {"rectification": ""}).status_code == 422
    assert town.post(f"/corrections/{o.pk}/answer/", {"rectification": "已整改"}).status_code == 302
    csv = _page(personas, "dispatcher").get("/corrections/?format=csv")
    assert o.subject in csv.content.decode("utf-8-sig")
    assert _page(personas, "other_township_handler").get(f"/corrections/{o.pk}/").status_code == 404


@pytest.mark.rule("R-CO-08")
def test_opinion_api_and_justice_bureau_reading(personas: Personas) -> None:
    data = opinion_data(personas)
    data["township_id"] = data.pop("township")
    res = bearer(personas.department_liaison.account).post(
        "/api/v1/corrections", data, content_type="application/json"
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert (
        body["justice_bureau"] == personas.justice_bureau.name
        and body["obligations"][0]["rule_id"] == "R-CO-08"
    )
    jb = bearer(personas.dispatcher.account)  # county-wide reading
    assert jb.get(f"/api/v1/corrections/{body['id']}").status_code == 200


def test_feedback_and_evidence_pages(personas: Personas) -> None:
    town = _page(personas, "township_handler")
    res = town.post("/corrections/feedback/new/", {"direction": "outcome", "recipient": personas.department.pk,
                                                    "subject": "处理结果", "content": ""})  # fmt: skip
    assert res.status_code == 422 and Feedback.objects.count() == 0
    res = town.post("/corrections/feedback/new/", {"direction": "outcome", "recipient": personas.department.pk,
                                                    "subject": "处理结果", "content": "已罚款", "loophole": "漏洞"})  # fmt: skip
    assert res.status_code == 302
    f = Feedback.objects.get()
    dept = _page(personas, "department_liaison")
    assert dept.post(f"/corrections/feedback/{f.pk}/answer/", {"reply": "已整改"}).status_code == 302
    assert "已整改" in town.get(f"/corrections/feedback/{f.pk}/").content.decode()
    # Evidence: cite a township material from the department's side, then open the chain.
    w = build_world(personas)
    t = make_sent(w)
    photo = t.materials.get(kind="evidence")
    sha = hashlib.sha256(PNG).hexdigest()
    res = dept.post("/corrections/evidence/new/", {"origin_kind": "transfer_material", "origin_id": photo.pk,
                                                   "sha256": "f" * 64, "cited_in": "处罚决定"})  # fmt: skip
    assert res.status_code == 422 and EvidenceCitation.objects.count() == 0
    other = _page(personas, "other_township_handler")
    res = other.post("/corrections/evidence/new/", {"origin_kind": "transfer_material", "origin_id": photo.pk,
                                                    "sha256": sha, "cited_in": "处罚决定"})  # fmt: skip
    assert res.status_code == 422 and EvidenceCitation.objects.count() == 0
    res = dept.post("/corrections/evidence/new/", {"origin_kind": "transfer_material", "origin_id": photo.pk,
                                                   "sha256": sha, "cited_in": "处罚决定"})  # fmt: skip
    assert res.status_code == 302 and res["Location"].endswith(f"/corrections/evidence/{sha}/")
    chain = dept.get(f"/corrections/evidence/{sha}/").content.decode()
    assert personas.township.name in chain and "处罚决定" in chain
    assert sha in dept.get("/corrections/evidence/?format=csv").content.decode("utf-8-sig")


@pytest.mark.parametrize(
    "who", ["township_handler", "department_leader", "dispatcher", "justice_office_supervisor"]
)
def test_every_list_and_form_renders(personas: Personas, who: str) -> None:
    c = _page(personas, who)
    for url in (
        "/assistance/",
        "/hazards/",
        "/corrections/",
        "/corrections/feedback/",
        "/corrections/evidence/",
    ):
        res = c.get(url)
        assert res.status_code == 200, url
    forms = {
        "township_handler": [
            "/assistance/new/",
            "/hazards/new/",
            "/corrections/feedback/new/",
            "/corrections/evidence/new/",
        ],
        "department_leader": ["/assistance/new/", "/corrections/new/", "/corrections/feedback/new/"],
        "dispatcher": [],
        "justice_office_supervisor": [],
    }[who]
    for url in forms:
        assert c.get(url).status_code == 200, url
    if who == "dispatcher":  # county-wide readers do not create
        assert c.get("/corrections/new/").status_code == 403
        assert c.get("/hazards/new/").status_code == 403
    for url in ("/assistance/?status=bogus", "/corrections/feedback/?direction=bogus"):
        assert c.get(url).status_code == 422, url
