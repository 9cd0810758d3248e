"""API schemas for the calendar, deadline computation and obligations."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field

from xiezhi.core.actor import Actor
from xiezhi.deadlines import computing
from xiezhi.deadlines.access import can_approve_change, can_waive
from xiezhi.deadlines.models import Obligation, ObligationEvent
from xiezhi.rulebook.deadlines import Due
from xiezhi.rulebook.workdays import DayInfo, WorkCalendar
from xiezhi.rulebook.workflows import OBLIGATION


def _local(value: datetime | None) -> datetime | None:
    """API times are shown in Beijing time (+08:00), whatever the database hands back."""
    return timezone.localtime(value) if value is not None else None


class DayOut(Schema):
    date: date
    kind: str
    is_workday: bool
    name: str | None
    provisional: bool
    source: str | None

    @staticmethod
    def of(info: DayInfo) -> DayOut:
        return DayOut(
            date=info.date,
            kind=str(info.kind),
            is_workday=info.is_workday,
            name=info.holiday_name,
            provisional=info.provisional,
            source=info.source,
        )


class CalendarYearOut(Schema):
    year: int
    provisional: bool = Field(description="该年度放假安排尚未公布，按法定节假日推算")
    workdays: int
    full: bool = Field(description="true：列出全年每一天；false：只列出节假日、调休上班日等非常规日期")
    days: list[DayOut]


class ComputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    start: datetime = Field(description="起算时间，必须带时区，如 2024-09-27T10:00:00+08:00")
    period: str = Field(description="时限：3WD（工作日）、24h（小时）、15d（自然日）或 immediate（立即）")
    office_close: str | None = Field(default=None, description="下班时间 HH:MM，默认 17:30")


class DueOut(Schema):
    due: str
    provisional: bool
    explanation: str
    counted_days: list[date]

    @staticmethod
    def of(d: Due) -> DueOut:
        return DueOut(
            due=d.at.isoformat(),
            provisional=d.provisional,
            explanation=d.explanation,
            counted_days=list(d.counted_days),
        )


class UnitRef(Schema):
    id: int
    name: str


class SubjectRef(Schema):
    type: str
    id: str
    label: str
    url: str


class ObligationOut(Schema):
    id: int
    rule_id: str
    unit: UnitRef
    subject: SubjectRef
    opened_at: datetime
    period: str
    due_at: datetime
    provisional: bool
    status: str
    status_label: str
    met_at: datetime | None
    met_on_time: bool | None
    workdays_left: int | None = Field(description="剩余工作日（超期为负数）；已办结为 null")
    escalation_level: int
    explanation: str

    @staticmethod
    def of(ob: Obligation, calendar: WorkCalendar, now: datetime) -> ObligationOut:
        return ObligationOut(
            id=ob.pk,
            rule_id=ob.rule_id,
            unit=UnitRef(id=ob.unit_id, name=ob.unit.name),
            subject=SubjectRef(
                type=f"{ob.subject_type.app_label}.{ob.subject_type.model}",
                id=ob.subject_id,
                label=ob.subject_label,
                url=ob.subject_url,
            ),
            opened_at=timezone.localtime(ob.opened_at),
            period=ob.period,
            due_at=timezone.localtime(ob.due_at),
            provisional=ob.provisional,
            status=ob.status,
            status_label=OBLIGATION.state_label(ob.status),
            met_at=_local(ob.met_at),
            met_on_time=ob.met_on_time,
            workdays_left=computing.as_due(ob).remaining_workdays(now, calendar) if ob.is_active else None,
            escalation_level=ob.escalation_level,
            explanation=ob.explanation,
        )


class EventOut(Schema):
    kind: str
    kind_label: str
    at: datetime
    actor: str
    reason: str
    old_due: datetime | None
    new_due: datetime | None
    period: str
    note: str

    @staticmethod
    def of(e: ObligationEvent) -> EventOut:
        return EventOut(
            kind=e.kind,
            kind_label=e.get_kind_display(),
            at=timezone.localtime(e.at),
            actor=e.actor_name,
            reason=e.reason,
            old_due=_local(e.old_due),
            new_due=_local(e.new_due),
            period=e.period,
            note=e.note,
        )


class ObligationDetailOut(ObligationOut):
    history: list[EventOut]
    allowed_actions: list[str] = Field(description="当前用户可执行的操作")

    @staticmethod
    def detail(ob: Obligation, actor: Actor, calendar: WorkCalendar, now: datetime) -> ObligationDetailOut:
        base = ObligationOut.of(ob, calendar, now).model_dump()
        return ObligationDetailOut(
            **base,
            history=[EventOut.of(e) for e in ob.events.order_by("at", "pk")],
            allowed_actions=allowed_actions(actor, ob),
        )


def allowed_actions(actor: Actor, ob: Obligation) -> list[str]:
    found: list[str] = []
    for action in ("extend", "suspend", "resume"):
        if OBLIGATION.can(ob.status, action) and can_approve_change(actor, ob):
            found.append(action)
    if OBLIGATION.can(ob.status, "waive") and can_waive(actor, ob):
        found.append("waive")
    return found


class ObligationPage(Schema):
    items: list[ObligationOut]
    total: int
    page: int
    page_size: int
    pages: int


class ExtendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(description="延长的时限，单位须与原时限一致，如 2WD")
    reason: str = ""


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""
