"""/api/v1/calendar/{year}, /api/v1/deadlines/compute and /api/v1/obligations… (router mounted at "/")."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from xiezhi.core.api import actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.pagination import paginate
from xiezhi.deadlines import computing, selectors, services
from xiezhi.deadlines.access import access_obligation
from xiezhi.deadlines.schemas import (
    CalendarYearOut,
    ComputeIn,
    DayOut,
    DueOut,
    ExtendIn,
    ObligationDetailOut,
    ObligationOut,
    ObligationPage,
    ReasonIn,
)
from xiezhi.rulebook.workdays import FIRST_YEAR, LAST_YEAR, WorkCalendar
from xiezhi.rulebook.workflows import OBLIGATION

router = Router(tags=["时限 deadlines"])


def calendar_year(calendar: WorkCalendar, year: int, *, full: bool) -> CalendarYearOut:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed.field("year", f"年份须在{FIRST_YEAR}至{LAST_YEAR}之间")
    infos = [
        calendar.describe(date.fromordinal(o))
        for o in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal())
    ]
    days = (
        infos if full else [i for i in infos if i.kind in ("holiday", "adjusted_workday") or i.holiday_name]
    )
    return CalendarYearOut(
        year=year,
        provisional=year not in calendar.notice_years,
        workdays=sum(1 for i in infos if i.is_workday),
        full=full,
        days=[DayOut.of(i) for i in days],
    )


@router.get(
    "/calendar/{int:year}",
    response=CalendarYearOut,
    summary="某年工作日历（节假日、调休上班日；full=true 列出每一天）",
)
def get_calendar(request: HttpRequest, year: int, full: bool = False) -> CalendarYearOut:
    actor(request)
    return calendar_year(WorkCalendar.default(), year, full=full)


@router.post("/deadlines/compute", response=DueOut, summary="计算时限截止时间")
def compute(request: HttpRequest, payload: ComputeIn) -> DueOut:
    actor(request)
    return DueOut.of(computing.compute_deadline(payload.start, payload.period, payload.office_close))


@router.get("/obligations", response=ObligationPage, summary="时限义务列表（按本单位/辖区/全县范围）")
def list_obligations(
    request: HttpRequest,
    unit: int | None = None,
    status: str | None = None,
    due_before: str | None = None,
    rule: str | None = None,
    page: int = 1,
    page_size: int = 20,
) -> ObligationPage:
    who = actor(request)
    if status and status != "active" and status not in OBLIGATION.states:
        allowed = "、".join(["active", *OBLIGATION.states])
        raise ValidationFailed.field("status", f"状态无效，可选：{allowed}")
    qs = (
        selectors.filtered(
            selectors.visible_to(who),
            unit=unit,
            status=status,
            due_before=selectors.parse_due_before(due_before),
            rule=rule,
        )
        .select_related("subject_type")
        .order_by("due_at", "pk")
    )
    result = paginate(qs, page, page_size)
    calendar, now = WorkCalendar.default(), timezone.now()
    return ObligationPage(
        items=[ObligationOut.of(ob, calendar, now) for ob in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
    )


def _detail(request: HttpRequest, pk: int) -> ObligationDetailOut:
    who = actor(request)
    ob = access_obligation(who, pk)
    return ObligationDetailOut.detail(ob, who, WorkCalendar.default(), timezone.now())


@router.get("/obligations/{int:obligation_id}", response=ObligationDetailOut, summary="时限义务详情与记录")
def get_obligation(request: HttpRequest, obligation_id: int) -> ObligationDetailOut:
    return _detail(request, obligation_id)


@router.post(
    "/obligations/{int:obligation_id}/extend",
    response=ObligationDetailOut,
    summary="延长时限（责任单位负责人或监督单位）",
)
def extend(request: HttpRequest, obligation_id: int, payload: ExtendIn) -> ObligationDetailOut:
    services.extend(actor(request), obligation_id, payload.period, payload.reason)
    return _detail(request, obligation_id)


@router.post("/obligations/{int:obligation_id}/suspend", response=ObligationDetailOut, summary="中止计时")
def suspend(request: HttpRequest, obligation_id: int, payload: ReasonIn) -> ObligationDetailOut:
    services.suspend(actor(request), obligation_id, payload.reason)
    return _detail(request, obligation_id)


@router.post("/obligations/{int:obligation_id}/resume", response=ObligationDetailOut, summary="恢复计时")
def resume(request: HttpRequest, obligation_id: int, payload: ReasonIn) -> ObligationDetailOut:
    services.resume(actor(request), obligation_id, payload.reason)
    return _detail(request, obligation_id)


@router.post(
    "/obligations/{int:obligation_id}/waive", response=ObligationDetailOut, summary="免除（监督单位）"
)
def waive(request: HttpRequest, obligation_id: int, payload: ReasonIn) -> ObligationDetailOut:
    services.waive(actor(request), obligation_id, payload.reason)
    return _detail(request, obligation_id)
