"""Assistance requests R-CO-04/05 through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.assistance import services
from xiezhi.coordination.assistance.models import AssistanceEvent, AssistanceRequest
from xiezhi.coordination.models import Dispute
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.notifications.models import Notification
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.testing.factories import Personas

from .assist_helpers import (
    clocks,
    counts,
    dispatch_data,
    isolated_media,  # noqa: F401
    request_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_media")]


def make(p: Personas, **extra: object) -> AssistanceRequest:
    return services.create_request(p.actor("township_handler"), request_data(p, **extra))


@pytest.mark.rule("R-CO-05")
def test_testing_request_owes_a_written_answer_within_3_working_days(personas: Personas) -> None:
    r = make(personas)
    ob = clocks(r)["R-CO-05"]
    assert (ob.unit_id, ob.period, ob.status) == (personas.department.pk, "3WD", "open")
    assert Notification.objects.filter(recipient_unit=personas.department, title__contains="检测").exists()
    r = services.answer(personas.actor("department_liaison"), r, {"answer": "经检测，结构存在安全隐患。"})
    assert r.status == "answered" and r.answered_at is not None
    assert r.reply is not None and r.reply.doc_type == "assistance_reply" and "助〔" in r.reply.number
    assert r.events.get(kind="answered").document_id == r.reply.pk  # type: ignore[attr-defined]
    assert clocks(r)["R-CO-05"].status == "met"
    assert AuditEvent.objects.filter(action="assistance.answered").count() == 1
    assert Notification.objects.filter(
        recipient_unit=personas.township, title__contains="已书面答复"
    ).exists()


@pytest.mark.rule("R-CO-04")
def test_other_assistance_runs_under_the_county_default(personas: Personas) -> None:
    r = make(personas, kind="other", assisting=personas.other_township.pk, subject="协助封控现场")
    ob = clocks(r)["R-CO-04"]
    assert (ob.unit_id, ob.period) == (personas.other_township.pk, "3WD")


@pytest.mark.rule("R-CO-05")
def test_urgent_request_owes_officers_on_site_and_records_who_and_when(personas: Personas) -> None:
    r = make(personas, urgent="1", urgent_reason="样品可能灭失", location="解放路18号")
    ob = clocks(r)["R-CO-05:urgent"]
    assert ob.period == "2h" and ob.status == "open"
    liaison = personas.actor("department_liaison")
    with pytest.raises(ValidationFailed):  # the written answer waits for the officers
        services.answer(liaison, r, {"answer": "已检测"})
    r = services.dispatch(liaison, r, dispatch_data(personas))
    assert r.officer_names == "赵联络、钱局长" and r.arrived_at is not None
    assert clocks(r)["R-CO-05:urgent"].status == "met"
    assert r.events.filter(kind="dispatched").exists()  # type: ignore[attr-defined]
    with pytest.raises(Conflict):  # arrival is recorded once
        services.dispatch(liaison, AssistanceRequest.objects.get(pk=r.pk), dispatch_data(personas))


@pytest.mark.rule("R-CO-05")
def test_long_procedure_extends_the_answer_duty_with_reason(personas: Personas) -> None:
    r = make(personas)
    ob = clocks(r)["R-CO-05"]
    expected = WorkCalendar.default().add_workdays(timezone.localdate(ob.due_at), 7)
    leader = personas.actor("department_leader")
    with pytest.raises(ValidationFailed):
        services.delay(leader, r, {"expected_on": expected.isoformat(), "reason": ""})
    with pytest.raises(PermissionDenied):
        services.delay(
            personas.actor("department_liaison"), r, {"expected_on": expected.isoformat(), "reason": "送检"}
        )
    r = services.delay(leader, r, {"expected_on": expected.isoformat(), "reason": "须送省级机构检测"})
    ob.refresh_from_db()
    assert timezone.localdate(ob.due_at) == expected and ob.status == "open"
    assert r.expected_on == expected
    assert AuditEvent.objects.filter(action="obligation.extended").exists()
    assert Notification.objects.filter(recipient_unit=personas.township, title__contains="预计").exists()


@pytest.mark.rule("R-CO-04")
def test_refusal_needs_a_reason_and_goes_to_the_justice_bureau_as_a_possible_dispute(
    personas: Personas,
) -> None:
    r = make(personas)
    leader = personas.actor("department_leader")
    before = counts(AssistanceEvent)
    with pytest.raises(ValidationFailed):
        services.refuse(leader, r, {"reason": "  "})
    assert counts(AssistanceEvent) == before
    assert AssistanceRequest.objects.get(pk=r.pk).status == "pending"
    r = services.refuse(leader, r, {"reason": "不属于本部门检测范围"})
    assert r.status == "refused" and clocks(r)["R-CO-05"].status == "waived"
    note = Notification.objects.get(recipient_unit=personas.justice_bureau)
    assert "协助争议" in note.title and note.url == r.get_absolute_url()
    # The requester opens the dispute straight from the refusal.
    assert services.allowed_actions(personas.actor("township_handler"), r) == ["dispute"]
    d = services.open_dispute(
        personas.actor("township_handler"), r, {"applicant_position": "属于法定协助范围"}
    )
    assert isinstance(d, Dispute) and d.kind == "assistance" and d.counterpart_id == personas.department.pk
    assert "不属于本部门检测范围" in d.counterpart_position
    with pytest.raises(Conflict):
        services.open_dispute(personas.actor("township_handler"), AssistanceRequest.objects.get(pk=r.pk), {})


def test_bad_input_writes_nothing(personas: Personas) -> None:
    handler = personas.actor("township_handler")
    before = counts(AssistanceRequest, AssistanceEvent)
    bad: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"subject": ""}, ValidationFailed),
        ({"assisting": personas.township.pk}, ValidationFailed),  # itself
        ({"assisting": personas.other_township.pk}, ValidationFailed),  # testing goes to a department
        ({"kind": "magic"}, ValidationFailed),
        ({"urgent": "1"}, ValidationFailed),  # no reason, no place
        ({"requester": personas.other_township.pk}, PermissionDenied),  # acting for another unit
    ]
    for extra, error in bad:
        with pytest.raises(error):
            services.create_request(handler, request_data(personas, **extra))
    with pytest.raises(PermissionDenied):
        services.create_request(personas.actor("dispatcher"), request_data(personas))
    assert counts(AssistanceRequest, AssistanceEvent) == before


def test_dispatch_bad_input_writes_nothing(personas: Personas) -> None:
    r = make(personas, urgent="1", urgent_reason="证据可能灭失", location="解放路18号")
    liaison = personas.actor("department_liaison")
    before = counts(AssistanceEvent)
    future = (timezone.now() + timedelta(hours=3)).isoformat()
    extras: tuple[dict[str, Any], ...] = (
        {"officers": []},
        {"officers": [personas.township_handler.pk]},  # not one of ours
        {"arrived_at": future},
        {"dispatched_at": (timezone.now() - timedelta(days=2)).isoformat()},  # before the request
    )
    for extra in extras:
        with pytest.raises(ValidationFailed):
            services.dispatch(liaison, r, dispatch_data(personas, **extra))
    with pytest.raises(PermissionDenied):  # the requester cannot record the other side's dispatch
        services.dispatch(personas.actor("township_handler"), r, dispatch_data(personas))
    assert counts(AssistanceEvent) == before
    # A past expected date is refused as well.
    with pytest.raises(ValidationFailed):
        services.delay(
            personas.actor("department_leader"), r, {"expected_on": "2020-01-01", "reason": "送检"}
        )
    assert counts(AssistanceEvent) == before


def test_withdraw_waives_the_duties(personas: Personas) -> None:
    r = make(personas)
    r = services.withdraw(personas.actor("township_handler"), r, {"reason": "当事人已自行整改"})
    assert r.status == "withdrawn" and clocks(r)["R-CO-05"].status == "waived"
    with pytest.raises(Conflict):
        services.answer(personas.actor("department_liaison"), r, {"answer": "迟到的答复"})
