"""Turning an obligation's rule, start and history into a due time and the sweep's markers.

The due time is always the rulebook's `due()`; this module only feeds it the obligation's
extensions and suspensions (read back from its history) and derives from the result the
moments the sweep acts on: the next reminder (`remind_at`) and the next escalation
(`escalate_at`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from xiezhi.deadlines.models import EventKind, Obligation, ObligationEvent
from xiezhi.rulebook import periods
from xiezhi.rulebook.deadlines import OFFICE_CLOSE, Due, Extension, Suspension, due, remind_at
from xiezhi.rulebook.periods import Period, PeriodKind, parse_period
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.zh import SHANGHAI

MAX_LEVEL = 2


def _configured(name: str, default: Sequence[Period]) -> tuple[Period, ...]:
    raw = getattr(settings, name, None)
    if raw is None:
        return tuple(default)
    return tuple(parse_period(code) if isinstance(code, str) else code for code in raw)


def reminder_offsets() -> tuple[Period, ...]:
    """Reminders before the due time (settings XIEZHI_REMINDER_OFFSETS, codes such as "1WD",
    "4h", "immediate"; default: periods.REMINDER_BEFORE and REMINDER_AT_DUE — 1 WD before, and at
    the due time). "immediate" means the notice sent when the sweep marks the duty overdue."""
    return _configured(
        "XIEZHI_REMINDER_OFFSETS", (periods.REMINDER_BEFORE.period, periods.REMINDER_AT_DUE.period)
    )


def before_offsets() -> tuple[Period, ...]:
    """The reminders that come before the due time, furthest first."""
    offs = [p for p in reminder_offsets() if p.kind is not PeriodKind.IMMEDIATE and p.n > 0]
    return tuple(sorted(offs, key=_rough_length, reverse=True))


def remind_at_due() -> bool:
    return any(p.kind is PeriodKind.IMMEDIATE or p.n == 0 for p in reminder_offsets())




def escalation_thresholds() -> tuple[Period, ...]:
    """How long after the due time an overdue duty is escalated (level 1, level 2): settings
    XIEZHI_ESCALATION_AFTER, else the rulebook's county policy (CP-ESCALATE-1, CP-ESCALATE-2)."""
    default = (periods.ESCALATE_FIRST.period, periods.ESCALATE_SECOND.period)
    return _configured("XIEZHI_ESCALATION_AFTER", default)[:MAX_LEVEL]


def _rough_length(p: Period) -> float:
    hours = {PeriodKind.WORKDAYS: 24.0 * 7 / 5, PeriodKind.CALENDAR_DAYS: 24.0, PeriodKind.HOURS: 1.0}
    return hours.get(p.kind, 0.0) * p.n


def office_close_of(ob: Obligation) -> time:
    return ob.unit.office_close or OFFICE_CLOSE


def local(dt: datetime) -> datetime:
    return dt.astimezone(SHANGHAI)


def as_due(ob: Obligation) -> Due:
    """The stored due time as a rulebook `Due` (enough for remaining working days and markers)."""
    kind = parse_period(ob.period).kind
    return Due(ob.due_at, ob.provisional, ob.explanation, [], kind is PeriodKind.CALENDAR_DAYS)


def after_due(deadline: Due, after: Period, calendar: WorkCalendar) -> datetime:
    """The moment ``after`` has passed since the due time (1 WD overdue = the same time of day on
    the next working day; for a 24:00 end, 24:00 of that working day)."""
    at = local(deadline.at)
    if after.kind is PeriodKind.IMMEDIATE or after.n == 0:
        return at
    if after.kind is PeriodKind.HOURS:
        return at + timedelta(hours=after.n)
    if after.kind is PeriodKind.CALENDAR_DAYS:
        return at + timedelta(days=after.n)
    if deadline.ends_at_midnight:
        last = calendar.add_workdays(deadline.last_day, after.n)
        return datetime.combine(last + timedelta(days=1), time(0), tzinfo=SHANGHAI)
    return datetime.combine(calendar.add_workdays(at.date(), after.n), at.timetz())


@dataclass(frozen=True)
class Markers:
    remind_at: datetime | None
    reminders_sent: int
    escalate_at: datetime | None


def reminder_marker(
    deadline: Due, calendar: WorkCalendar, now: datetime, sent: int = 0
) -> tuple[datetime | None, int]:
    """The next before-due reminder not yet passed, skipping the ones whose time is already over
    (a duty opened 2 hours before its due time gets no "1 working day left" reminder)."""
    offsets = before_offsets()
    for index in range(sent, len(offsets)):
        at = remind_at(deadline, offsets[index], calendar)
        if now < at < deadline.at:
            return at, index
    return None, len(offsets)


def escalation_marker(deadline: Due, calendar: WorkCalendar, level: int) -> datetime | None:
    thresholds = escalation_thresholds()
    if level >= len(thresholds):
        return None
    return after_due(deadline, thresholds[level], calendar)


def markers_for(deadline: Due, calendar: WorkCalendar, now: datetime, *, level: int = 0) -> Markers:
    at, sent = reminder_marker(deadline, calendar, now)
    return Markers(at, sent, escalation_marker(deadline, calendar, level))


def adjustments(events: Iterable[ObligationEvent]) -> tuple[list[Suspension], list[Extension]]:
    """Extensions and completed suspensions from the history, oldest first.

    A suspension runs from the (Shanghai) day it was suspended to the day it was resumed, both
    inclusive: like the start day of a period, the day the clock restarts is not counted.
    """
    pauses: list[Suspension] = []
    extensions: list[Extension] = []
    open_pause: ObligationEvent | None = None
    for e in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if e.kind == EventKind.EXTENDED and e.period:
            extensions.append(Extension(parse_period(e.period), e.reason, e.actor_name or "系统"))
        elif e.kind == EventKind.SUSPENDED:
            open_pause = e
        elif e.kind == EventKind.RESUMED and open_pause is not None:
            pauses.append(
                Suspension(
                    local(open_pause.at).date(),
                    local(e.at).date(),
                    open_pause.reason,
                    open_pause.actor_name or "系统",
                )
            )
            open_pause = None
    return pauses, extensions


def history_of(ob: Obligation) -> list[ObligationEvent]:
    if ob.pk is None:
        return []
    return list(ob.events.filter(kind__in=(EventKind.EXTENDED, EventKind.SUSPENDED, EventKind.RESUMED)))


def compute(
    ob: Obligation,
    calendar: WorkCalendar,
    *,
    extra_events: Sequence[ObligationEvent] = (),
    history: Sequence[ObligationEvent] | None = None,
) -> Due:
    """The due time of ``ob`` from its start, its period and its history (plus ``extra_events``
    not saved yet). Raises ValueError with a Chinese message for impossible input."""
    events = list(history_of(ob) if history is None else history) + list(extra_events)
    pauses, extensions = adjustments(events)
    return due(ob.opened_at, parse_period(ob.period), calendar, office_close_of(ob), pauses, extensions)


def year_start(year: int) -> datetime:
    return datetime.combine(date(year, 1, 1), time(0), tzinfo=SHANGHAI)


def compute_deadline(
    start: datetime, period_text: str, office_close: str | None = None, calendar: WorkCalendar | None = None
) -> Due:
    """The API's and the CLI's deadline computation, with Chinese field errors (422)."""
    from xiezhi.core.errors import ValidationFailed

    errors: dict[str, list[str]] = {}
    if start.tzinfo is None or start.utcoffset() is None:
        errors["start"] = ["起算时间必须带时区，例如 2024-09-27T10:00:00+08:00（北京时间）"]
    period: Period | None = None
    try:
        period = parse_period(period_text)
    except ValueError as exc:
        errors["period"] = [str(exc)]
    close = OFFICE_CLOSE
    if office_close:
        try:
            close = time.fromisoformat(office_close)
        except ValueError:
            errors["office_close"] = ["下班时间格式应为 HH:MM，如 17:30"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    assert period is not None
    try:
        return due(start, period, calendar or WorkCalendar.default(), close)
    except (ValueError, OverflowError) as exc:
        message = str(exc) or "无法计算该时限"
        raise ValidationFailed(message, details={"start": [message]}) from None
