"""Hazard notices R-CO-02 through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.assistance import hazards
from xiezhi.coordination.assistance.models import HazardEvent, HazardNotice
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.deadlines import sweep
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas

from .assist_helpers import (
    clocks,
    counts,
    dispatch_data,
    hazard_data,
    isolated_media,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_media")]


def make(p: Personas, **extra: object) -> HazardNotice:
    return hazards.notify_hazard(p.actor("township_handler"), hazard_data(p, **extra))


@pytest.mark.rule("R-CO-02")
def test_department_owes_officers_at_once_and_records_dispatch_and_arrival(personas: Personas) -> None:
    h = make(personas)
    ob = clocks(h)["R-CO-02"]
    assert (ob.unit_id, ob.period, ob.status) == (personas.department.pk, "2h", "open")
    assert Notification.objects.filter(
        recipient_unit=personas.department, title__contains="重大隐患"
    ).exists()
    h = hazards.dispatch(personas.actor("department_liaison"), h, dispatch_data(personas))
    assert h.status == "onsite" and h.officer_names == "赵联络、钱局长"
    assert clocks(h)["R-CO-02"].status == "met"
    h = hazards.close(personas.actor("township_handler"), h, {"outcome": "已停气检修"})
    assert h.status == "closed"
    assert list(h.events.values_list("kind", flat=True)) == ["notified", "dispatched", "closed"]  # type: ignore[attr-defined]


@pytest.mark.rule("R-CO-02")
def test_refusal_needs_a_reason_and_is_reported_to_the_government_with_proposals(personas: Personas) -> None:
    h = make(personas)
    leader = personas.actor("department_leader")
    before = counts(HazardEvent)
    with pytest.raises(ValidationFailed):
        hazards.refuse(leader, h, {"reason": ""})
    with pytest.raises(PermissionDenied):  # a leader's decision
        hazards.refuse(personas.actor("department_liaison"), h, {"reason": "不属本部门"})
    assert counts(HazardEvent) == before and HazardNotice.objects.get(pk=h.pk).status == "notified"
    # Even a write that skips the service cannot store a reasonless refusal.
    with pytest.raises(IntegrityError), transaction.atomic():
        HazardNotice.objects.filter(pk=h.pk).update(status="refused", refusal_reason="")
    h = hazards.refuse(leader, h, {"reason": "燃气管道归属燃气公司，不属本部门职责"})
    assert h.status == "refused" and h.reported_at is not None
    note = Notification.objects.get(recipient_unit=personas.government)
    assert "停气检修" in note.body and "主管部门拒绝派员" in note.title
    assert AuditEvent.objects.filter(action="hazard.reported").count() == 1
    assert clocks(h)["R-CO-02"].status == "waived"


@pytest.mark.rule("R-CO-02")
def test_overdue_dispatch_is_reported_to_the_government_once(personas: Personas) -> None:
    h = make(personas)
    later = timezone.now() + timedelta(hours=3)
    sweep.run(now=later)
    assert clocks(h)["R-CO-02"].status == "overdue"
    assert hazards.report_overdue(later) == 1
    assert hazards.report_overdue(later) == 0
    h.refresh_from_db()
    assert h.report_reason == "主管部门超时未派员" and h.status == "notified"
    assert (
        Notification.objects.filter(recipient_unit=personas.government, title__contains="超时未派员").count()
        == 1
    )
    # The department can still go; the duty is then met late.
    h = hazards.dispatch(personas.actor("department_liaison"), h, dispatch_data(personas))
    assert clocks(h)["R-CO-02"].status == "met"


@pytest.mark.rule("R-CO-02")
def test_township_may_report_straight_to_the_government_with_proposals(personas: Personas) -> None:
    with pytest.raises(ValidationFailed):
        make(personas, department="", to_government="1", proposals="")
    h = make(personas, department="", to_government="1")
    assert h.status == "reported" and h.department_id is None and clocks(h) == {}
    assert Notification.objects.filter(recipient_unit=personas.government).exists()


def test_bad_input_writes_nothing(personas: Personas) -> None:
    before = counts(HazardNotice, HazardEvent)
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    for extra in (
        {"found_at": future},
        {"title": ""},
        {"department": personas.township.pk},
        {"category": "x"},
    ):
        with pytest.raises(ValidationFailed):
            make(personas, **extra)
    with pytest.raises(PermissionDenied):  # acting for another township
        make(personas, township=personas.other_township.pk)
    with pytest.raises(PermissionDenied):  # a department does not notify itself
        hazards.notify_hazard(personas.actor("department_liaison"), hazard_data(personas))
    assert counts(HazardNotice, HazardEvent) == before
    h = make(personas)
    before = counts(HazardEvent)
    with pytest.raises(PermissionDenied):
        hazards.dispatch(personas.actor("other_township_handler"), h, dispatch_data(personas))
    with pytest.raises(Conflict):
        hazards.close(personas.actor("township_handler"), h, {"outcome": "未到场就办结"})
    assert counts(HazardEvent) == before
