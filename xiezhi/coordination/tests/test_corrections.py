"""Correction opinions R-CO-08, feedback R-CO-09 and evidence mutual recognition R-CO-07."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.corrections import evidence, services
from xiezhi.coordination.corrections.models import CorrectionOpinion, EvidenceCitation, Feedback
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.documents.models import IssuedDocument
from xiezhi.notifications.models import Notification
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import PDF, PNG, api, build_world, make_sent

from .assist_helpers import (
    clocks,
    counts,
    isolated_media,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_media")]


def workday(n: int) -> str:
    return WorkCalendar.default().add_workdays(timezone.localdate(), n).isoformat()


def opinion_data(p: Personas, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "township": p.township.pk,
        "subject": "城关镇对王某某违法搭建案适用法律错误",
        "findings": "处罚决定适用《城乡规划法》第六十四条，当事人位于乡村规划区，应适用第六十五条。",
        "requirements": "撤销原处罚决定，依法重新作出。",
        "due_on": workday(5),
    }
    data.update(extra)
    return data


@pytest.mark.rule("R-CO-08")
def test_correction_opinion_is_copied_to_the_justice_bureau_and_the_township_owes_its_answer(
    personas: Personas,
) -> None:
    o = services.issue_opinion(personas.actor("department_liaison"), opinion_data(personas))
    assert o.justice_bureau_id == personas.justice_bureau.pk
    doc = IssuedDocument.objects.get(doc_type="correction_opinion", subject_id=str(o.pk))
    assert "纠〔" in doc.number and doc.unit_id == personas.department.pk
    assert Notification.objects.filter(
        recipient_unit=personas.justice_bureau, title__startswith="抄送"
    ).exists()
    ob = clocks(o)["R-CO-08"]
    assert ob.unit_id == personas.township.pk and timezone.localdate(ob.due_at) == o.due_on
    o = services.answer_opinion(
        personas.actor("township_handler"), o, {"rectification": "已撤销并重新作出决定"}
    )
    assert o.status == "answered" and clocks(o)["R-CO-08"].status == "met"
    # Asked again: a new deadline, the clock runs again; then confirmed.
    o = services.reopen_opinion(
        personas.actor("department_liaison"), o, {"reason": "未附新决定书", "due_on": workday(3)}
    )
    assert o.status == "issued" and clocks(o)["R-CO-08"].status == "open"
    o = services.answer_opinion(personas.actor("township_handler"), o, {"rectification": "已补充新决定书"})
    o = services.confirm_opinion(personas.actor("department_liaison"), o, {})
    assert o.status == "confirmed"
    assert AuditEvent.objects.filter(action__startswith="correction.").count() == 5


def test_correction_bad_input_writes_nothing(personas: Personas) -> None:
    liaison = personas.actor("department_liaison")
    before = counts(CorrectionOpinion)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    for extra in (
        {"due_on": yesterday},
        {"due_on": ""},
        {"findings": ""},
        {"township": personas.department.pk},
    ):
        with pytest.raises(ValidationFailed):
            services.issue_opinion(liaison, opinion_data(personas, **extra))
    with pytest.raises(PermissionDenied):  # a township does not issue correction opinions
        services.issue_opinion(personas.actor("township_leader"), opinion_data(personas))
    with pytest.raises(PermissionDenied):  # acting for another unit
        services.issue_opinion(liaison, opinion_data(personas, department=personas.other_township.pk))
    assert counts(CorrectionOpinion) == before
    o = services.issue_opinion(liaison, opinion_data(personas))
    with pytest.raises(PermissionDenied):
        services.answer_opinion(personas.actor("other_township_handler"), o, {"rectification": "代答"})
    with pytest.raises(ValidationFailed):
        services.answer_opinion(personas.actor("township_handler"), o, {"rectification": ""})
    with pytest.raises(Conflict):
        services.confirm_opinion(liaison, o, {})


@pytest.mark.rule("R-CO-09")
def test_outcome_and_loophole_answered_within_the_county_limit(personas: Personas) -> None:
    f = services.send_feedback(personas.actor("township_handler"), {
        "direction": "outcome", "recipient": personas.department.pk, "subject": "王某某无证经营案处理结果",
        "content": "已作出罚款5000元的决定。", "loophole": "该商户营业执照注销后仍在经营，日常巡查未发现。",
    })  # fmt: skip
    ob = clocks(f)["R-CO-09"]
    assert (ob.unit_id, ob.period) == (personas.department.pk, "5WD")
    f = services.answer_feedback(personas.actor("department_liaison"), f, {"reply": "已将该区域纳入重点巡查"})
    assert f.status == "answered" and clocks(f)["R-CO-09"].status == "met"
    assert Notification.objects.filter(recipient_unit=personas.township, title__contains="已答复").exists()


@pytest.mark.rule("R-CO-09")
def test_managing_department_sends_a_matter_and_receives_the_result(personas: Personas) -> None:
    f = services.send_feedback(personas.actor("department_liaison"), {
        "direction": "matter", "recipient": personas.township.pk, "subject": "解放路某餐馆油烟扰民",
        "content": "日常监管发现油烟净化设施未运行，请依法查处。",
    })  # fmt: skip
    ob = clocks(f)["R-CO-09"]
    assert (ob.unit_id, ob.period) == (personas.township.pk, "15WD")
    before = counts(Feedback)
    with pytest.raises(PermissionDenied):
        services.answer_feedback(personas.actor("department_liaison"), f, {"reply": "自己答复"})
    with pytest.raises(ValidationFailed):
        services.answer_feedback(personas.actor("township_handler"), f, {"reply": ""})
    assert counts(Feedback) == before
    f = services.answer_feedback(personas.actor("township_handler"), f, {"reply": "已责令整改并罚款"})
    assert f.status == "answered"


def test_feedback_bad_input_writes_nothing(personas: Personas) -> None:
    handler = personas.actor("township_handler")
    base = {"direction": "outcome", "recipient": personas.department.pk, "subject": "事项", "content": "内容"}
    before = counts(Feedback)
    for extra in ({"recipient": personas.township.pk}, {"direction": "x"}, {"content": ""},
                  {"recipient": personas.other_township.pk}):  # fmt: skip
        with pytest.raises(ValidationFailed):
            services.send_feedback(handler, {**base, **extra})
    with pytest.raises(PermissionDenied):
        services.send_feedback(handler, {**base, "sender": personas.other_township.pk})
    assert counts(Feedback) == before


@pytest.mark.rule("R-CO-07")
def test_evidence_is_cited_by_hash_without_reupload_and_the_chain_shows_origin_and_citations(
    personas: Personas,
) -> None:
    w = build_world(personas)
    t = make_sent(w)
    photo = t.materials.get(kind="evidence")
    sha = hashlib.sha256(PNG).hexdigest()
    assert photo.sha256 == sha
    dept = personas.actor("department_liaison")
    data = {"origin_kind": "transfer_material", "origin_id": str(photo.pk), "sha256": sha,
            "cited_in": "城管局〔2025〕18号处罚决定"}  # fmt: skip
    before = counts(EvidenceCitation)
    with pytest.raises(ValidationFailed):  # a different file
        services.cite_evidence(dept, {**data, "sha256": "0" * 64})
    with pytest.raises(ValidationFailed):
        services.cite_evidence(dept, {**data, "sha256": "not-a-hash"})
    with pytest.raises(NotFound):  # a unit that cannot see the transfer cannot cite its materials
        services.cite_evidence(personas.actor("other_township_handler"), data)
    with pytest.raises(PermissionDenied):
        services.cite_evidence(dept, {**data, "citing_unit": personas.other_township.pk})
    assert counts(EvidenceCitation) == before
    cite = services.cite_evidence(dept, data)
    assert (cite.origin_unit_id, cite.citing_unit_id) == (personas.township.pk, personas.department.pk)
    assert cite.origin_label.startswith(f"移送 {t.pk}")
    # Chain of custody: the origin and every citation of the hash.
    sources = evidence.find_by_hash(dept, sha)
    assert [(s.kind, s.unit.pk) for s in sources] == [("transfer_material", personas.township.pk)]
    res = api(w, "department_liaison").get(f"/api/v1/corrections/evidence/{sha}")
    assert res.status_code == 200
    body = res.json()
    assert body["sources"][0]["unit"] == personas.township.name
    assert [c["citing_unit"] for c in body["citations"]] == [personas.department.name]
    assert api(w, "other_township_handler").get(f"/api/v1/corrections/evidence/{sha}").status_code == 404
    assert Notification.objects.filter(
        recipient_unit=personas.township, title__contains="引用了你单位的证据"
    ).exists()


@pytest.mark.rule("R-CO-07")
def test_other_packages_can_register_evidence_sources(personas: Personas) -> None:
    sha = "a" * 64

    def resolve(actor: Any, origin_id: str) -> evidence.EvidenceSource:
        return evidence.EvidenceSource("operation_finding", origin_id, personas.other_township, f"联合执法 {origin_id}",
                                       "现场勘验照片", sha, "")  # fmt: skip

    evidence.register_source(
        "operation_finding", evidence.SourceKind("联合执法发现", resolve, lambda a, h: [])
    )
    try:
        cite = services.cite_evidence(personas.actor("department_liaison"), {
            "origin_kind": "operation_finding", "origin_id": "7", "sha256": sha, "cited_in": "案件A",
        })  # fmt: skip
        assert cite.origin_unit_id == personas.other_township.pk and cite.origin_kind == "operation_finding"
    finally:
        evidence.SOURCES.pop("operation_finding")


@pytest.mark.rule("R-CO-07")
def test_an_intake_attachment_is_cited_by_the_unit_it_was_handed_to(personas: Personas) -> None:
    from xiezhi.intake import services as intake

    report_data = {"channel": "walk_in", "text": "烧烤摊油烟扰民。", "township": str(personas.township.pk),
                   "address": "城关镇人民路12号", "anonymous": True}  # fmt: skip
    report = intake.create_report(personas.actor("township_handler"), report_data, [("p.pdf", PDF)])
    attachment = report.attachments.get()  # type: ignore[attr-defined]
    data = {"origin_kind": "intake_attachment", "origin_id": str(attachment.pk), "sha256": attachment.sha256,
            "cited_in": "城管局调查询问笔录"}  # fmt: skip
    dept = personas.actor("department_liaison")
    with pytest.raises(NotFound):  # not yet involved: cannot see it, cannot cite it
        services.cite_evidence(dept, data)
    report.involved_units.add(personas.department)
    cite = services.cite_evidence(dept, data)
    assert (cite.origin_unit_id, cite.origin_label) == (personas.township.pk, f"投诉举报 {report.pk}")
    assert [s.kind for s in evidence.find_by_hash(dept, attachment.sha256)] == ["intake_attachment"]
