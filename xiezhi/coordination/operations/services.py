"""Joint operations (联合执法, R-CO-03, R-CASE-01): plan with a lead unit, participating units and
officers; record findings and results linked to intake reports, transfers and cases.

R-CASE-01 is enforced twice: at planning, every officer assigned as an enforcer must hold an
enforcement certificate valid on the operation's days (status valid, dates within validity), and
there must be at least two; anyone else is listed as auxiliary. On each finding, the named
enforcers must be at least two of the operation's certified enforcers — an auxiliary can never be
the enforcer on a record. Bad input writes nothing.

Clock: the lead unit owes the results within ``CP-CO-03-RESULTS`` (5 WD) of the operation's start
(findings and results can only be recorded once it has started).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.linkage import (
    day_label,
    ids,
    people_of,
    tell,
    units_of,
)
from xiezhi.coordination.meetings.access import access_meeting
from xiezhi.coordination.models import JointOperation, OfficerRole, OperationFinding, OperationOfficer
from xiezhi.coordination.operations import access
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed, XiezhiError
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.intake.access import access_report
from xiezhi.intake.models import Report
from xiezhi.rulebook import linkage_flow as flow
from xiezhi.rulebook.zh import format_datetime_zh
from xiezhi.transfers.access import access_transfer
from xiezhi.transfers.models import Transfer
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import Certificate, Person
from xiezhi.units.selectors import valid_certificates_on

STATE = StatusFlow(JointOperation, flow.OPERATION, "该行动")


def operation_days(op_start: Any, op_end: Any) -> tuple[date, date]:
    return timezone.localtime(op_start).date(), timezone.localtime(op_end).date()


def certificate_for(person: Person, first: date, last: date) -> Certificate | None:
    """A certificate of the person valid on every day of the operation (R-CASE-01), if any."""
    return (
        valid_certificates_on(first)
        .filter(holder_id=person.pk, valid_to__gte=last)
        .order_by("-valid_to")
        .first()
    )


def _days_text(first: date, last: date) -> str:
    return day_label(first) if first == last else f"{day_label(first)}至{day_label(last)}"


# --- planning ---------------------------------------------------------------------------------------


def _clean_plan(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    assert actor.unit is not None
    county_id = actor.unit.county_id
    c = Cleaner(data, creating=True)
    meeting = None
    if data.get("meeting") not in (None, ""):
        try:
            meeting = access_meeting(actor, data["meeting"])
        except XiezhiError:
            c.error("meeting", f"会商会议不存在或您无权查看：{data['meeting']}")
        else:
            if meeting.status == "cancelled":
                c.error("meeting", "该会商会议已取消，不能据此组织联合执法")
    c.text("title", "行动名称", max_length=100, required=True)
    c.text("plan", "行动方案", max_length=5000, required=True)
    c.text("place", "行动地点", max_length=200, required=True)
    c.text("clue", "重大案件线索", max_length=5000)
    c.moment("starts_at", "开始时间", required=True, not_future=False)
    c.moment("ends_at", "结束时间", required=True, not_future=False)
    start, end = c.cleaned.get("starts_at"), c.cleaned.get("ends_at")
    if start and end and end < start:
        c.error("ends_at", "结束时间不能早于开始时间")
    report = None
    if data.get("clue_report") not in (None, ""):
        try:
            report = access_report(actor, int(data["clue_report"]))
        except (ValueError, TypeError, XiezhiError):
            c.error("clue_report", f"群众反映不存在或您无权查看：{data['clue_report']}")
    participants = units_of(county_id, ids(data, "participants"), "参与单位", c.errors, "participants")
    if any(u.pk == actor.unit_id for u in participants):
        c.error("participants", "牵头单位不必列为参与单位")
    if not participants and "participants" not in c.errors:
        c.error("participants", "联合执法须至少有一个参与单位")
    enforcers = people_of(ids(data, "enforcers"), "执法人员", c.errors, "enforcers")
    auxiliaries = people_of(ids(data, "auxiliaries"), "辅助人员", c.errors, "auxiliaries")
    allowed = {u.pk for u in participants} | {actor.unit_id}
    for name, people in (("enforcers", enforcers), ("auxiliaries", auxiliaries)):
        for p in people:
            if p.unit_id not in allowed:
                c.error(name, f"{p.name}（{p.unit.name}）不属于牵头单位或参与单位")
    both = {p.pk for p in enforcers} & {p.pk for p in auxiliaries}
    if both:
        c.error("auxiliaries", "同一人员不能同时列为执法人员和辅助人员")
    certificates: dict[int, Certificate] = {}
    if start and end and end >= start:
        first, last = operation_days(start, end)
        officers = []
        for p in enforcers:
            cert = certificate_for(p, first, last)
            if cert is not None:
                certificates[p.pk] = cert
            officers.append(flow.Officer(f"{p.name}（{p.unit.name}）", cert is not None))
        for problem in flow.enforcer_problems(officers, _days_text(first, last)):
            c.error("enforcers", problem)
    c.raise_if_errors()
    return {
        **c.cleaned,
        "meeting": meeting,
        "clue_report": report,
        "participants": participants,
        "enforcers": enforcers,
        "auxiliaries": auxiliaries,
        "certificates": certificates,
    }


def plan(actor: Actor, data: Mapping[str, Any]) -> JointOperation:
    """部署联合执法: lead unit (own), participants, time and place, at least two certified enforcers
    (R-CASE-01) and any auxiliaries; participants are notified; the results clock starts at the end."""
    access.require_plan(actor)
    clean = _clean_plan(actor, data)
    assert actor.unit is not None
    participants, enforcers, auxiliaries = (
        clean.pop("participants"),
        clean.pop("enforcers"),
        clean.pop("auxiliaries"),
    )
    certificates = clean.pop("certificates")
    now = timezone.now()
    meeting = clean["meeting"]
    if meeting is not None and not clean.get("clue"):
        clean["clue"] = meeting.clue
    if meeting is not None and clean.get("clue_report") is None:
        clean["clue_report"] = meeting.clue_report
    with transaction.atomic():
        op = JointOperation.objects.create(
            county_id=actor.unit.county_id,
            lead=actor.unit,
            created_by=actor.person,
            created_by_name=actor_name(actor),
            created_at=now,
            clue=clean.pop("clue", "") or "",
            **clean,
        )
        op.participants.set(participants)
        OperationOfficer.objects.bulk_create(
            [
                OperationOfficer(
                    operation=op,
                    person=p,
                    unit=p.unit,
                    role=OfficerRole.ENFORCER,
                    certificate=certificates[p.pk],
                )
                for p in enforcers
            ]
            + [
                OperationOfficer(operation=op, person=p, unit=p.unit, role=OfficerRole.AUXILIARY)
                for p in auxiliaries
            ]
        )
        start = timezone.localtime(op.starts_at)
        add_event(
            op.events,
            "planned",
            f"{op.lead.name}部署联合执法",
            actor,
            at=now,
            note=f"{format_datetime_zh(start)}在{op.place}；执法人员：{'、'.join(p.name for p in enforcers)}"
            + (f"；辅助人员：{'、'.join(p.name for p in auxiliaries)}" if auxiliaries else ""),
        )
        record(
            actor,
            "operation.planned",
            op,
            after={
                "title": op.title,
                "starts_at": op.starts_at.isoformat(),
                "participants": [u.name for u in participants],
                "enforcers": [{"name": p.name, "certificate": certificates[p.pk].number} for p in enforcers],
                "auxiliaries": [p.name for p in auxiliaries],
                "meeting_id": op.meeting_id,
            },
        )
        if meeting is not None:
            add_event(meeting.events, "operation", f"据此组织联合执法：{op.title}", actor, at=now)
        deadlines.open_obligation(
            rule_id=flow.RESULTS_LIMIT,
            unit=op.lead,
            subject=op,
            start=max(op.starts_at, now),
            actor=actor,
            label=f"登记联合执法结果：{op.title}"[:200],
        )
        for unit in participants:
            tell(
                unit,
                f"operation:{op.pk}:planned",
                f"联合执法通知：{op.lead.name}定于{start:%m月%d日%H:%M}在{op.place}开展{op.title}",
                op.get_absolute_url(),
                body=op.plan,
            )
    return op


# --- findings and results ---------------------------------------------------------------------------


def _require_started(op: JointOperation, what: str) -> None:
    if timezone.now() < op.starts_at:
        start = timezone.localtime(op.starts_at)
        raise ValidationFailed.field(
            "starts_at", f"行动尚未开始（{format_datetime_zh(start)}开始），不能{what}"
        )


def add_finding(actor: Actor, op: JointOperation, data: Mapping[str, Any]) -> OperationFinding:
    """A finding names its enforcers: at least two of the operation's certified enforcers, still
    valid on the operation's days; an auxiliary is refused (R-CASE-01)."""
    access.require_lead(actor, op)
    if op.status != "planned":
        raise STATE.conflict(op, "finish")
    _require_started(op, "登记检查发现")
    c = Cleaner(data, creating=True)
    c.text("facts", "检查发现", max_length=5000, required=True)
    c.text("party", "当事人", max_length=200)
    c.text("location", "地点", max_length=200)
    people = people_of(ids(data, "enforcers"), "执法人员", c.errors, "enforcers")
    assigned = {o.person_id: o for o in op.officers.all()}  # type: ignore[attr-defined]
    first, last = operation_days(op.starts_at, op.ends_at)
    officers = []
    for p in people:
        role = assigned.get(p.pk)
        if role is None:
            c.error("enforcers", f"{p.name}未被指派参加本次行动")
        elif role.role == OfficerRole.AUXILIARY:
            c.error("enforcers", f"{p.name}是本次行动的辅助人员，不能作为执法人员（R-CASE-01）")
        else:
            officers.append(flow.Officer(p.name, certificate_for(p, first, last) is not None))
    for problem in flow.enforcer_problems(officers, _days_text(first, last)):
        c.error("enforcers", problem)
    c.raise_if_errors()
    now = timezone.now()
    with transaction.atomic():
        if not JointOperation.objects.filter(pk=op.pk, status="planned").exists():
            raise STATE.conflict(op, "finish")
        f = OperationFinding.objects.create(
            operation=op,
            facts=c.cleaned["facts"],
            party=c.cleaned.get("party") or "",
            location=c.cleaned.get("location") or "",
            recorded_at=now,
            recorded_by_name=actor_name(actor),
        )
        f.enforcers.set(people)
        names = "、".join(p.name for p in people)
        add_event(op.events, "finding", f"登记检查发现（执法人员：{names}）", actor, at=now, note=f.facts)
        record(
            actor,
            "operation.finding_added",
            op,
            after={"finding_id": f.pk, "enforcers": [p.name for p in people], "party": f.party},
        )
    return f


def _links(
    actor: Actor, data: Mapping[str, Any], errors: dict[str, list[str]]
) -> tuple[list[Report], list[Transfer]]:
    reports: list[Report] = []
    for raw in ids(data, "reports"):
        try:
            reports.append(access_report(actor, int(raw)))
        except (ValueError, TypeError, XiezhiError):
            errors.setdefault("reports", []).append(f"群众反映不存在或您无权查看：{raw}")
    transfers: list[Transfer] = []
    for raw in ids(data, "transfers"):
        try:
            transfers.append(access_transfer(actor, raw))
        except (ValueError, TypeError, XiezhiError):
            errors.setdefault("transfers", []).append(f"案件移送不存在或您无权查看：{raw}")
    return reports, transfers


def finish(actor: Actor, op: JointOperation, data: Mapping[str, Any]) -> JointOperation:
    """Results: summary, case references (free text until a cases app exists), links to intake
    reports and transfers; the lead unit's results clock is met."""
    access.require_lead(actor, op)
    if op.status != "planned":
        raise STATE.conflict(op, "finish")
    _require_started(op, "登记行动结果")
    c = Cleaner(data, creating=True)
    c.text("summary", "行动结果", max_length=5000, required=True)
    c.text("case_refs", "立案情况", max_length=2000)
    reports, transfers = _links(actor, data, c.errors)
    c.raise_if_errors()
    now = timezone.now()
    with transaction.atomic():
        old = STATE.step(
            op,
            "finish",
            summary=c.cleaned["summary"],
            case_refs=c.cleaned.get("case_refs") or "",
            finished_at=now,
        )
        op.reports.set(reports)
        op.transfers.set(transfers)
        add_event(op.events, "finished", "登记行动结果", actor, at=now, note=op.summary)
        record(
            actor,
            "operation.finished",
            op,
            before={"status": old},
            after={
                "status": op.status,
                "findings": op.findings.count(),  # type: ignore[attr-defined]
                "report_ids": [r.pk for r in reports],
                "transfer_ids": [t.pk for t in transfers],
                "case_refs": op.case_refs,
            },
        )
        for ob in active_obligations(op, (flow.RESULTS_LIMIT,)):
            deadlines.settle(ob, actor, met_at=now, note="行动结果已登记")
        for unit in op.participants.all():
            tell(
                unit,
                f"operation:{op.pk}:finished",
                f"联合执法“{op.title}”结果已登记",
                op.get_absolute_url(),
                body=op.summary,
            )
    return op


def cancel(actor: Actor, op: JointOperation, data: Mapping[str, Any]) -> JointOperation:
    access.require_lead(actor, op)
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "请填写取消理由")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.step(op, "cancel", cancel_reason=reason[:2000], finished_at=now)
        add_event(op.events, "cancelled", "行动取消", actor, at=now, note=reason)
        record(
            actor,
            "operation.cancelled",
            op,
            before={"status": old},
            after={"status": op.status},
            reason=reason,
        )
        for ob in active_obligations(op, (flow.RESULTS_LIMIT,)):
            deadlines.waive(actor, ob, f"行动已取消：{reason}", by_process=True)
        for unit in op.participants.all():
            tell(
                unit,
                f"operation:{op.pk}:cancelled",
                f"联合执法取消：{op.title}",
                op.get_absolute_url(),
                body=reason,
            )
    return op


def allowed_actions(actor: Actor, op: JointOperation) -> list[str]:
    if op.status == "planned" and access.can_lead(actor, op):
        return ["finding", "finish", "cancel"]
    return []
