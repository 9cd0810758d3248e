"""R-TR-08 "accept: it becomes the receiver's matter, the source report follows it".

A township hands on a report whose matter belongs to the department: intake drafts a transfer and the
report stays with the township. Only the department's written acceptance moves the report (handling
unit, timeline, public tracking page, audit, reply clock); a decline leaves it with the township.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.services import subject_key
from xiezhi.intake import services as intake
from xiezhi.intake.models import Report, ReportEvent
from xiezhi.transfers import replies
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import World, api, handed_on_report, page

pytestmark = pytest.mark.django_db


def reply_clocks(report: Report) -> list[tuple[int, str]]:
    subject_type, subject_id = subject_key(report)
    return sorted(
        Obligation.objects.filter(
            subject_type=subject_type, subject_id=subject_id, rule_id=intake.REPLY_RULE
        ).values_list("unit_id", "status")
    )


def tracking(report: Report) -> str:
    return Client().get("/public/track/", {"code": report.tracking_code}).content.decode()


def test_hand_on_as_a_transfer_keeps_the_report_with_the_township(world: World) -> None:
    report, t = handed_on_report(world)
    report.refresh_from_db()
    assert report.current_unit == world.town and report.status == "accepted"
    assert t.source_reference == f"投诉举报{report.pk}"
    page = tracking(report)
    assert f'data-testid="public-unit">{world.town.name}<' in page
    assert f"正在依法移送{world.dept.name}" in page
    assert AuditEvent.objects.filter(action="report.transfer_drafted", target_id=str(report.pk)).exists()


@pytest.mark.rule("R-TR-08")
def test_accepting_the_transfer_moves_the_source_report_to_the_receiver(world: World) -> None:
    report, t = handed_on_report(world)
    liaison = api(world, "department_liaison")
    r = liaison.post(
        f"/api/v1/transfers/{t.pk}/accept",
        data=json.dumps({"handling": "立案查处"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content.decode()
    t.refresh_from_db()
    report.refresh_from_db()
    assert report.current_unit == world.dept and report.status == "accepted"
    assert report.involved_units.filter(pk=world.dept.pk).exists()
    assert t.letter is not None
    event = ReportEvent.objects.get(report=report, kind="followed_transfer")
    assert f"案件移送{t.pk}（{t.letter.number}）" in event.label and world.dept.name in event.label
    assert event.public_label == f"已由{world.dept.name}受理办理"
    page = tracking(report)
    assert f'data-testid="public-unit">{world.dept.name}<' in page
    assert f"已由{world.dept.name}受理办理" in page
    audit = AuditEvent.objects.get(action="report.followed_transfer", target_id=str(report.pk))
    assert audit.before is not None and audit.after is not None
    assert (
        audit.before["current_unit_id"] == world.town.pk and audit.after["current_unit_id"] == world.dept.pk
    )
    assert audit.unit_id == world.dept.pk
    # The township's reply clock ends; the department's starts.
    assert reply_clocks(report) == sorted([(world.town.pk, "waived"), (world.dept.pk, "open")])
    # The department now acts on the report as its own; the township no longer can.
    intake.take_on(world.actor("department_liaison"), report, "已立案查处")
    assert Report.objects.get(pk=report.pk).status == "handling"


@pytest.mark.rule("R-TR-08")
def test_a_declined_transfer_leaves_the_report_with_the_sender(world: World) -> None:
    report, t = handed_on_report(world)
    before_events = ReportEvent.objects.filter(report=report).count()
    replies.decline(
        world.actor("department_leader"), t, {"reason": "not_competent", "detail": "不属于本局管辖"}
    )
    report.refresh_from_db()
    assert Transfer.objects.get(pk=t.pk).status == "declined"
    assert report.current_unit == world.town and report.status == "accepted"
    assert not report.involved_units.filter(pk=world.dept.pk).exists()
    assert ReportEvent.objects.filter(report=report).count() == before_events
    assert not AuditEvent.objects.filter(action="report.followed_transfer").exists()
    assert reply_clocks(report) == [(world.town.pk, "open")]
    assert f'data-testid="public-unit">{world.town.name}<' in tracking(report)


def test_a_report_replied_to_meanwhile_stays_put_and_says_why(world: World) -> None:
    report, t = handed_on_report(world)
    Report.objects.filter(pk=report.pk).update(status="replied")
    replies.accept(world.actor("department_liaison"), t)
    report.refresh_from_db()
    assert report.current_unit == world.town and report.status == "replied"
    assert "未随之转移" in ReportEvent.objects.get(report=report, kind="transfer_accepted").label
    assert not AuditEvent.objects.filter(action="report.followed_transfer").exists()


def test_a_report_already_with_the_receiver_only_gets_a_timeline_entry(world: World) -> None:
    report, t = handed_on_report(world)
    Report.objects.filter(pk=report.pk).update(current_unit=world.dept)  # moved at hand-on (older data)
    replies.accept(world.actor("department_liaison"), t)
    report.refresh_from_db()
    assert report.current_unit == world.dept and report.status == "accepted"
    assert ReportEvent.objects.get(report=report, kind="transfer_accepted").label.startswith(world.dept.name)
    assert not ReportEvent.objects.filter(report=report, kind="followed_transfer").exists()


def test_no_second_hand_on_while_the_transfer_is_open_but_after_a_decline(world: World) -> None:
    report, t = handed_on_report(world)
    town = world.actor("township_handler")
    with pytest.raises(Conflict, match=f"案件移送{t.pk}"):
        intake.hand_on(town, Report.objects.get(pk=report.pk), world.p.other_township.pk, "再次移交")
    assert Transfer.objects.count() == 1 and Report.objects.get(pk=report.pk).transfer_id == t.pk
    replies.decline(world.actor("department_leader"), t, {"reason": "not_competent", "detail": "不属于本局"})
    # Declined: the township may hand it on again (a new draft transfer).
    intake.hand_on(town, Report.objects.get(pk=report.pk), world.p.other_township.pk, "属邻镇管辖")
    assert Transfer.objects.count() == 2


def test_the_transfer_page_links_the_source_report_for_whoever_may_see_it(world: World) -> None:
    report, t = handed_on_report(world)
    link = f'href="/intake/{report.pk}/" data-testid="source-report">{report.tracking_code}<'
    assert link in page(world, "township_handler").get(f"/transfers/{t.pk}/").content.decode()
    # Until it accepts, the department is not involved in the report: its page names no report it cannot open.
    liaison = page(world, "department_liaison")
    before = liaison.get(f"/transfers/{t.pk}/")
    assert before.status_code == 200 and 'data-testid="source-report"' not in before.content.decode()
    replies.accept(world.actor("department_liaison"), t, {"handling": "立案查处"})
    assert link in liaison.get(f"/transfers/{t.pk}/").content.decode()
