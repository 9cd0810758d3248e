"""R-TR-01..10 exercised through the services on the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.tests.extract import docx_text, squash
from xiezhi.notifications.models import Notification
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.testing.factories import actor_of, make_person
from xiezhi.transfers import access, replies, selectors, services
from xiezhi.transfers.models import CopyNotice, Transfer, TransferEvent
from xiezhi.transfers.tests.helpers import PDF, PNG, World, draft_data, make_draft, make_sent
from xiezhi.units.models import Section

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Transfer.objects.count(),
        TransferEvent.objects.count(),
        AuditEvent.objects.count(),
        IssuedDocument.objects.count(),
        Obligation.objects.count(),
        CopyNotice.objects.count(),
    )


def obligations(t: Transfer, rule: str) -> list[Obligation]:
    return [ob for ob in Obligation.objects.filter(subject_id=str(t.pk), rule_id=rule) if ob.subject_label]


def _doc(doc: IssuedDocument | None) -> IssuedDocument:
    assert doc is not None
    return doc


def status(t: Transfer) -> str:
    return Transfer.objects.values_list("status", flat=True).get(pk=t.pk)


# --- R-TR-01 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-01")
def test_receiver_that_is_an_internal_section_is_refused(world: World) -> None:
    section = Section.objects.create(unit=world.dept, name="执法大队")
    before = counts()
    for receiver in ("执法大队", "示例县城市管理局执法大队", section):
        with pytest.raises(ValidationFailed) as exc:
            services.create_transfer(world.actor("township_handler"), draft_data(world, receiver=receiver))
        assert "内设机构" in exc.value.details["receiver"][0]
        assert "R-TR-01" in exc.value.details["receiver"][0]
    assert counts() == before


@pytest.mark.rule("R-TR-01")
def test_sent_in_the_units_name_even_by_a_section_member(world: World) -> None:
    squad = Section.objects.create(unit=world.town, name="综合执法队")
    member = make_person(world.town, "刘队员", ("handler",), username="t_squad")
    member.section = squad
    member.save()
    actor = actor_of(member)
    t = services.create_transfer(actor, draft_data(world))
    assert t.sender == world.town
    services.add_material(actor, t, kind="complaint", title="投诉材料", name="a.pdf", content=PDF)
    services.add_material(actor, t, kind="evidence", title="照片", name="b.png", content=PNG)
    services.submit(actor, t)
    services.approve(world.actor("township_leader"), t)
    t.refresh_from_db()
    assert t.letter is not None and t.letter.unit == world.town
    assert t.letter.issuer_name == "城关镇" and t.letter.number.startswith("城关镇移〔")


@pytest.mark.rule("R-TR-01")
def test_transfer_to_oneself_is_refused(world: World) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.create_transfer(world.actor("township_handler"), draft_data(world, receiver=world.town.pk))
    assert "本单位" in exc.value.details["receiver"][0]
    assert counts() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        t = make_draft(world, materials=False)
        Transfer.objects.filter(pk=t.pk).update(receiver=world.town)


# --- R-TR-02 / 03 / 04 ----------------------------------------------------------------------------


@pytest.mark.rule("R-TR-02")
def test_normal_transfer_due_three_working_days_from_discovery(world: World) -> None:
    found = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)
    t = make_draft(world, discovered_at=found.isoformat())
    (ob,) = obligations(t, "R-TR-02")
    assert (t.urgency, t.rule_id, ob.unit, ob.period, ob.opened_at) == (
        "normal",
        "R-TR-02",
        world.town,
        "3WD",
        found,
    )
    # 10-01..10-08 are holidays; 10-11 (Saturday) is an adjusted working day: 10-09, 10-10, 10-11.
    assert ob.due_at == datetime(2025, 10, 11, 17, 30, tzinfo=SHANGHAI) == t.send_due_at
    services.submit(world.actor("township_handler"), t)
    services.approve(world.actor("township_leader"), t)
    ob.refresh_from_db()
    assert ob.status == "met" and ob.met_on_time is False  # sent long after the limit: counted late


@pytest.mark.rule("R-TR-02")
def test_sending_in_time_meets_the_duty_on_time(world: World) -> None:
    t = make_sent(world)
    (ob,) = obligations(t, "R-TR-02")
    assert ob.status == "met" and ob.met_on_time is True and ob.met_at == t.sent_at


@pytest.mark.rule("R-TR-03")
def test_urgent_transfer_due_within_24_hours(world: World) -> None:
    found = timezone.now() - timedelta(hours=3)
    t = make_draft(world, urgency="urgent", discovered_at=found.isoformat())
    (ob,) = obligations(t, "R-TR-03")
    assert t.rule_id == "R-TR-03" and ob.period == "24h"
    assert ob.due_at == found + timedelta(hours=24)


@pytest.mark.rule("R-TR-04")
def test_major_category_makes_it_immediate_automatically(world: World) -> None:
    t = make_draft(world, matter=world.noise.pk, urgency="normal")
    assert (t.urgency, t.urgency_automatic, t.rule_id) == ("immediate", True, "R-TR-04")
    assert "生态环境" in t.urgency_reason
    (ob,) = obligations(t, "R-TR-04")
    assert ob.period == "immediate" and ob.due_at == t.discovered_at


@pytest.mark.rule("R-TR-04")
def test_flagged_major_risk_makes_it_immediate(world: World) -> None:
    t = make_draft(world, major_risk=True)
    assert (t.urgency, t.rule_id) == ("immediate", "R-TR-04")
    with pytest.raises(ValidationFailed) as exc:
        services.create_transfer(world.actor("township_handler"), draft_data(world, urgency="immediate"))
    assert "重大" in exc.value.details["urgency"][0]


@pytest.mark.rule("R-TR-04")
def test_correcting_the_urgency_restarts_the_clock_under_the_new_rule(world: World) -> None:
    t = make_draft(world)
    services.update_transfer(world.actor("township_handler"), t, {"urgency": "urgent"})
    (old,) = obligations(t, "R-TR-02")
    (new,) = obligations(t, "R-TR-03")
    assert old.status == "waived" and new.status == "open"
    assert Transfer.objects.get(pk=t.pk).send_due_at == new.due_at


# --- R-TR-05 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-05")
def test_ongoing_violation_needs_stop_order_and_fixed_evidence(world: World) -> None:
    t = make_draft(world, in_progress=True)
    with pytest.raises(ValidationFailed) as exc:
        services.submit(world.actor("township_handler"), t)
    assert any("责令停止" in m for m in exc.value.details["missing"])
    assert any("证据固定" in m for m in exc.value.details["missing"])
    assert status(t) == "draft"
    assert not Notification.objects.filter(
        recipient_unit=world.dept, dedupe_key__startswith="transfer:"
    ).exists()


@pytest.mark.rule("R-TR-05")
def test_receiver_is_told_at_once_before_approval(world: World) -> None:
    t = make_draft(
        world,
        in_progress=True,
        stop_ordered_at=(timezone.now() - timedelta(hours=1)).isoformat(),
        stop_order_note="当场责令当事人停止施工",
        evidence_fixed_note="现场拍照录像，制作现场检查笔录",
    )
    liaison = world.actor("department_liaison")
    assert not selectors.visible_to(liaison).filter(pk=t.pk).exists()
    services.submit(world.actor("township_handler"), t)
    note = Notification.objects.get(
        recipient_unit=world.dept, dedupe_key=f"transfer:{t.pk}:ongoing:u{world.dept.pk}"
    )
    assert "正在发生" in note.title and "停止施工" in note.body
    t.refresh_from_db()
    assert t.status == "pending_approval" and t.receiver_told_at is not None
    assert selectors.visible_to(liaison).filter(pk=t.pk).exists()
    services.approve(world.actor("township_leader"), t)
    t.refresh_from_db()
    letter = default_storage.open(_doc(t.letter).docx_path, "rb").read()
    assert "停止施工" in squash(docx_text(letter))


# --- R-TR-06 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-06")
def test_submission_lists_missing_materials_and_changes_nothing(world: World) -> None:
    t = make_draft(world, materials=False)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.submit(world.actor("township_handler"), t)
    missing = exc.value.details["missing"]
    assert any("来源材料" in m for m in missing) and any("初步证据" in m for m in missing)
    assert "现场检查笔录" in exc.value.message
    assert counts() == before and status(t) == "draft"


@pytest.mark.rule("R-TR-06")
def test_only_a_leader_of_the_sending_unit_approves(world: World) -> None:
    t = make_draft(world)
    services.submit(world.actor("township_handler"), t)
    before = counts()
    for who in ("township_handler", "department_leader", "dispatcher"):
        with pytest.raises((PermissionDenied, NotFound)):
            services.approve(world.actor(who), Transfer.objects.get(pk=t.pk))
    assert counts() == before and status(t) == "pending_approval"
    services.approve(world.actor("township_leader"), Transfer.objects.get(pk=t.pk))
    t.refresh_from_db()
    assert t.status == "sent" and t.approved_by == world.p.township_leader


@pytest.mark.rule("R-TR-06")
def test_letter_lists_the_materials_and_uploads_are_hashed(world: World) -> None:
    t = make_sent(world)
    materials = list(t.materials.order_by("id"))
    kinds = [m.kind for m in materials]
    assert kinds == ["inspection_record", "evidence", "letter"]
    upload = materials[0]
    import hashlib

    assert upload.sha256 == hashlib.sha256(PDF).hexdigest()
    assert default_storage.open(upload.path, "rb").read() == PDF
    text = squash(docx_text(default_storage.open(_doc(t.letter).docx_path, "rb").read()))
    for part in ("涉嫌违法案件移送函", "王某某", "现场检查笔录", "现场照片", "示例县城市管理局", "李镇长"):
        assert part in text, part


@pytest.mark.rule("R-TR-06")
def test_uploads_are_type_checked(world: World) -> None:
    t = make_draft(world, materials=False)
    with pytest.raises(ValidationFailed) as exc:
        services.add_material(
            world.actor("township_handler"), t, kind="evidence", title="x", name="x.pdf", content=b"not a pdf"
        )
    assert "不符" in exc.value.details["file"][0]
    with pytest.raises(ValidationFailed):
        services.add_material(
            world.actor("township_handler"), t, kind="evidence", title="x", name="x.exe", content=b"MZ"
        )
    assert not t.materials.exists()


# --- R-TR-07 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_recorded_at_once_with_24_hours_for_the_paperwork(world: World) -> None:
    t = make_draft(world, urgency="urgent")
    at = timezone.now() - timedelta(minutes=10)
    services.record_oral(
        world.actor("township_handler"),
        t,
        {
            "oral_at": at.isoformat(),
            "method": "phone",
            "receiver_person": "陈值班",
            "reason": "违法建设正在连夜施工",
        },
    )
    t.refresh_from_db()
    assert t.status == "oral_recorded" and t.oral_record is not None
    assert t.oral_record.doc_type == "oral_transfer_record"
    (send,) = obligations(t, "R-TR-03")
    assert send.status == "met" and send.met_at == at
    (paper,) = obligations(t, "R-TR-07")
    assert paper.due_at == at + timedelta(hours=24) == t.written_due_at
    assert Notification.objects.filter(recipient_unit=world.dept, dedupe_key__contains=":oral:").exists()
    assert selectors.visible_to(world.actor("department_liaison")).filter(pk=t.pk).exists()
    with pytest.raises(PermissionDenied):
        services.complete_formalities(world.actor("township_handler"), t)
    services.complete_formalities(world.actor("township_leader"), t)
    t.refresh_from_db()
    paper.refresh_from_db()
    assert t.status == "sent" and t.letter is not None and paper.status == "met"
    assert obligations(t, "R-TR-08")[0].status == "open"


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_only_in_an_emergency(world: World) -> None:
    t = make_draft(world)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.record_oral(
            world.actor("township_handler"),
            t,
            {"method": "phone", "receiver_person": "陈值班", "reason": "急"},
        )
    assert "特别紧急" in exc.value.details["urgency"][0]
    assert counts() == before


# --- R-TR-08 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-08")
def test_receiver_replies_within_3_working_days_and_the_matter_becomes_its_own(world: World) -> None:
    t = make_sent(world)
    (ob,) = obligations(t, "R-TR-08")
    assert (
        ob.unit == world.dept
        and ob.period == "3WD"
        and ob.opened_at == t.sent_at
        and t.reply_due_at == ob.due_at
    )
    replies.accept(world.actor("department_liaison"), t, {"handling": "立案调查"})
    t.refresh_from_db()
    ob.refresh_from_db()
    assert t.status == "accepted" and t.responsible_unit == world.dept and ob.status == "met"
    assert t.reply_document is not None and t.reply_document.title == "案件受理告知书"
    assert t.reply_document.unit == world.dept
    assert Notification.objects.filter(recipient_unit=world.town, dedupe_key__contains=":accepted:").exists()


@pytest.mark.rule("R-TR-08")
def test_decline_needs_reasons_and_goes_back_to_the_sender(world: World) -> None:
    t = make_sent(world)
    before = counts()
    with pytest.raises(ValidationFailed):
        replies.decline(world.actor("department_liaison"), t, {"reason": "not_competent", "detail": ""})
    with pytest.raises(ValidationFailed):
        replies.decline(world.actor("department_liaison"), t, {"reason": "nonsense", "detail": "x"})
    assert counts() == before
    replies.decline(
        world.actor("department_leader"), t, {"reason": "not_competent", "detail": "属于乡村规划区"}
    )
    t.refresh_from_db()
    assert t.status == "declined" and t.responsible_unit == world.town
    text = squash(docx_text(default_storage.open(_doc(t.reply_document).docx_path, "rb").read()))
    assert "案件不予受理告知书" in text and "属于乡村规划区" in text
    note = Notification.objects.get(recipient_unit=world.town, dedupe_key__contains=":declined:")
    assert "争议协调" in note.body
    with pytest.raises(Conflict) as exc:
        replies.accept(world.actor("department_liaison"), Transfer.objects.get(pk=t.pk))
    assert exc.value.details["status"] == "declined"


@pytest.mark.rule("R-TR-08")
def test_competence_warning_and_the_penalty_guard(world: World) -> None:
    # DEMO-SR-001 is granted to 城关镇: the department may no longer penalise it there.
    t = make_sent(world, matter=world.city.pk)
    assert "没有处罚权" in t.competence_note and "赋权" in t.competence_note
    with pytest.raises(PermissionDenied) as exc:
        replies.accept(world.actor("department_liaison"), t)
    assert exc.value.code == "penalty_refused"
    assert status(t) == "sent"
    assert AuditEvent.objects.filter(action="catalogue.penalty_refused", success=False).exists()
    ok = make_sent(world)
    assert ok.competence_note == ""


@pytest.mark.rule("R-TR-08")
def test_only_the_receivers_leader_or_liaison_replies(world: World) -> None:
    t = make_sent(world)
    helper = make_person(world.dept, "何科员", ("handler",), username="d_handler")
    before = counts()
    for actor in (actor_of(helper), world.actor("township_leader")):
        with pytest.raises(PermissionDenied):
            replies.accept(actor, t)
    with pytest.raises(NotFound):
        access.access_transfer(world.actor("other_township_handler"), t.pk)
    assert counts() == before and status(t) == "sent"


# --- R-TR-09 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-09")
def test_legacy_problem_needs_a_recorded_prior_consultation(world: World) -> None:
    t = make_draft(world, is_legacy=True)
    with pytest.raises(ValidationFailed) as exc:
        services.submit(world.actor("township_handler"), t)
    assert any("会商" in m for m in exc.value.details["missing"])
    with pytest.raises(ValidationFailed) as future:
        services.update_transfer(
            world.actor("township_handler"),
            t,
            {"consultation_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
        )
    assert "consultation_on" in future.value.details
    services.update_transfer(
        world.actor("township_handler"),
        t,
        {"consultation_on": timezone.localdate().isoformat(), "consultation_note": "与城关镇会商，同意移送"},
    )
    services.submit(world.actor("township_handler"), Transfer.objects.get(pk=t.pk))
    assert status(t) == "pending_approval"


# --- R-TR-10 --------------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-10")
def test_copy_notices_with_read_receipts(world: World) -> None:
    office, other = world.p.justice_office, world.p.other_township
    t = make_sent(world, copy_to=[office.pk, other.pk])
    notices = {n.unit_id: n for n in CopyNotice.objects.filter(transfer=t)}
    assert set(notices) == {world.dept.pk, office.pk, other.pk}
    doc = notices[office.pk].document
    assert doc is not None and doc.doc_type == "copy_notice"
    assert all(n.document_id == doc.pk and n.read_at is None for n in notices.values())
    text = squash(docx_text(default_storage.open(doc.docx_path, "rb").read()))
    assert "抄告单" in text and "城关镇司法所" in text and "河西镇" in text
    reader = world.actor("other_township_handler")
    assert selectors.visible_to(reader).filter(pk=t.pk).exists()
    with pytest.raises(NotFound):
        access.access_copy_notice(reader, notices[office.pk].pk)
    first = replies.read_copy_notice(reader, access.access_copy_notice(reader, notices[other.pk].pk))
    assert first.read_at is not None and first.read_by == world.p.other_township_handler
    again = replies.read_copy_notice(reader, first)
    assert again.read_at == first.read_at
    assert AuditEvent.objects.filter(action="transfer.copy_notice_read").count() == 1
    assert t.events.filter(kind="copy_read").count() == 1
