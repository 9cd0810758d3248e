"""Calendar administration: override rows (CSV import, single dates) and the recomputation of every
open obligation whose due time depends on a changed year.

Who: the system administrator (系统管理员). The calendar is system configuration taken from a
published State Council notice, not a business decision, and the three-administrator rule keeps
configuration with the system administrator; the command centre only uses the result. The
`xiezhi calendar import` command runs as the operator (`SYSTEM`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import SYSTEM, Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.deadlines import computing, workcalendar
from xiezhi.deadlines.models import CalendarOverride, EventKind, Obligation, ObligationEvent, OverrideKind
from xiezhi.deadlines.services import new_event
from xiezhi.notifications.services import notify
from xiezhi.rulebook.workdays import FIRST_YEAR, LAST_YEAR, HolidayRow, WorkCalendar
from xiezhi.rulebook.zh import format_date_zh, format_datetime_zh

COLUMNS = ("date", "kind", "name", "source")
KIND_LABELS = {"holiday": "放假", "workday": "调休上班"}
MAX_ROWS = 2000
NAME_MAX = 50
SOURCE_MAX = 500
RECOMPUTE_STATUSES = ("open", "overdue", "suspended")


def require_calendar_admin(actor: Actor) -> None:
    if actor is SYSTEM:
        return
    actor.require_admin("sysadmin")


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}"


def _row_errors(line: int, raw: dict[str, str]) -> tuple[HolidayRow | None, list[RowError]]:
    errors: list[RowError] = []
    text = (raw.get("date") or "").strip()
    kind = (raw.get("kind") or "").strip()
    name = (raw.get("name") or "").strip()
    source = (raw.get("source") or "").strip()
    day: date | None = None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(line, f"日期“{text}”无法识别，应为 YYYY-MM-DD，如 2027-01-01"))
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        errors.append(RowError(line, f"日期{text}超出支持范围（{FIRST_YEAR}年至{LAST_YEAR}年）"))
        day = None
    if kind not in KIND_LABELS:
        errors.append(RowError(line, f"类型“{kind}”无效，应为 holiday（放假）或 workday（调休上班）"))
    elif kind == OverrideKind.WORKDAY and day is not None and day.weekday() < 5:
        errors.append(
            RowError(line, f"{format_date_zh(day)}是工作日（周一至周五），调休上班日必须是星期六或星期日")
        )
    if not name:
        errors.append(RowError(line, "节日名称不能为空"))
    elif len(name) > NAME_MAX:
        errors.append(RowError(line, f"节日名称不能超过{NAME_MAX}个字"))
    if len(source) > SOURCE_MAX:
        errors.append(RowError(line, f"出处不能超过{SOURCE_MAX}个字"))
    if errors or day is None:
        return None, errors
    return HolidayRow(day, kind, name, source), []


def parse_csv(content: str | bytes) -> list[HolidayRow]:
    """Rows of a CSV with the bundled file's columns (date,kind,name,source; source optional).

    Every problem is collected; any problem raises `ValidationFailed` whose `details["rows"]`
    lists them all as "第N行：…" (N = line number in the file, the header being line 1).
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "文件须为 UTF-8 编码的 CSV", details={"rows": ["文件须为 UTF-8 编码的 CSV"]}
            ) from None
    content = content.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("date", "kind", "name") if c not in header]
    if missing:
        message = f"第1行：表头应为 {','.join(COLUMNS)}，缺少 {','.join(missing)}"
        raise ValidationFailed(message, details={"rows": [message]})
    reader.fieldnames = header
    rows: list[HolidayRow] = []
    errors: list[RowError] = []
    first_line: dict[date, int] = {}
    count = 0
    for raw in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a blank line
        count += 1
        if count > MAX_ROWS:
            errors.append(RowError(line, f"一次最多导入{MAX_ROWS}行"))
            break
        if None in raw:
            errors.append(RowError(line, "列数多于表头"))
            continue
        row, problems = _row_errors(line, raw)
        errors.extend(problems)
        if row is None:
            continue
        if row.date in first_line:
            errors.append(RowError(line, f"{format_date_zh(row.date)}与第{first_line[row.date]}行重复"))
            continue
        first_line[row.date] = line
        rows.append(row)
    if not rows and not errors:
        errors.append(RowError(1, "文件中没有数据行"))
    if errors:
        messages = [str(e) for e in errors]
        head = f"导入失败：共{len(messages)}处错误，未导入任何数据"
        raise ValidationFailed(
            head + (f"（{messages[0]}）" if len(messages) == 1 else ""), details={"rows": messages}
        )
    return rows


@dataclass
class ChangeResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)
    recomputed: list[tuple[Obligation, datetime, datetime]] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def _years_of(rows: Iterable[HolidayRow]) -> set[int]:
    years: set[int] = set()
    for r in rows:
        years.add(r.date.year)
        years.add(r.notice_year)
    return {y for y in years if FIRST_YEAR <= y <= LAST_YEAR}


def _as_row(o: CalendarOverride) -> HolidayRow:
    return HolidayRow(o.date, o.kind, o.name, o.source)


def _apply(actor: Actor, rows: list[HolidayRow], result: ChangeResult) -> set[int]:
    """Upsert ``rows``; returns the years whose data changed."""
    existing = {o.date: o for o in CalendarOverride.objects.filter(date__in=[r.date for r in rows])}
    touched: list[HolidayRow] = []
    user = actor.user if actor.user is not None else None
    for row in rows:
        old = existing.get(row.date)
        if old is None:
            CalendarOverride.objects.create(
                date=row.date, kind=row.kind, name=row.name, source=row.source, created_by=user
            )
            result.created += 1
            touched.append(row)
        elif (old.kind, old.name, old.source) != (row.kind, row.name, row.source):
            touched += [_as_row(old), row]
            old.kind, old.name, old.source = row.kind, row.name, row.source
            old.save(update_fields=["kind", "name", "source", "updated_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    return _years_of(touched)


def import_rows(actor: Actor, rows: list[HolidayRow], *, origin: str = "") -> ChangeResult:
    """Add or replace override rows (all or nothing), then recompute what they affect."""
    require_calendar_admin(actor)
    result = ChangeResult()
    with transaction.atomic():
        workcalendar.lock()
        years = _apply(actor, rows, result)
        _finish(actor, result, years, "calendar.imported", reason=origin, rows=rows)
    return result


def import_csv(actor: Actor, content: str | bytes, *, origin: str = "") -> ChangeResult:
    require_calendar_admin(actor)
    return import_rows(actor, parse_csv(content), origin=origin)


def set_override(actor: Actor, *, day: str, kind: str, name: str, source: str = "") -> ChangeResult:
    """Add or change one date (the calendar page's form); same validation as an import row."""
    require_calendar_admin(actor)
    row, problems = _row_errors(1, {"date": day, "kind": kind, "name": name, "source": source})
    if row is None:
        messages = [p.message for p in problems]
        raise ValidationFailed(messages[0], details={"rows": messages})
    return import_rows(actor, [row], origin="日历页面录入")


def delete_override(actor: Actor, day: date, reason: str) -> ChangeResult:
    require_calendar_admin(actor)
    if not (reason or "").strip():
        raise ValidationFailed.field("reason", "请填写删除理由")
    result = ChangeResult()
    with transaction.atomic():
        workcalendar.lock()
        found = CalendarOverride.objects.filter(date=day).first()
        if found is None:
            raise ValidationFailed.field("date", f"{format_date_zh(day)}没有录入的调整")
        row = _as_row(found)
        found.delete()
        result.deleted = 1
        _finish(
            actor, result, _years_of([row]), "calendar.override_deleted", reason=reason.strip(), rows=[row]
        )
    return result


def _finish(
    actor: Actor, result: ChangeResult, years: set[int], action: str, *, reason: str, rows: list[HolidayRow]
) -> None:
    result.years = sorted(years)
    if not result.changed:
        return
    token = workcalendar.touch()
    calendar = WorkCalendar.default()
    why = f"{'、'.join(f'{y}年' for y in result.years)}工作日历已更新（{reason or '管理员调整'}）"
    result.recomputed = recompute(actor, years, calendar, reason=why, token=token)
    record(
        actor if actor is not SYSTEM else None,
        action,
        (
            "deadlines.calendar",
            ",".join(map(str, result.years)),
            f"工作日历 {'、'.join(map(str, result.years))}",
        ),
        after={
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
            "rows": [f"{r.date.isoformat()} {r.kind} {r.name}" for r in rows[:50]],
            "recomputed": len(result.recomputed),
        },
        reason=reason,
        actor_name=None if actor is not SYSTEM else "命令行",
    )


def _window(years: Iterable[int]) -> Q:
    """Obligations whose start..due window touches one of ``years`` (Shanghai year boundaries)."""
    q = Q(pk__in=[])
    for y in years:
        q |= Q(opened_at__lt=computing.year_start(y + 1), due_at__gte=computing.year_start(y))
    return q


def recompute(
    actor: Actor, years: set[int], calendar: WorkCalendar, *, reason: str, token: str
) -> list[tuple[Obligation, datetime, datetime]]:
    """Recompute every active obligation touching ``years``; history + one notice per unit."""
    if not years:
        return []
    now = timezone.now()
    changed: list[tuple[Obligation, datetime, datetime]] = []
    adjusting = ObligationEvent.objects.filter(
        kind__in=(EventKind.EXTENDED, EventKind.SUSPENDED, EventKind.RESUMED)
    )
    qs = (
        Obligation.objects.select_related("unit")
        .filter(_window(years), status__in=RECOMPUTE_STATUSES)
        .prefetch_related(Prefetch("events", queryset=adjusting, to_attr="adjusting"))
        .order_by("pk")
    )
    for ob in qs:
        events: list[ObligationEvent] = ob.adjusting  # type: ignore[attr-defined]
        try:
            deadline = computing.compute(ob, calendar, history=events)
        except ValueError:
            continue  # cannot happen for rows that computed before; never block a calendar fix
        if (deadline.at, deadline.provisional, deadline.explanation) == (
            ob.due_at,
            ob.provisional,
            ob.explanation,
        ):
            continue
        old_due = ob.due_at
        updates: dict[str, object] = {
            "due_at": deadline.at,
            "provisional": deadline.provisional,
            "explanation": deadline.explanation,
            "due_version": ob.due_version + 1,
        }
        if ob.status == "suspended":
            pass  # markers stay cleared until it resumes
        elif ob.status == "overdue" and deadline.at > now:
            # It was only overdue under the old calendar: a correction, not a transition.
            markers = computing.markers_for(deadline, calendar, now)
            updates.update(
                status="open",
                overdue_at=None,
                escalation_level=0,
                remind_at=markers.remind_at,
                reminders_sent=markers.reminders_sent,
                escalate_at=markers.escalate_at,
            )
        elif ob.status == "overdue":
            updates["escalate_at"] = computing.escalation_marker(deadline, calendar, ob.escalation_level)
        else:
            markers = computing.markers_for(deadline, calendar, now)
            updates.update(
                remind_at=markers.remind_at,
                reminders_sent=markers.reminders_sent,
                escalate_at=markers.escalate_at,
            )
        done = Obligation.objects.filter(pk=ob.pk, status=ob.status, due_version=ob.due_version).update(
            **updates
        )
        if not done:
            continue  # changed concurrently; that change computed with the new calendar already
        new_event(
            ob,
            EventKind.RECOMPUTED,
            actor,
            at=now,
            reason=reason,
            old_due=old_due,
            new_due=deadline.at,
            note=deadline.explanation,
        ).save()
        ob.refresh_from_db()
        changed.append((ob, old_due, deadline.at))
    _notify_units(changed, reason, token)
    return changed


def _notify_units(changed: list[tuple[Obligation, datetime, datetime]], reason: str, token: str) -> None:
    by_unit: dict[int, list[tuple[Obligation, datetime, datetime]]] = defaultdict(list)
    for item in changed:
        by_unit[item[0].unit_id].append(item)
    for items in by_unit.values():
        unit = items[0][0].unit
        lines = [
            f"{ob.subject_label}（{ob.rule_id}）：{format_datetime_zh(old)} → {format_datetime_zh(new)}"
            for ob, old, new in items[:30]
        ]
        if len(items) > 30:
            lines.append(f"……等共{len(items)}项")
        digest = hashlib.sha256(",".join(str(ob.pk) for ob, _, _ in items).encode()).hexdigest()[:12]
        first = items[0][0]
        notify(
            title=f"工作日历调整：{len(items)}项时限的截止时间已重新计算",
            body=f"{reason}。\n" + "\n".join(lines),
            dedupe_key=f"cal:{token}:u{unit.pk}:{digest}",
            unit=unit,
            url=reverse("deadlines:obligation", args=[first.pk])
            if len(items) == 1
            else reverse("deadlines:my_tasks"),
            kind="deadline_changed",
        )
