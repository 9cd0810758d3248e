"""Due times (到期时间) of time limits, with a Chinese explanation a legal officer can check.

Counting (LAW.md §D rules 51–52; 民法典 arts. 200–203; 民事诉讼法 art. 85). Every time is
interpreted in Asia/Shanghai.

* The start day is never counted.
* WORKDAYS: due at ``office_close`` of the n-th working day after the start day.
* CALENDAR_DAYS: the last day is start day + n. It ends at 24:00, represented as the next
  day's 00:00 as an *exclusive* end (``Due.ends_at_midnight``; shown as "…24:00"). If the last
  day is not a working day the period ends at 24:00 of the first working day after it
  (民法典 art. 203). "Statutory holiday" (法定休假日) there is read as *any non-working day of
  the calendar* — holidays and ordinary weekends alike, but not a 调休 Saturday, which is a
  working day. That is the long-standing judicial reading (民通意见 第198条: "期间的最后一天是
  星期日或者其他法定休假日…有变通的，以实际休假日的次日为期间的最后一天") and it covers the
  narrower readings (holidays only; weekends joined to a holiday) as well.
* HOURS: clock time from the start instant; weekends and holidays do not stop the clock.
* IMMEDIATE: due at the start instant; the caller measures the delay.

Extensions (延期) must be in the period's own unit; they lengthen the period (n + added n),
as if it had been granted that long from the start. "Immediate" cannot be extended.

Suspensions (中止, ``from_date``..``to_date`` inclusive) stop the clock: the part of the
period not yet used up when the suspension begins is granted again after its last day.
For WORKDAYS that is exactly "the working days inside the suspension are added back":
remaining = working days in [from, due day]; new due day = ``to_date`` + remaining working
days. CALENDAR_DAYS count the same way in calendar days (then the art. 203 roll-over), HOURS
by the clock from 00:00 of ``from_date`` to 24:00 of ``to_date``. A suspension starting on or
before the start day counts from the day after it; one starting after the period ended
changes nothing (it is still listed). Overlapping suspensions count each day once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from xiezhi.rulebook.periods import Period, PeriodKind
from xiezhi.rulebook.workdays import DayKind, WorkCalendar
from xiezhi.rulebook.zh import (
    SHANGHAI,
    format_date_range_zh,
    format_date_zh,
    format_datetime_zh,
    weekday_zh,
)

OFFICE_CLOSE = time(17, 30)
PROVISIONAL_NOTE = "（暂定，该年度放假安排尚未公布）"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Suspension:
    """中止: the clock stops from ``from_date`` to ``to_date`` (both inclusive)."""

    from_date: date
    to_date: date
    reason: str
    approver: str

    def __post_init__(self) -> None:
        if self.to_date < self.from_date:
            raise ValueError("中止的结束日期不能早于开始日期")


@dataclass(frozen=True, slots=True)
class Extension:
    """延期: ``period`` is added to the time limit."""

    period: Period
    reason: str
    approver: str


@dataclass(frozen=True)
class Due:
    at: datetime
    provisional: bool
    explanation: str
    counted_days: list[date] = field(default_factory=list)
    ends_at_midnight: bool = False  # ``at`` is an exclusive 24:00 end (calendar-day periods)

    @property
    def last_day(self) -> date:
        """The last day on which the duty can still be met (Shanghai)."""
        local = self.at.astimezone(SHANGHAI)
        return (local - _ONE_DAY).date() if self.ends_at_midnight else local.date()

    @property
    def at_zh(self) -> str:
        """ "2024年10月8日17:30", or "2025年10月9日24:00" for a calendar-day period."""
        return format_datetime_zh(self.at, end_of_day=self.ends_at_midnight)

    def remaining_workdays(self, now: datetime, calendar: WorkCalendar) -> int:
        """Working days left, for "我的待办".

        Before the due time: working days after today up to and including the last day
        (0 = due today). After it: minus the working days from the last day (exclusive) to
        today (inclusive), but at least -1 — so any overdue item is negative.
        """
        local_now = _aware(now, "当前时间").astimezone(SHANGHAI)
        today = local_now.date()
        if local_now < self.at:
            return max(0, calendar.workdays_between(today, self.last_day))
        return -max(1, calendar.workdays_between(self.last_day, today))


def _aware(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what}必须带时区（例如 2024-09-27T10:00+08:00），不能使用无时区的时间")
    return dt


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def _plus_hours(at: datetime, delta: timedelta) -> datetime:
    # In UTC: Shanghai had daylight saving time in 1986–1991, and clock periods are real time.
    return (at.astimezone(UTC) + delta).astimezone(SHANGHAI)


def _holiday_label(name: str | None) -> str:
    # "春节(延长)" belongs to the same 春节 break as the days before it.
    return re.sub(r"[（(].*?[)）]", "", name or "节假日")


def _calendar_events(calendar: WorkCalendar, first: date, last: date, context_year: int) -> list[str]:
    """Holiday runs and adjusted working days in [first, last], in date order."""
    events: list[str] = []
    run: list[date] = []
    run_name = ""
    adjusted: list[date] = []

    def flush_run() -> None:
        if run:
            events.append(
                f"{format_date_range_zh(run[0], run[-1], context_year=context_year)}为{run_name}假期"
            )
            run.clear()

    def flush_adjusted() -> None:
        if adjusted:
            days = "、".join(
                f"{format_date_range_zh(d, d, context_year=context_year)}（{weekday_zh(d)}）"
                for d in adjusted
            )
            events.append(f"{days}为调休上班日")
            adjusted.clear()

    d = first
    while d <= last:
        info = calendar.describe(d)
        # A provisional year's statutory holiday on a weekend stays a weekend, but it still
        # belongs to the holiday's run ("2月5日至8日为春节假期").
        in_holiday = info.kind is DayKind.HOLIDAY or (
            info.kind is DayKind.WEEKEND and info.provisional and info.holiday_name is not None
        )
        if in_holiday:
            flush_adjusted()
            label = _holiday_label(info.holiday_name)
            if run and (label != run_name or run[-1] + _ONE_DAY != d):
                flush_run()
            run_name = label
            run.append(d)
        elif info.kind is DayKind.ADJUSTED_WORKDAY:
            flush_run()
            adjusted.append(d)
        elif info.kind is DayKind.WORKDAY:
            flush_run()
        d += _ONE_DAY
    flush_run()
    flush_adjusted()
    return events


def _any_provisional(calendar: WorkCalendar, first: date, last: date) -> bool:
    years = range(first.year, last.year + 1)
    if all(y in calendar.notice_years for y in years):
        return False
    d = first
    while d <= last:
        if calendar.is_provisional(d):
            return True
        d += _ONE_DAY
    return False


def _suspension_text(s: Suspension, context_year: int) -> str:
    span = format_date_range_zh(s.from_date, s.to_date, context_year=context_year)
    return f"中止{span}（理由：{s.reason}；批准人：{s.approver}）"


def _in_pauses(d: date, pauses: list[tuple[date, date]]) -> bool:
    return any(a <= d <= b for a, b in pauses)


def due(
    start: datetime,
    period: Period,
    calendar: WorkCalendar,
    office_close: time = OFFICE_CLOSE,
    pauses: Sequence[Suspension] = (),
    extensions: Sequence[Extension] = (),
) -> Due:
    """When a time limit of ``period`` that starts at ``start`` (aware) falls due."""
    local = _aware(start, "起算时间").astimezone(SHANGHAI)
    d0 = local.date()
    kind = period.kind
    for ext in extensions:
        if kind is PeriodKind.IMMEDIATE:
            raise ValueError("“立即”时限不能延期")
        if ext.period.kind is not kind:
            raise ValueError(f"延期时限的单位（{ext.period}）应与原时限（{period}）一致")
    total = period.n + sum(ext.period.n for ext in extensions)
    cy = d0.year
    notes = [f"延期{ext.period}（理由：{ext.reason}；批准人：{ext.approver}）" for ext in extensions]
    events: list[str] = []
    tail: list[str] = []
    counted: list[date] = []
    provisional = False
    ends_at_midnight = False
    ordered = sorted(pauses, key=lambda s: s.from_date)

    if kind is PeriodKind.WORKDAYS:
        head = f"自{format_date_zh(d0)}起算{period}"
        last = calendar.add_workdays(d0, total)
        floor = d0 + _ONE_DAY
        applied: list[tuple[date, date]] = []
        for s in ordered:
            f = max(s.from_date, floor)
            if f > last or s.to_date < f:
                notes.append(f"{_suspension_text(s, cy)}不在计算期间内，不影响时限")
                continue
            remaining = calendar.workdays_between(f - _ONE_DAY, last)
            paused = calendar.workdays_between(f - _ONE_DAY, s.to_date)
            last = calendar.add_workdays(s.to_date, remaining)
            applied.append((f, s.to_date))
            floor = s.to_date + _ONE_DAY
            notes.append(f"{_suspension_text(s, cy)}，其间{paused}个工作日不计入")
        at = datetime.combine(last, office_close, tzinfo=SHANGHAI)
        n_span = calendar.workdays_between(d0, last)
        span_days = (calendar.add_workdays(d0, k) for k in range(1, n_span + 1))
        counted = [d for d in span_days if not _in_pauses(d, applied)]
        events = _calendar_events(calendar, d0 + _ONE_DAY, last, cy)
        provisional = _any_provisional(calendar, d0 + _ONE_DAY, last)

    elif kind is PeriodKind.CALENDAR_DAYS:
        head = f"自{format_date_zh(d0)}起算{period}"
        ends_at_midnight = True
        last = d0 + timedelta(days=total)
        final = last if calendar.is_workday(last) else calendar.next_workday(last)
        floor = d0 + _ONE_DAY
        applied = []
        for s in ordered:
            f = max(s.from_date, floor)
            if f > final or s.to_date < f:
                notes.append(f"{_suspension_text(s, cy)}不在计算期间内，不影响时限")
                continue
            remaining = max(0, (last - f).days + 1)
            last = s.to_date + timedelta(days=remaining)
            final = last if calendar.is_workday(last) else calendar.next_workday(last)
            applied.append((f, s.to_date))
            floor = s.to_date + _ONE_DAY
            notes.append(f"{_suspension_text(s, cy)}，其间{(s.to_date - f).days + 1}日不计入")
        if final != last:
            info = calendar.describe(last)
            what = f"{_holiday_label(info.holiday_name)}假期" if info.kind is DayKind.HOLIDAY else "休息日"
            last_zh = format_date_range_zh(last, last, context_year=cy)
            final_zh = format_date_range_zh(final, final, context_year=cy)
            tail.append(
                f"最后一日{last_zh}（{weekday_zh(last)}）为{what}，依民法典第二百零三条顺延至{final_zh}"
            )
        at = _midnight(final + _ONE_DAY)
        counted = [
            d
            for d in (d0 + timedelta(days=k) for k in range(1, (last - d0).days + 1))
            if not _in_pauses(d, applied)
        ]
        provisional = _any_provisional(calendar, d0 + _ONE_DAY, final)

    elif kind is PeriodKind.HOURS:
        head = f"自{format_datetime_zh(local)}起算{period}"
        at = _plus_hours(local, timedelta(hours=total))
        floor_at = local
        for s in ordered:
            f_at = max(_midnight(s.from_date), floor_at)
            end_at = _midnight(s.to_date + _ONE_DAY)
            if f_at >= at or end_at <= f_at:
                notes.append(f"{_suspension_text(s, cy)}不在计算期间内，不影响时限")
                continue
            left = at.astimezone(UTC) - f_at.astimezone(UTC)
            at = _plus_hours(end_at, left)
            floor_at = end_at
            notes.append(f"{_suspension_text(s, cy)}，其间不计时")
        d = d0
        while d <= at.date() and calendar.is_workday(d):
            d += _ONE_DAY
        if d <= at.date():
            tail.append("小时时限按自然时间连续计算，休息日、节假日不中断")

    else:  # IMMEDIATE
        head = f"自{format_datetime_zh(local)}起立即办理"
        at = local
        notes.extend(f"{_suspension_text(s, cy)}不适用于“立即”时限" for s in ordered)
        tail.append("迟延时长自该时起计算")

    parts = []
    if events:
        parts.append("，".join(events))
    parts.extend(notes)
    if tail:
        parts.append("，".join(tail))
    text = head + ("：" + "；".join(parts) if parts else "")
    text += f"，截止{format_datetime_zh(at, end_of_day=ends_at_midnight)}"
    if provisional:
        text += PROVISIONAL_NOTE
    return Due(at, provisional, text, counted, ends_at_midnight)


def remind_at(deadline: Due, before: Period, calendar: WorkCalendar) -> datetime:
    """When to remind ``before`` the due time (e.g. 1 WD before, at the same time of day)."""
    if before.kind is PeriodKind.IMMEDIATE:
        return deadline.at
    if before.kind is PeriodKind.HOURS:
        return _plus_hours(deadline.at, -timedelta(hours=before.n))
    local = deadline.at.astimezone(SHANGHAI)
    if before.kind is PeriodKind.CALENDAR_DAYS:
        return local - timedelta(days=before.n)
    if deadline.ends_at_midnight:
        return _midnight(calendar.sub_workdays(deadline.last_day, before.n) + _ONE_DAY)
    return datetime.combine(calendar.sub_workdays(local.date(), before.n), local.timetz())
