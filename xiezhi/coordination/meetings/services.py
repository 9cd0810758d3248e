"""Consultation meetings (R-CO-01, R-CO-03): convene (ad hoc, from a major case clue, or in a regular
schedule), issue the minutes (会商纪要, DOCX + PDF, numbered per unit and year) whose decisions
become action items, and follow each item until its responsible unit reports it done.

Clocks (obligations, county policy ``CP-CO-01-*``): the convener owes the minutes within 3 WD of
the meeting; each responsible unit owes its item by the due date the meeting set; a schedule's
convener owes the next regular meeting by its date. Transitions are conditional UPDATEs (zero
rows → 409, nothing written).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.linkage import (
    day_label,
    days_until,
    ids,
    people_of,
    tell,
    units_of,
)
from xiezhi.coordination.meetings import access
from xiezhi.coordination.models import ActionItem, Meeting, MeetingSeries
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed, XiezhiError
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.documents.services import issue_document
from xiezhi.intake.access import access_report
from xiezhi.notifications.services import notify
from xiezhi.rulebook import linkage_flow as flow
from xiezhi.rulebook.zh import format_datetime_zh
from xiezhi.units.cleaning import Cleaner, parse_moment

MAX_DECISIONS = 30

STATE = StatusFlow(Meeting, flow.MEETING, "该会议")


def _lines(value: Any) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(x).strip() for x in items if str(x).strip()]


# --- schedules --------------------------------------------------------------------------------------


def _regular_clock(actor: Actor, s: MeetingSeries) -> None:
    deadlines.open_obligation(
        rule_id=flow.REGULAR_LIMIT,
        unit=s.convener,
        subject=s,
        start=timezone.now(),
        period=days_until(s.next_date),
        actor=actor,
        label=f"按期召开{s.title}（{day_label(s.next_date)}前）"[:200],
        note=f"{s.cadence_label}召开定期联席会议（R-CO-01）",
    )


def create_series(actor: Actor, data: Mapping[str, Any]) -> MeetingSeries:
    """A regular joint meeting: the convener owes the first meeting by ``next_date`` (R-CO-01)."""
    access.require_convene(actor)
    assert actor.unit is not None
    c = Cleaner(data, creating=True)
    c.text("title", "会议名称", max_length=100, required=True)
    c.integer("every_months", "召开周期", required=True)
    c.date("next_date", "首次召开日期", required=True)
    if c.cleaned.get("every_months") is not None and c.cleaned["every_months"] not in flow.CADENCES:
        c.error("every_months", f"召开周期无效，可选：{'、'.join(flow.CADENCES.values())}")
    next_date = c.cleaned.get("next_date")
    if next_date is not None and next_date < timezone.localdate():
        c.error("next_date", "首次召开日期不能早于今天")
    invited = units_of(
        actor.unit.county_id, ids(data, "invited_units"), "参会单位", c.errors, "invited_units"
    )
    invited = [u for u in invited if u.pk != actor.unit_id]
    if not invited and "invited_units" not in c.errors:
        c.error("invited_units", "请至少选择一个参会单位")
    c.raise_if_errors()
    with transaction.atomic():
        s = MeetingSeries.objects.create(
            county_id=actor.unit.county_id,
            convener=actor.unit,
            title=c.cleaned["title"],
            every_months=c.cleaned["every_months"],
            next_date=c.cleaned["next_date"],
            created_by_name=actor_name(actor),
        )
        s.invited_units.set(invited)
        record(
            actor,
            "meeting_series.created",
            s,
            after={"title": s.title, "every_months": s.every_months, "next_date": s.next_date.isoformat()},
        )
        _regular_clock(actor, s)
        for unit in invited:
            tell(
                unit,
                f"series:{s.pk}:created",
                f"{s.convener.name}建立{s.cadence_label}召开的{s.title}，你单位为参会单位",
                s.get_absolute_url(),
            )
    return s


def _advance_series(actor: Actor, s: MeetingSeries, at: datetime) -> None:
    """The regular meeting is convened: its clock is met and the next one starts."""
    for ob in active_obligations(s, (flow.REGULAR_LIMIT,)):
        deadlines.settle(ob, actor, met_at=at, note="已通知召开本期联席会议")
    year, month = flow.add_months(s.next_date.year, s.next_date.month, s.every_months)
    day = min(s.next_date.day, 28)
    s.next_date = date(year, month, day)
    MeetingSeries.objects.filter(pk=s.pk).update(next_date=s.next_date)
    _regular_clock(actor, s)


# --- convening --------------------------------------------------------------------------------------


def _clean_convene(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    assert actor.unit is not None
    county_id = actor.unit.county_id
    c = Cleaner(data, creating=True)
    series = None
    if data.get("series") not in (None, ""):
        raw_series = str(data["series"]).strip()
        series = (
            access.series_visible_to(actor).filter(pk=int(raw_series), active=True).first()
            if raw_series.isdigit()
            else None
        )
        if series is None or series.convener_id != actor.unit_id:
            c.error("series", "只能在本单位召集的定期联席会议下召开会议")
            series = None
    data = dict(data)
    if series is not None:
        data.setdefault("kind", "joint")
        data.setdefault("title", series.title)
        if not ids(data, "invited_units"):
            data["invited_units"] = list(series.invited_units.values_list("pk", flat=True))
        c.data = data
    c.choice("kind", "会议类型", flow.MEETING_KINDS.items(), required=True)
    c.text("title", "会议名称", max_length=100, required=True)
    c.text("agenda", "会议议题", max_length=5000, required=True)
    c.moment("scheduled_at", "会议时间", required=True, not_future=False)
    c.text("place", "会议地点", max_length=200, required=True)
    c.text("chair", "主持人", max_length=100)
    c.text("clue", "重大案件线索", max_length=5000)
    if c.cleaned.get("kind") == "clue" and not c.cleaned.get("clue"):
        c.error("clue", "就重大案件线索召集会商，须写明线索内容（R-CO-03）")
    report = None
    if data.get("clue_report") not in (None, ""):
        try:
            report = access_report(actor, int(data["clue_report"]))
        except (ValueError, TypeError, XiezhiError):
            c.error("clue_report", f"群众反映不存在或您无权查看：{data['clue_report']}")
    invited = units_of(county_id, ids(data, "invited_units"), "参会单位", c.errors, "invited_units")
    if any(u.pk == actor.unit_id for u in invited):
        c.error("invited_units", "召集单位不必列为参会单位")
    if not invited and "invited_units" not in c.errors:
        c.error("invited_units", "请至少选择一个参会单位")
    people = people_of(ids(data, "invited_people"), "参会人员", c.errors, "invited_people")
    allowed = {u.pk for u in invited} | {actor.unit_id}
    for p in people:
        if p.unit_id not in allowed:
            c.error("invited_people", f"{p.name}（{p.unit.name}）不属于召集单位或参会单位")
    c.raise_if_errors()
    return {
        **c.cleaned,
        "series": series,
        "clue_report": report,
        "invited_units": invited,
        "invited_people": people,
    }


def convene(actor: Actor, data: Mapping[str, Any]) -> Meeting:
    """召集会商: invite units (and people), set the agenda; the convener owes the minutes
    (CP-CO-01-MINUTES from the meeting time); a regular meeting advances its schedule."""
    access.require_convene(actor)
    clean = _clean_convene(actor, data)
    assert actor.unit is not None
    invited, people, series = clean.pop("invited_units"), clean.pop("invited_people"), clean["series"]
    now = timezone.now()
    with transaction.atomic():
        m = Meeting.objects.create(
            county_id=actor.unit.county_id,
            convener=actor.unit,
            created_by=actor.person,
            created_by_name=actor_name(actor),
            created_at=now,
            chair=clean.pop("chair", "") or "",
            clue=clean.pop("clue", "") or "",
            **clean,
        )
        m.invited_units.set(invited)
        m.invited_people.set(people)
        for person in people:
            notify(
                title=f"会议通知：{m.title}"[:200],
                body=f"{m.convener.name}召集，议题：{m.agenda}",
                dedupe_key=f"meeting:{m.pk}:convened:p{person.pk}",
                person=person,
                url=m.get_absolute_url(),
                kind="coordination",
            )
        when = timezone.localtime(m.scheduled_at)
        add_event(
            m.events,
            "convened",
            f"{m.convener.name}召集{m.get_kind_display()}",
            actor,
            at=now,
            note=f"{format_datetime_zh(when)}在{m.place}召开。议题：{m.agenda}",
        )
        record(
            actor,
            "meeting.convened",
            m,
            after={
                "kind": m.kind,
                "title": m.title,
                "scheduled_at": m.scheduled_at.isoformat(),
                "invited_units": [u.name for u in invited],
                "clue_report_id": m.clue_report_id,
                "series_id": m.series_id,
            },
        )
        deadlines.open_obligation(
            rule_id=flow.MINUTES_LIMIT,
            unit=m.convener,
            subject=m,
            start=max(m.scheduled_at, now),
            actor=actor,
            label=f"印发会商纪要：{m.title}"[:200],
        )
        if series is not None:
            _advance_series(actor, series, now)
        for unit in invited:
            tell(
                unit,
                f"meeting:{m.pk}:convened",
                f"会议通知：{m.convener.name}定于{when:%m月%d日%H:%M}在{m.place}召开{m.title}",
                m.get_absolute_url(),
                body=f"议题：{m.agenda}",
            )
    return m


# --- minutes and action items -----------------------------------------------------------------------


def _clean_decisions(actor: Actor, raw: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    assert actor.unit is not None
    items = list(raw or [])
    out: list[dict[str, Any]] = []
    today = timezone.localdate()
    for i, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            errors.setdefault("decisions", []).append(f"第{i}项议定事项格式有误")
            continue
        text = str(item.get("decision") or "").strip()
        if not text:
            errors.setdefault("decisions", []).append(f"第{i}项：请填写议定事项内容")
        elif len(text) > 1000:
            errors.setdefault("decisions", []).append(f"第{i}项：议定事项不能超过1000个字")
        unit_errors: dict[str, list[str]] = {}
        raw_unit = item.get("responsible")
        units = units_of(
            actor.unit.county_id,
            [raw_unit] if raw_unit not in (None, "") else [],
            "责任单位",
            unit_errors,
            "u",
        )
        if not units and not unit_errors:
            unit_errors["u"] = ["请选择责任单位"]
        for msg in unit_errors.get("u", []):
            errors.setdefault("decisions", []).append(f"第{i}项：{msg}")
        due: date | None = None
        raw_due = item.get("due_date")
        if isinstance(raw_due, date):
            due = raw_due
        elif raw_due not in (None, ""):
            try:
                due = date.fromisoformat(str(raw_due).strip())
            except ValueError:
                errors.setdefault("decisions", []).append(
                    f"第{i}项：完成时限格式有误，应为“2025-10-08”这样的日期"
                )
        else:
            errors.setdefault("decisions", []).append(f"第{i}项：请填写完成时限")
        if due is not None and due < today:
            errors.setdefault("decisions", []).append(f"第{i}项：完成时限不能早于今天（{day_label(today)}）")
        if text and units and due is not None:
            out.append({"decision": text, "responsible": units[0], "due_date": due})
    if not items:
        errors.setdefault("decisions", []).append("请至少填写一项议定事项（每项须有责任单位和完成时限）")
    elif len(items) > MAX_DECISIONS:
        errors.setdefault("decisions", []).append(f"议定事项不能超过{MAX_DECISIONS}项")
    return out


def issue_minutes(actor: Actor, m: Meeting, data: Mapping[str, Any]) -> Meeting:
    """Minutes in the convener's name (会商纪要, numbered 〔year〕N per unit); every decision becomes
    an action item owed by its responsible unit by its due date (R-CO-01)."""
    access.require_minute(actor, m)
    if m.status != "convened":
        raise STATE.conflict(m, "minute")
    if timezone.now() < m.scheduled_at:
        start = timezone.localtime(m.scheduled_at)
        raise ValidationFailed.field(
            "held_at", f"会议尚未召开（定于{format_datetime_zh(start)}），不能印发纪要"
        )
    c = Cleaner(data, creating=True)
    c.text("chair", "主持人", max_length=100, required=not m.chair)
    c.text("discussion", "会议情况", max_length=5000)
    held = parse_moment(data.get("held_at")) if data.get("held_at") not in (None, "") else m.scheduled_at
    if held is None:
        c.error("held_at", "会议时间格式有误，应为“2025-10-08T09:30”这样的时间")
    elif held > timezone.now():
        c.error("held_at", "会议尚未召开（会议时间晚于当前时间），不能印发纪要")
    attendees = _lines(data.get("attendees"))
    if not attendees:
        c.error("attendees", "请填写出席单位及人员（每行一项）")
    decisions = _clean_decisions(actor, data.get("decisions"), c.errors)
    c.raise_if_errors()
    assert held is not None
    chair = c.cleaned.get("chair") or m.chair
    now = timezone.now()
    with transaction.atomic():
        old = STATE.step(
            m,
            "minute",
            held_at=held,
            attendees="\n".join(attendees),
            discussion=c.cleaned.get("discussion") or "",
            chair=chair,
        )
        recipients = list(m.invited_units.all())
        for d in decisions:
            if d["responsible"] not in recipients and d["responsible"].pk != m.convener_id:
                recipients.append(d["responsible"])
        doc = issue_document(
            actor,
            doc_type="consultation_minutes",
            unit=m.convener,
            subject=m,
            data={
                "topic": m.title,
                "held_at": timezone.localtime(held).replace(tzinfo=None).isoformat(timespec="minutes"),
                "place": m.place,
                "chair": chair,
                "attendees": attendees,
                "agenda": _lines(m.agenda),
                "discussion": m.discussion,
                "decisions": [
                    f"{d['decision']}（责任单位：{d['responsible'].name}；完成时限：{day_label(d['due_date'])}）"
                    for d in decisions
                ],
                "recorder": actor_name(actor),
                "distribution": [u.name for u in recipients],
            },
        )
        Meeting.objects.filter(pk=m.pk).update(minutes=doc)
        m.minutes = doc
        add_event(
            m.events,
            "minuted",
            f"印发会商纪要（{doc.number}），议定事项{len(decisions)}项",
            actor,
            at=now,
            document=doc,
        )
        for ob in active_obligations(m, (flow.MINUTES_LIMIT,)):
            deadlines.settle(ob, actor, met_at=now, note=f"已印发{doc.number}")
        items = []
        for n, d in enumerate(decisions, 1):
            item = ActionItem.objects.create(meeting=m, number=n, **d)
            items.append(item)
            deadlines.open_obligation(
                rule_id=flow.ACTION_LIMIT,
                unit=item.responsible,
                subject=item,
                start=now,
                period=days_until(item.due_date),
                actor=actor,
                label=f"落实会商议定事项：{item.decision}"[:200],
                note=f"{doc.number}第{n}项，完成时限{day_label(item.due_date)}（R-CO-01）",
            )
            tell(
                item.responsible,
                f"meeting:{m.pk}:item:{n}",
                f"会商议定事项待落实（{day_label(item.due_date)}前）：{item.decision}",
                item.get_absolute_url(),
            )
        record(
            actor,
            "meeting.minuted",
            m,
            before={"status": old},
            after={
                "status": m.status,
                "minutes": doc.number,
                "items": [
                    {
                        "number": i.number,
                        "responsible": i.responsible.name,
                        "due_date": i.due_date.isoformat(),
                    }
                    for i in items
                ],
            },
        )
        for unit in recipients:
            tell(
                unit,
                f"meeting:{m.pk}:minuted",
                f"{m.convener.name}印发{doc.number}：{doc.title}",
                m.get_absolute_url(),
            )
    return m


def finish_item(actor: Actor, item: ActionItem, data: Mapping[str, Any]) -> ActionItem:
    """The responsible unit reports its item done; the last one closes the meeting (R-CO-01)."""
    access.require_finish(actor, item)
    note = str(data.get("note") or "").strip()
    if not note:
        raise ValidationFailed.field("note", "请填写落实情况")
    if len(note) > 5000:
        raise ValidationFailed.field("note", "落实情况不能超过5000个字")
    m = item.meeting
    now = timezone.now()
    with transaction.atomic():
        # Two units finishing the last two items at once: the meeting row lock makes the second
        # see the first's item done, so exactly one of them closes the meeting.
        Meeting.objects.select_for_update().filter(pk=m.pk).first()
        if not ActionItem.objects.filter(pk=item.pk, status="open").update(
            status="done", done_at=now, done_note=note, done_by_name=actor_name(actor)
        ):
            raise Conflict(
                "该议定事项已报告落实，请刷新后查看", details={"status": "done", "status_label": "已落实"}
            )
        item.status, item.done_at, item.done_note, item.done_by_name = "done", now, note, actor_name(actor)
        clocks = active_obligations(item, (flow.ACTION_LIMIT,))
        on_time = all(now <= ob.due_at for ob in clocks)  # the clock's due time, extensions included
        add_event(
            m.events,
            "item_done",
            f"{item.responsible.name}报告第{item.number}项已落实{'' if on_time else '（逾期）'}",
            actor,
            at=now,
            note=note,
        )
        record(
            actor, "meeting.item_done", item, before={"status": "open"}, after={"status": "done"}, reason=note
        )
        for ob in clocks:
            deadlines.settle(ob, actor, met_at=now, note="责任单位已报告落实")
        if item.responsible_id != m.convener_id:
            tell(
                m.convener,
                f"meeting:{m.pk}:item:{item.number}:done",
                f"{item.responsible.name}已落实议定事项：{item.decision}",
                item.get_absolute_url(),
                body=note,
            )
        if not m.items.filter(status="open").exists():  # type: ignore[attr-defined]
            old = STATE.step(m, "complete", closed_at=now)
            add_event(m.events, "closed", "议定事项已全部落实，会商办结", actor, at=now)
            record(actor, "meeting.closed", m, before={"status": old}, after={"status": m.status})
    return item


def cancel(actor: Actor, m: Meeting, data: Mapping[str, Any]) -> Meeting:
    access.require_minute(actor, m)
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "请填写取消理由")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.step(m, "cancel", cancel_reason=reason[:2000], closed_at=now)
        add_event(m.events, "cancelled", "会议取消", actor, at=now, note=reason)
        record(
            actor, "meeting.cancelled", m, before={"status": old}, after={"status": m.status}, reason=reason
        )
        for ob in active_obligations(m, (flow.MINUTES_LIMIT,)):
            deadlines.waive(actor, ob, f"会议已取消：{reason}", by_process=True)
        for unit in m.invited_units.all():
            tell(unit, f"meeting:{m.pk}:cancelled", f"会议取消：{m.title}", m.get_absolute_url(), body=reason)
    return m


def allowed_actions(actor: Actor, m: Meeting) -> list[str]:
    out: list[str] = []
    if m.status == "convened" and access.can_minute(actor, m):
        out += ["minute", "cancel"]
    if m.status == "following" and any(
        access.can_finish(actor, i)
        for i in m.items.filter(status="open")  # type: ignore[attr-defined]
    ):
        out.append("finish")
    # R-CO-03: a consultation about a major case clue can start a joint operation.
    if access.can_convene(actor) and (m.kind == "clue" or m.clue) and m.status != "cancelled":
        out.append("operation")
    return out
