"""Disputes R-DIS-01..03 through the services and over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.disputes import services
from xiezhi.coordination.models import Dispute, DisputeEvent
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.tests.extract import docx_text, squash
from xiezhi.rulebook.periods import COUNTY_POLICY
from xiezhi.testing.factories import Personas
from xiezhi.transfers import replies
from xiezhi.transfers.tests.helpers import World, api, build_world, make_sent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)


def declined(w: World) -> Any:
    t = make_sent(w)
    replies.decline(w.actor("department_liaison"), t, {"reason": "not_competent", "detail": "属于乡村规划区"})
    t.refresh_from_db()
    return t


def opened(w: World, **extra: Any) -> Dispute:
    t = declined(w)
    data = {
        "transfer": t.pk,
        "provisional_handler": w.town.pk,
        "facts": "城管局以属乡村规划区为由不予受理。",
        "applicant_position": "该建筑位于城镇开发边界内，应由城管局查处",
        **extra,
    }
    return services.open_dispute(w.actor("township_handler"), data)


def clocks(d: Dispute) -> dict[str, Obligation]:
    return {
        ob.rule_id: ob
        for ob in Obligation.objects.filter(subject_id=str(d.pk), subject_type__model="dispute")
    }


MINUTES = {
    "place": "示例县城市管理局会议室",
    "chair": "钱局长",
    "attendees": ["城关镇：李镇长", "城管局：钱局长"],
    "agreements": ["该案由城管局受理查处", "城关镇配合现场管控"],
}


@pytest.mark.rule("R-DIS-03")
def test_opening_requires_a_provisional_handler_who_owes_taking_over(world: World) -> None:
    t = declined(world)
    before = (Dispute.objects.count(), AuditEvent.objects.count(), Obligation.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        services.open_dispute(
            world.actor("township_handler"), {"transfer": t.pk, "facts": "经过", "applicant_position": "意见"}
        )
    messages = exc.value.details["provisional_handler"]
    assert any("临时承办单位" in m for m in messages) and any("R-DIS-03" in m for m in messages)
    assert (Dispute.objects.count(), AuditEvent.objects.count(), Obligation.objects.count()) == before
    with pytest.raises(ValidationFailed) as bad:
        services.open_dispute(
            world.actor("township_handler"),
            {
                "transfer": t.pk,
                "facts": "经过",
                "applicant_position": "意见",
                "provisional_handler": world.p.justice_office.pk,
            },
        )
    assert "R-DIS-03" in bad.value.details["provisional_handler"][0]
    d = services.open_dispute(
        world.actor("township_handler"),
        {
            "transfer": t.pk,
            "facts": "经过",
            "applicant_position": "意见",
            "provisional_handler": world.town.pk,
        },
    )
    ob = clocks(d)["CP-DIS-PROVISIONAL"]
    assert (
        ob.unit == world.town
        and ob.period == COUNTY_POLICY["CP-DIS-PROVISIONAL"].period.code
        and ob.status == "open"
    )
    assert (d.kind, d.counterpart, d.matter, d.township) == ("transfer", world.dept, t.matter, t.township)
    with pytest.raises(PermissionDenied):
        services.acknowledge(world.actor("department_liaison"), d, {"note": "x"})
    services.acknowledge(world.actor("township_handler"), d, {"note": "继续巡查，责令停工状态保持"})
    ob.refresh_from_db()
    assert ob.status == "met"
    with pytest.raises(Conflict):
        services.acknowledge(world.actor("township_handler"), Dispute.objects.get(pk=d.pk), {"note": "again"})


@pytest.mark.rule("R-DIS-01")
def test_only_a_declined_transfer_of_ones_own_can_be_disputed(world: World) -> None:
    t = make_sent(world)
    with pytest.raises(ValidationFailed):
        services.open_dispute(
            world.actor("township_handler"),
            {"transfer": t.pk, "provisional_handler": world.town.pk, "facts": "x", "applicant_position": "y"},
        )
    with pytest.raises(NotFound):
        services.open_dispute(
            world.actor("other_township_handler"),
            {"transfer": t.pk, "provisional_handler": world.town.pk, "facts": "x", "applicant_position": "y"},
        )
    opened_ = opened(world)
    with pytest.raises(Conflict):
        services.open_dispute(
            world.actor("township_handler"),
            {
                "transfer": opened_.transfer_id,
                "provisional_handler": world.town.pk,
                "facts": "x",
                "applicant_position": "y",
            },
        )


@pytest.mark.rule("R-DIS-01")
def test_negotiation_with_minutes_binds_and_closes(world: World) -> None:
    d = opened(world)
    assert d.status == "negotiating" and clocks(d)["CP-DIS-NEGOTIATE"].unit == world.town
    services.negotiate(world.actor("department_liaison"), d, {"note": "双方意见分歧较大"})
    d.refresh_from_db()
    assert d.status == "negotiating" and d.events.filter(kind="negotiated").count() == 1
    with pytest.raises(PermissionDenied):
        services.negotiate(world.actor("other_township_handler"), d, {"agreed": True, **MINUTES})
    services.negotiate(world.actor("department_leader"), d, {"agreed": True, **MINUTES})
    d.refresh_from_db()
    assert d.status == "agreed" and d.closed_at is not None and "城管局受理查处" in d.outcome
    doc = IssuedDocument.objects.get(doc_type="minutes", subject_id=str(d.pk))
    assert doc.unit == world.dept
    text = squash(docx_text(default_storage.open(doc.docx_path, "rb").read()))
    assert "对各方具有约束力" in text and "该案由城管局受理查处" in text
    c = clocks(d)
    assert c["CP-DIS-NEGOTIATE"].status == "met" and c["CP-DIS-PROVISIONAL"].status == "waived"
    with pytest.raises(Conflict):
        services.apply_for_coordination(world.actor("township_leader"), d, {"negotiation": "x"})


@pytest.mark.rule("R-DIS-02")
def test_bureau_then_government_each_step_on_the_clock(world: World) -> None:
    d = opened(world)
    with pytest.raises(PermissionDenied):
        services.apply_for_coordination(world.actor("township_handler"), d, {"negotiation": "协商未果"})
    with pytest.raises(ValidationFailed) as exc:
        services.apply_for_coordination(world.actor("department_leader"), d, {"negotiation": "两次协商未果"})
    assert "our_position" in exc.value.details
    services.apply_for_coordination(
        world.actor("department_leader"), d, {"negotiation": "两次协商未果", "our_position": "属于乡村规划区"}
    )
    d.refresh_from_db()
    assert d.counterpart_position == "属于乡村规划区"
    assert d.status == "coordinating" and d.application is not None and d.application.unit == world.dept
    text = squash(docx_text(default_storage.open(d.application.docx_path, "rb").read()))
    assert "争议协调申请书" in text and "示例县司法局" in text and "城关镇" in text
    c = clocks(d)
    assert c["CP-DIS-NEGOTIATE"].status == "met"
    assert c["CP-DIS-COORDINATE"].unit == world.p.justice_bureau and c["CP-DIS-COORDINATE"].period == "10WD"
    with pytest.raises(PermissionDenied):
        services.coordinate(world.actor("justice_office_supervisor"), d, {"proposal": "x"})
    with pytest.raises(ValidationFailed):
        services.coordinate(world.actor("bureau_handler"), d, {"proposal": ""})
    services.coordinate(world.actor("bureau_handler"), d, {"proposal": "建议由城管局查处，城关镇配合"})
    d.refresh_from_db()
    c = clocks(d)
    assert d.status == "proposed" and c["CP-DIS-COORDINATE"].status == "met"
    assert c["CP-DIS-DECIDE"].unit == world.p.government and c["CP-DIS-DECIDE"].period == "15WD"
    with pytest.raises(PermissionDenied):
        services.decide(world.actor("township_leader"), d, {"decision": "x"})
    services.decide(world.actor("gov_leader"), d, {"decision": "由城管局依法查处"})
    d.refresh_from_db()
    assert d.status == "decided" and d.outcome == "由城管局依法查处"
    assert all(ob.status in ("met", "waived") for ob in clocks(d).values())


@pytest.mark.rule("R-DIS-02")
def test_bureau_agreement_closes_and_beyond_power_is_referred(world: World) -> None:
    d = opened(world)
    services.apply_for_coordination(world.actor("township_leader"), d, {"negotiation": "协商未果"})
    services.coordinate(
        world.actor("bureau_handler"), d, {"agreed": True, **MINUTES, "held_at": timezone.now().isoformat()}
    )
    d.refresh_from_db()
    assert d.status == "coordinated"
    assert IssuedDocument.objects.get(doc_type="minutes", subject_id=str(d.pk)).unit == world.p.justice_bureau
    t2 = declined(world)
    d2 = services.open_dispute(
        world.actor("township_handler"),
        {"transfer": t2.pk, "provisional_handler": world.town.pk, "facts": "x", "applicant_position": "y"},
    )
    services.apply_for_coordination(world.actor("township_leader"), d2, {"negotiation": "协商未果"})
    services.coordinate(world.actor("bureau_handler"), d2, {"proposal": "涉及垂直管理部门职责"})
    with pytest.raises(ValidationFailed):
        services.decide(world.actor("gov_leader"), d2, {"refer": True, "decision": "超出县政府权限"})
    services.decide(
        world.actor("gov_leader"),
        d2,
        {"refer": True, "referred_to": "示例市人民政府", "decision": "超出县政府权限"},
    )
    d2.refresh_from_db()
    assert (d2.status, d2.referred_to) == ("referred", "示例市人民政府")


def test_dispute_api_and_visibility(world: World) -> None:
    t = declined(world)
    handler = api(world, "township_handler")
    r = handler.post(
        "/api/v1/disputes",
        data=json.dumps({"transfer_id": t.pk, "facts": "x", "applicant_position": "y"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "provisional_handler" in r.json()["details"]
    r = handler.post(
        "/api/v1/disputes",
        data=json.dumps(
            {
                "transfer_id": t.pk,
                "facts": "经过",
                "applicant_position": "意见",
                "provisional_handler_id": world.town.pk,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content.decode()
    did = r.json()["id"]
    assert (
        "negotiate"
        in api(world, "department_liaison").get(f"/api/v1/disputes/{did}").json()["allowed_actions"]
    )
    assert api(world, "other_township_handler").get(f"/api/v1/disputes/{did}").status_code == 404
    assert api(world, "dispatcher").get(f"/api/v1/disputes/{did}").status_code == 200
    assert api(world, "sysadmin").get(f"/api/v1/disputes/{did}").status_code == 403
    r = api(world, "department_leader").post(
        f"/api/v1/disputes/{did}/negotiations",
        data=json.dumps({"agreed": True, **MINUTES}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "agreed"
    r = api(world, "township_leader").post(
        f"/api/v1/disputes/{did}/apply",
        data=json.dumps({"negotiation": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["details"]["status"] == "agreed"
    r = handler.get("/api/v1/disputes", {"status": "agreed"}).json()
    assert [i["id"] for i in r["items"]] == [did]
    assert DisputeEvent.objects.filter(dispute_id=did, kind="agreed").exists()
    assert (
        api(world, "dispatcher").get("/api/v1/transfers/dashboard").json()["disputes_by_stage"]["agreed"] == 1
    )
