"""The first-responder flow R-IN-01..05."""

from __future__ import annotations

from typing import Any

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.intake import services
from xiezhi.intake.access import visible_to
from xiezhi.intake.models import Report, Status
from xiezhi.intake.tests.conftest import PDF, PNG, report_data
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _obs(report: Report, rule: str) -> list[Obligation]:
    return list(Obligation.objects.filter(subject_id=str(report.pk), rule_id=rule).order_by("id"))


@pytest.mark.rule("R-IN-01")
def test_receiving_unit_is_first_responsible_and_must_accept(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township), [("photo.png", PNG)])
    assert report.first_unit == personas.township == report.current_unit
    assert report.status == Status.RECEIVED
    [ob] = _obs(report, services.ACCEPT_RULE)
    assert ob.unit_id == personas.township.pk and ob.status == "open"
    services.accept(actor, report)
    ob.refresh_from_db()
    assert ob.status == "met"
    [reply_ob] = _obs(report, services.REPLY_RULE)
    assert reply_ob.unit_id == personas.township.pk and reply_ob.status == "open"
    assert report.attachments.get().sha256 and report.events.filter(kind="accepted").exists()


@pytest.mark.rule("R-IN-01")
def test_only_the_current_unit_may_act(personas: Personas) -> None:
    report = services.create_report(personas.actor("township_handler"), report_data(personas.township))
    with pytest.raises(PermissionDenied):
        services.accept(personas.actor("department_liaison"), report)
    assert not visible_to(personas.actor("department_liaison")).filter(pk=report.pk).exists()
    assert not visible_to(personas.actor("outsider")).filter(pk=report.pk).exists()


@pytest.mark.rule("R-IN-02")
def test_township_no_violation_replies_and_registers(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township))
    services.accept(actor, report)
    services.reply_no_violation(actor, report, "经现场核查，该摊位已办理许可，未发现违法行为。")
    report.refresh_from_db()
    assert report.status == Status.REPLIED and report.reply.startswith("经现场核查")
    assert all(ob.status == "met" for ob in _obs(report, services.REPLY_RULE))
    assert AuditEvent.objects.filter(action="report.no_violation", target_id=str(report.pk)).exists()
    with pytest.raises(Conflict):
        services.reply_no_violation(actor, report, "再次答复")


@pytest.mark.rule("R-IN-02")
def test_township_within_powers_takes_it_on(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township))
    with pytest.raises(Conflict):  # must accept and verify first
        services.take_on(actor, report, "立案")
    services.accept(actor, report)
    services.take_on(actor, report, "属乡镇赋权事项，立案调查", "M001")
    report.refresh_from_db()
    assert report.status == Status.HANDLING and report.matter_code == "M001"


@pytest.mark.rule("R-IN-02")
def test_township_without_jurisdiction_hands_on(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township))
    services.accept(actor, report)
    services.hand_on(actor, report, personas.department.pk, "属城市管理局保留事项")
    report.refresh_from_db()
    assert report.current_unit == personas.department and report.status == Status.RECEIVED
    assert report.events.filter(kind="transferred").exists()
    # The township's reply duty passed on with the report; the department must now accept.
    assert [o.status for o in _obs(report, services.REPLY_RULE)] == ["waived"]
    accepts = _obs(report, services.ACCEPT_RULE)
    assert [(o.unit_id, o.status) for o in accepts] == [
        (personas.township.pk, "met"),
        (personas.department.pk, "open"),
    ]
    assert Notification.objects.filter(recipient_unit=personas.department).exists()


@pytest.mark.rule("R-IN-03")
def test_department_hands_township_matter_over(personas: Personas) -> None:
    dept = personas.actor("department_liaison")
    report = services.create_report(dept, report_data(personas.township), [("doc.pdf", PDF)])
    services.hand_on(dept, report, personas.township.pk, "属乡镇赋权事项")
    kinds = list(report.events.values_list("kind", flat=True))
    assert kinds[1:] == ["registered_handover", "told_competent", "handed_on"]
    told = report.events.get(kind="told_competent")
    assert personas.township.name in told.public_label
    handed = report.events.get(kind="handed_on")
    assert "移交材料1份" in handed.label
    note = Notification.objects.get(recipient_unit=personas.township)
    assert "书面通知" in note.body
    assert visible_to(personas.actor("township_handler")).filter(pk=report.pk).exists()


@pytest.mark.rule("R-IN-04")
def test_final_unit_replies_and_feeds_back(personas: Personas) -> None:
    dept = personas.actor("department_liaison")
    town = personas.actor("township_handler")
    report = services.create_report(dept, report_data(personas.township))
    services.hand_on(dept, report, personas.township.pk, "属乡镇赋权事项")
    report = Report.objects.get(pk=report.pk)
    services.accept(town, report)
    services.take_on(town, report, "立案调查")
    services.reply(town, report, "已责令当事人整改并处罚款500元。")
    report.refresh_from_db()
    assert report.status == Status.REPLIED
    feedback = Notification.objects.filter(recipient_unit=personas.department, title__contains="办理结果反馈")
    assert feedback.count() == 1 and "罚款500元" in feedback.get().body
    assert not Notification.objects.filter(
        recipient_unit=personas.township, title__contains="办理结果反馈"
    ).exists()
    services.close(town, report)
    assert Report.objects.get(pk=report.pk).status == Status.CLOSED


@pytest.mark.rule("R-IN-05")
@pytest.mark.parametrize("channel", ["hotline_12345", "phone", "portal", "grid", "referral", "media"])
def test_every_channel_enters_the_same_flow(personas: Personas, channel: str) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township, channel=channel))
    assert report.channel == channel
    assert _obs(report, services.ACCEPT_RULE)
    services.accept(actor, report)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("text", "", "请填写反映内容"),
        ("text", "字" * 5001, "不能超过5000"),
        ("reporter_phone", "12345", ""),
        ("reporter_id_number", "330183198503120010", ""),
        ("township", "99999", "不是本县"),
        ("channel", "fax", "来源渠道"),
    ],
)
def test_bad_input_saves_nothing(personas: Personas, field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.create_report(
            personas.actor("township_handler"), report_data(personas.township, **{field: value})
        )
    assert field in info.value.details and message in info.value.details[field][0]
    assert not Report.objects.exists() and not Obligation.objects.exists()


def test_other_countys_township_refused(personas: Personas) -> None:
    from xiezhi.units.models import Unit

    foreign = Unit.objects.get(code="X01")
    with pytest.raises(ValidationFailed):
        services.create_report(personas.actor("township_handler"), report_data(foreign))


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.exe", b"MZ"), ("fake.png", b"%PDF-1.4"), ("fake.pdf", PNG), ("v.mp4", b"\x00\x00\x00\x18abcd")],
)
def test_attachment_checked_by_content(personas: Personas, name: str, content: bytes) -> None:
    with pytest.raises(ValidationFailed):
        services.create_report(
            personas.actor("township_handler"), report_data(personas.township), [(name, content)]
        )
    assert not Report.objects.exists()


def test_attachment_too_big(personas: Personas, settings: Any) -> None:
    settings.XIEZHI_INTAKE_MAX_UPLOAD = 50
    with pytest.raises(ValidationFailed, match="过大"):
        services.create_report(
            personas.actor("township_handler"), report_data(personas.township), [("p.png", PNG)]
        )


def test_attachments_are_content_addressed_and_never_overwritten(personas: Personas) -> None:
    from django.conf import settings

    actor = personas.actor("township_handler")
    a = services.create_report(actor, report_data(personas.township), [("p.png", PNG)]).attachments.get()
    b = services.create_report(actor, report_data(personas.township), [("q.png", PNG)]).attachments.get()
    assert a.path == b.path and a.sha256 == b.sha256
    stored = settings.MEDIA_ROOT / a.path
    assert stored.read_bytes() == PNG


def test_anonymous_keeps_no_personal_data(personas: Personas) -> None:
    report = services.create_report(
        personas.actor("township_handler"), report_data(personas.township, anonymous="1", reporter_name="")
    )
    assert (
        report.anonymous and report.reporter_name == report.reporter_phone == report.reporter_id_number == ""
    )
    assert services.reporter_masked(report)["name"] == "匿名"


def test_masked_and_audited_full_view(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township))
    masked = services.reporter_masked(report)
    assert masked["phone"] == "138****5678" and "陈小明" not in masked["name"]
    assert report.reporter_id_number not in masked["id_number"]
    full = services.reporter_full(actor, report)
    assert full["phone"] == "13812345678"
    assert AuditEvent.objects.filter(action="report.reporter_viewed", target_id=str(report.pk)).count() == 1


def test_redispatch_is_counted(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township))
    services.dispatch(actor, report, "M001", "甲")
    services.dispatch(actor, report, "M002", "乙")
    report.refresh_from_db()
    assert report.dispatch_count == 2 and report.matter_code == "M002"
    assert report.events.filter(kind="dispatched", label__contains="重新派单").count() == 1
