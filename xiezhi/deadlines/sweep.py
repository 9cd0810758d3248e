"""The deadline sweep (时限巡检): mark overdue, remind, escalate. Run by `xiezhi sweep` every minute.

Each step claims its rows with one set-based conditional UPDATE … RETURNING (on PostgreSQL the
candidate rows are locked with FOR UPDATE SKIP LOCKED, so two sweeps at once take disjoint rows
and never wait on each other) and, in the same transaction, writes the history rows (bulk) and
the notifications. A row is therefore claimed — and its reminder sent — exactly once: a second
sweep finds the markers already moved, and a crashed sweep rolls its claims back.

The markers make "nothing to do" cheap: `due_at`, `remind_at` and `escalate_at` are indexed with
`status`, so an idle sweep is three index probes.

Notices are batched per unit and sweep: a unit with twelve duties due today gets one notice
listing them, not twelve. A batch of one uses the obligation's own key
(`ob:{id}:v{due_version}:remind:{offset}`); larger batches a key over the claimed ids.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xiezhi.audit.services import record
from xiezhi.deadlines import computing
from xiezhi.deadlines.hierarchy import escalation_targets
from xiezhi.deadlines.models import EventKind, Obligation, ObligationEvent
from xiezhi.notifications.services import notify
from xiezhi.rulebook.deadlines import Due, remind_at
from xiezhi.rulebook.periods import Period, PeriodKind, parse_period
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.zh import format_datetime_zh
from xiezhi.units.models import Unit

SYSTEM_NAME = "时限巡检"
LIST_MAX = 30
BATCH = 2000
EVENT_COLUMNS = "obligation_id, kind, at, actor_name, reason, period, note, new_due"
COLUMNS = (
    "id",
    "unit_id",
    "due_at",
    "due_version",
    "period",
    "rule_id",
    "subject_label",
    "reminders_sent",
    "escalation_level",
)


@dataclass(frozen=True)
class Claimed:
    id: int
    unit_id: int
    due_at: datetime
    due_version: int
    period: str
    rule_id: str
    subject_label: str
    reminders_sent: int
    escalation_level: int

    @property
    def deadline(self) -> Due:
        ends_at_midnight = parse_period(self.period).kind is PeriodKind.CALENDAR_DAYS
        return Due(self.due_at, False, "", [], ends_at_midnight)


@dataclass
class SweepResult:
    overdue: int = 0
    reminded: int = 0
    escalated: int = 0
    notices: int = 0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        return bool(self.overdue or self.reminded or self.escalated)


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    parsed = parse_datetime(str(value))
    assert parsed is not None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _claim(
    set_sql: str,
    set_params: Sequence[Any],
    where_sql: str,
    where_params: Sequence[Any],
    *,
    event: tuple[str, datetime, str] | None = None,
) -> list[Claimed]:
    """UPDATE the rows matching ``where_sql`` and return them, each row to exactly one caller.

    ``event`` = (kind, time, note): also write that history row for every claimed obligation —
    on PostgreSQL in the same statement (a data-modifying CTE), so ten thousand claims cost one
    round trip and no per-row Python.
    """
    table = connection.ops.quote_name(Obligation._meta.db_table)
    returning = ", ".join(COLUMNS)
    params: list[Any]
    if connection.vendor == "postgresql":
        update = (
            f"UPDATE {table} SET {set_sql} WHERE id IN "
            f"(SELECT id FROM {table} WHERE {where_sql} FOR UPDATE SKIP LOCKED) AND {where_sql} RETURNING {returning}"
        )
        params = [*set_params, *where_params, *where_params]
        if event is not None:
            events = connection.ops.quote_name(ObligationEvent._meta.db_table)
            sql = (
                f"WITH claimed AS ({update}), history AS (INSERT INTO {events} ({EVENT_COLUMNS}) "
                f"SELECT id, %s, %s, %s, '', '', %s, due_at FROM claimed) SELECT {returning} FROM claimed"
            )
            params += [event[0], event[1], SYSTEM_NAME, event[2][:500]]
        else:
            sql = update
    else:
        sql = f"UPDATE {table} SET {set_sql} WHERE {where_sql} RETURNING {returning}"
        params = [*set_params, *where_params]
    params = [connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p for p in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claimed = [Claimed(*row) for row in rows]
    claimed = [replace(c, due_at=_to_datetime(c.due_at)) for c in sorted(claimed, key=lambda c: c.id)]
    if event is not None and connection.vendor != "postgresql":
        _insert_events(event[0], event[1], [(c.id, c.due_at, event[2]) for c in claimed])
    return claimed


def _insert_events(kind: str, now: datetime, rows: Sequence[tuple[int, datetime, str]]) -> None:
    """History rows (obligation id, due time, note) in one statement: building ten thousand model
    instances for `bulk_create` would cost more than the UPDATE that claimed them."""
    if not rows:
        return
    table = connection.ops.quote_name(ObligationEvent._meta.db_table)
    columns = EVENT_COLUMNS
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT o, %s, %s, %s, '', '', n, d "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[]) AS t(o, d, n)",
                [
                    kind,
                    now,
                    SYSTEM_NAME,
                    [r[0] for r in rows],
                    [r[1] for r in rows],
                    [r[2][:500] for r in rows],
                ],
            )
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, '', '', %s, %s)",
                [
                    (r[0], kind, at, SYSTEM_NAME, r[2][:500], connection.ops.adapt_datetimefield_value(r[1]))
                    for r in rows
                ],
            )


def _digest(items: Sequence[Claimed]) -> str:
    return hashlib.sha256(",".join(f"{c.id}.{c.due_version}" for c in items).encode()).hexdigest()[:16]


def _line(c: Claimed) -> str:
    return f"{c.subject_label}（{c.rule_id}），截止{format_datetime_zh(c.due_at)}"


def _body(head: str, items: Sequence[Claimed]) -> str:
    lines = [_line(c) for c in items[:LIST_MAX]]
    if len(items) > LIST_MAX:
        lines.append(f"……等共{len(items)}项")
    return head + "\n" + "\n".join(lines)


def _url(items: Sequence[Claimed], *, supervisor: bool = False) -> str:
    if len(items) == 1:
        return reverse("deadlines:obligation", args=[items[0].id])
    return reverse("deadlines:my_tasks") + ("?view=all&status=overdue" if supervisor else "")


def _group(items: Sequence[Claimed]) -> dict[int, list[Claimed]]:
    groups: dict[int, list[Claimed]] = defaultdict(list)
    for c in items:
        groups[c.unit_id].append(c)
    return groups


def _mark_overdue(now: datetime, result: SweepResult) -> None:
    with transaction.atomic():
        claimed = _claim(
            "status = 'overdue', overdue_at = %s, remind_at = NULL",
            [now],
            "status = 'open' AND due_at <= %s",
            [now],
            event=(EventKind.OVERDUE, now, "已到截止时间仍未办结"),
        )
        if not claimed:
            return
        result.overdue = len(claimed)
        if not computing.remind_at_due():
            return
        units = Unit.objects.in_bulk(list({c.unit_id for c in claimed}))
        for unit_id, items in _group(claimed).items():
            single = items[0]
            title = (
                f"时限已到期：{single.subject_label}"
                if len(items) == 1
                else f"{len(items)}项时限已到期，尚未办结"
            )
            key = (
                f"ob:{single.id}:v{single.due_version}:due"
                if len(items) == 1
                else f"sweep:due:u{unit_id}:{_digest(items)}"
            )
            notify(
                title=title[:200],
                body=_body("以下事项已到截止时间，请尽快办理：", items),
                dedupe_key=key,
                unit=units[unit_id],
                url=_url(items),
                kind="due",
            )
            result.notices += 1


def _remind(now: datetime, calendar: WorkCalendar, result: SweepResult) -> None:
    offsets = computing.before_offsets()
    with transaction.atomic():
        claimed = _claim(
            "remind_at = NULL, reminders_sent = reminders_sent + 1",
            [],
            "status = 'open' AND remind_at <= %s",
            [now],
        )
        if not claimed:
            return
        fired: dict[str, list[Claimed]] = defaultdict(list)
        follow_up: list[Obligation] = []
        events: list[tuple[int, datetime, str]] = []
        for c in claimed:
            deadline = c.deadline
            index = min(c.reminders_sent - 1, len(offsets) - 1)
            # A late sweep sends only the latest reminder that is due, not every missed one.
            while index + 1 < len(offsets) and remind_at(deadline, offsets[index + 1], calendar) <= now:
                index += 1
            offset = offsets[index] if offsets else Period(PeriodKind.WORKDAYS, 1)
            fired[offset.code].append(c)
            events.append((c.id, c.due_at, f"到期前{offset}提醒"))
            next_at, sent = computing.reminder_marker(deadline, calendar, now, sent=index + 1)
            if next_at is not None or sent != c.reminders_sent:
                follow_up.append(Obligation(pk=c.id, remind_at=next_at, reminders_sent=sent))
        _insert_events(EventKind.REMINDED, now, events)
        if follow_up:
            Obligation.objects.bulk_update(follow_up, ["remind_at", "reminders_sent"], batch_size=BATCH)
        units = Unit.objects.in_bulk(list({c.unit_id for c in claimed}))
        for code, items_all in fired.items():
            label = str(parse_period(code))
            for unit_id, items in _group(items_all).items():
                single = items[0]
                if len(items) == 1:
                    title = f"时限提醒：{single.subject_label}将于{format_datetime_zh(single.due_at)}到期"
                    key = f"ob:{single.id}:v{single.due_version}:remind:{code}"
                else:
                    title = f"时限提醒：{len(items)}项事项将在{label}内到期"
                    key = f"sweep:remind:{code}:u{unit_id}:{_digest(items)}"
                notify(
                    title=title[:200],
                    body=_body(f"以下事项距截止时间不足{label}：", items),
                    dedupe_key=key,
                    unit=units[unit_id],
                    url=_url(items),
                    kind="reminder",
                )
                result.notices += 1
        result.reminded = len(claimed)


def _escalate(now: datetime, calendar: WorkCalendar, result: SweepResult) -> None:
    thresholds = computing.escalation_thresholds()
    top = len(thresholds)
    with transaction.atomic():
        claimed = _claim(
            "escalation_level = escalation_level + 1, escalate_at = NULL",
            [],
            "status = 'overdue' AND escalate_at <= %s AND escalation_level < %s",
            [now, top],
        )
        if not claimed:
            return
        units = Unit.objects.in_bulk(list({c.unit_id for c in claimed}))
        targets = {unit_id: escalation_targets(unit) for unit_id, unit in units.items()}
        follow_up: list[Obligation] = []
        events: list[tuple[int, datetime, str]] = []
        by_level: dict[int, list[Claimed]] = defaultdict(list)
        for c in claimed:
            level = c.escalation_level
            deadline = c.deadline
            while level < top and computing.after_due(deadline, thresholds[level], calendar) <= now:
                level += 1  # a late sweep jumps to the level that is due
            next_at = computing.escalation_marker(deadline, calendar, level)
            if level != c.escalation_level or next_at is not None:
                follow_up.append(Obligation(pk=c.id, escalation_level=level, escalate_at=next_at))
            names = "、".join(t.name for t in targets[c.unit_id]) or "（无上级监督单位）"
            events.append((c.id, c.due_at, f"超期{thresholds[level - 1]}，第{level}级督办：通知{names}"))
            by_level[level].append(replace(c, escalation_level=level))
        _insert_events(EventKind.ESCALATED, now, events)
        if follow_up:
            Obligation.objects.bulk_update(follow_up, ["escalation_level", "escalate_at"], batch_size=BATCH)
        for level, items_all in by_level.items():
            after = thresholds[level - 1]
            severity = "严重超期" if level >= top else "超期"
            per_target: dict[int, list[Claimed]] = defaultdict(list)
            for unit_id, items in _group(items_all).items():
                unit = units[unit_id]
                head = f"{unit.name}以下事项已{severity}（超过截止时间{after}），已报监督单位督办："
                _send_escalation(unit, items, level, head, supervisor=False, result=result)
                for target in targets[unit_id]:
                    per_target[target.pk].extend(items)
            target_units = {t.pk: t for ts in targets.values() for t in ts}
            for target_id, items in per_target.items():
                head = f"以下事项{severity}（超过截止时间{after}）未办结，请督办："
                lines = [_line_with_unit(c, units) for c in items]
                _send_escalation(
                    target_units[target_id], items, level, head, supervisor=True, result=result, lines=lines
                )
        result.escalated = len(claimed)


def _line_with_unit(c: Claimed, units: dict[int, Unit]) -> str:
    return f"{units[c.unit_id].name}：{_line(c)}"


def _send_escalation(
    unit: Unit,
    items: list[Claimed],
    level: int,
    head: str,
    *,
    supervisor: bool,
    result: SweepResult,
    lines: list[str] | None = None,
) -> None:
    who = "sup" if supervisor else "own"
    single = items[0]
    if len(items) == 1:
        title = f"第{level}级督办：{single.subject_label}"
        key = f"ob:{single.id}:v{single.due_version}:escalate:{level}:{who}:u{unit.pk}"
    else:
        title = f"第{level}级督办：{len(items)}项事项超期未办结"
        key = f"sweep:escalate:{level}:{who}:u{unit.pk}:{_digest(items)}"
    text = lines if lines is not None else [_line(c) for c in items]
    body = (
        head
        + "\n"
        + "\n".join(text[:LIST_MAX])
        + (f"\n……等共{len(items)}项" if len(items) > LIST_MAX else "")
    )
    notify(
        title=title[:200],
        body=body,
        dedupe_key=key,
        unit=unit,
        url=_url(items, supervisor=supervisor),
        kind="escalation",
    )
    result.notices += 1


def run(now: datetime | None = None, calendar: WorkCalendar | None = None) -> SweepResult:
    """One sweep. Safe to run at any time, repeatedly, and in several processes at once."""
    now = now or timezone.now()
    calendar = calendar or WorkCalendar.default()
    result = SweepResult()
    _mark_overdue(now, result)
    _remind(now, calendar, result)
    _escalate(now, calendar, result)
    if result.anything:
        with transaction.atomic():
            record(
                None,
                "deadlines.sweep",
                ("deadlines.sweep", "", "时限巡检"),
                actor_name=SYSTEM_NAME,
                after={
                    "overdue": result.overdue,
                    "reminded": result.reminded,
                    "escalated": result.escalated,
                    "notices": result.notices,
                    "at": now.isoformat(),
                },
            )
    return result
