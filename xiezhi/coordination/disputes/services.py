"""Disputes (R-DIS-01..03): open with a provisional handler, negotiate, apply to the justice bureau,
the bureau coordinates or proposes, the county government decides or refers.

Every step runs under a county-policy time limit (`rulebook.dispute_flow.STEPS`, periods
``CP-DIS-*``) tracked as an obligation of the unit that owes it: the applicant (negotiation), the
provisional handler (taking over, R-DIS-03), the justice bureau (coordination), the county
government (decision). Transitions are conditional UPDATEs (zero rows → 409, nothing written).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.disputes import access
from xiezhi.coordination.models import Dispute, DisputeKind
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.core.inputs import text_field
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.services import issue_document
from xiezhi.notifications.services import notify
from xiezhi.rulebook import dispute_flow as flow
from xiezhi.transfers.access import access_transfer
from xiezhi.units.cleaning import Cleaner, parse_moment
from xiezhi.units.models import Unit, UnitKind

STEP_RULES = tuple(s.limit_id for s in flow.STEPS.values())
STATE = StatusFlow(Dispute, flow.DISPUTE, "该争议")


# --- shared steps ------------------------------------------------------------------------------------


def _lines(data: Mapping[str, Any], name: str, label: str) -> list[str]:
    raw = data.get(name)
    items = raw.splitlines() if isinstance(raw, str) else list(raw or [])
    lines = [str(x).strip() for x in items if str(x).strip()]
    if not lines:
        raise ValidationFailed.field(name, f"请填写{label}（每行一项）")
    return lines


def _clock(actor: Actor, d: Dispute, step: flow.Step, unit: Unit, start: datetime) -> Obligation:
    return deadlines.open_obligation(
        rule_id=step.limit_id,
        unit=unit,
        subject=d,
        start=start,
        actor=actor,
        label=f"{step.label}：{d.subject}"[:200],
        note=step.description,
    )


def _close_clocks(actor: Actor, d: Dispute, at: datetime, note: str) -> None:
    """The step under way is met; a provisional handler's duty not yet taken up ends with the dispute."""
    for ob in active_obligations(d, STEP_RULES):
        if ob.rule_id == flow.PROVISIONAL.limit_id:
            deadlines.waive(actor, ob, f"争议已办结：{note}", by_process=True)
        else:
            deadlines.settle(ob, actor, met_at=at, note=note)


def _county_unit(d: Dispute, kind: str, label: str) -> Unit:
    unit = Unit.objects.filter(county_id=d.county_id, kind=kind, active=True).order_by("code").first()
    if unit is None:
        raise ValidationFailed.field("county", f"本县尚未登记{label}，无法进入该程序")
    return unit


def _tell(unit: Unit, d: Dispute, key: str, title: str, body: str = "") -> None:
    notify(
        title=title[:200],
        body=body or title,
        dedupe_key=f"dispute:{d.pk}:{key}:u{unit.pk}",
        unit=unit,
        url=d.get_absolute_url(),
        kind="dispute",
    )


def _minutes(actor: Actor, d: Dispute, data: Mapping[str, Any], topic: str) -> IssuedDocument:
    """协调会议纪要 in the actor's unit's name: the agreement that binds the parties (R-DIS-01)."""
    assert actor.unit is not None
    held = parse_moment(data.get("held_at")) if data.get("held_at") else timezone.now()
    if held is None:
        raise ValidationFailed.field("held_at", "会议时间格式有误，应为“2025-10-08T09:30”这样的时间")
    if held > timezone.now():
        raise ValidationFailed.field("held_at", "会议时间不能晚于当前时间")
    return issue_document(
        actor,
        doc_type="minutes",
        unit=actor.unit,
        subject=d,
        data={
            "topic": text_field(data, "topic", "会议名称", required=False, max_length=100) or topic,
            "held_at": timezone.localtime(held).replace(tzinfo=None).isoformat(timespec="minutes"),
            "place": text_field(data, "place", "会议地点", max_length=200),
            "chair": text_field(data, "chair", "主持人", max_length=100),
            "attendees": _lines(data, "attendees", "参会单位及人员"),
            "matter": d.subject,
            "discussion": text_field(data, "discussion", "会议情况", required=False),
            "agreements": _lines(data, "agreements", "议定事项"),
            "recorder": actor_name(actor),
            "distribution": [u.name for u in (d.applicant, d.counterpart, d.provisional_handler)],
        },
    )


# --- opening -----------------------------------------------------------------------------------------


def _clean_open(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    assert actor.unit is not None
    c = Cleaner(data, creating=True)
    transfer = None
    if data.get("transfer") not in (None, "") or data.get("transfer_id") not in (None, ""):
        transfer = access_transfer(actor, data.get("transfer") or data.get("transfer_id"))  # type: ignore[arg-type]
        if transfer.sender_id != actor.unit_id or transfer.status != "declined":
            raise ValidationFailed.field("transfer", "只能就本单位移送且被对方不予受理的案件提起移送争议")
        if Dispute.objects.filter(transfer=transfer, status__in=flow.OPEN_STATES).exists():
            raise Conflict("该移送已有尚未办结的争议，请在原争议中继续处理")
    data = dict(data)
    if transfer is not None:
        data.setdefault("kind", DisputeKind.TRANSFER)
        data.setdefault("counterpart", transfer.receiver)
        data.setdefault("subject", f"{transfer.party}涉嫌{transfer.violation}案件的管辖")
        c.data = data
    c.choice("kind", "争议类型", DisputeKind.choices, required=True)
    c.unit("counterpart", "对方单位", actor.unit.county_id, required=True)
    c.unit("provisional_handler", "临时承办单位", actor.unit.county_id, required=True)
    c.text("subject", "争议事项", max_length=300, required=True)
    c.text("facts", "争议经过", max_length=5000, required=True)
    c.text("applicant_position", "我方意见", max_length=5000, required=True)
    c.text("counterpart_position", "对方意见", max_length=5000)
    c.text("provisional_basis", "指定临时承办单位的理由", max_length=2000)
    counterpart = c.cleaned.get("counterpart")
    if counterpart is not None:
        if counterpart.pk == actor.unit_id:
            c.error("counterpart", "争议对方不能是本单位")
        elif counterpart.kind not in access.PARTY_KINDS:
            c.error("counterpart", f"“{counterpart.name}”不是乡镇（街道）或县级部门")
    handler = c.cleaned.get("provisional_handler")
    if handler is not None and handler.kind not in access.PARTY_KINDS:
        c.error(
            "provisional_handler",
            f"临时承办单位须为乡镇（街道）或县级执法部门，“{handler.name}”不是（R-DIS-03）",
        )
    if "provisional_handler" in c.errors:
        c.errors["provisional_handler"].append(
            "争议期间须指定临时承办单位继续履行法定职责，避免监管空白（R-DIS-03）"
        )
    if transfer is not None and c.cleaned.get("kind") != DisputeKind.TRANSFER:
        c.error("kind", "就移送案件提起的争议，类型应为“案件移送争议”")
    c.raise_if_errors()
    clean = dict(c.cleaned)
    clean["transfer"] = transfer
    if transfer is not None:
        clean["matter"], clean["township"] = transfer.matter, transfer.township
    return clean


def open_dispute(actor: Actor, data: Mapping[str, Any]) -> Dispute:
    """提起争议 with a provisional handler (R-DIS-03) who owes taking over within the county limit."""
    access.require_business(actor)
    if not access.can_open(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以提起执法争议")
    clean = _clean_open(actor, data)
    assert actor.unit is not None
    now = timezone.now()
    with transaction.atomic():
        d = Dispute.objects.create(
            county_id=actor.unit.county_id,
            applicant=actor.unit,
            opened_at=now,
            opened_by=actor.person,
            opened_by_name=actor_name(actor),
            **clean,
        )
        add_event(
            d.events,
            "opened",
            f"{d.applicant.name}提起{d.get_kind_display()}",
            actor,
            status_to=d.status,
            at=now,
            note=d.facts,
        )
        add_event(
            d.events,
            "provisional",
            f"指定{d.provisional_handler.name}为临时承办单位",
            actor,
            at=now,
            note=d.provisional_basis or "争议期间继续履行法定职责，避免监管空白（R-DIS-03）",
        )
        record(
            actor,
            "dispute.opened",
            d,
            after={
                "kind": d.kind,
                "counterpart": d.counterpart.name,
                "provisional_handler": d.provisional_handler.name,
                "transfer_id": d.transfer_id,
            },
        )
        _clock(actor, d, flow.NEGOTIATION, d.applicant, now)
        _clock(actor, d, flow.PROVISIONAL, d.provisional_handler, now)
        _tell(d.counterpart, d, "opened", f"{d.applicant.name}就“{d.subject}”提起执法争议，请协商处理")
        if d.provisional_handler_id not in (d.applicant_id,):
            _tell(
                d.provisional_handler,
                d,
                "provisional",
                f"你单位被指定为“{d.subject}”争议期间的临时承办单位",
                "争议解决前请继续依法履行监管职责，并在平台确认临时承办（R-DIS-03）。",
            )
    return d


# --- the steps ---------------------------------------------------------------------------------------


def acknowledge(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    """The provisional handler confirms it keeps the duty, saying what it does meanwhile (R-DIS-03)."""
    access.require(actor, d, "acknowledge")
    if not d.is_open:
        raise STATE.conflict(d, "negotiate", f"该争议已{d.status_label}，无需确认临时承办")
    if d.provisional_ack_at is not None:
        raise Conflict("临时承办已确认", details={"status": d.status, "status_label": d.status_label})
    note = text_field(data, "note", "临时处置情况")
    now = timezone.now()
    with transaction.atomic():
        rows = Dispute.objects.filter(
            pk=d.pk, provisional_ack_at__isnull=True, status__in=flow.OPEN_STATES
        ).update(provisional_ack_at=now, provisional_ack_note=note)
        if not rows:
            raise STATE.conflict(d, "negotiate", "临时承办已确认或争议已办结，请刷新后查看")
        d.provisional_ack_at, d.provisional_ack_note = now, note
        add_event(
            d.events, "provisional_ack", f"{d.provisional_handler.name}确认临时承办", actor, at=now, note=note
        )
        record(actor, "dispute.provisional_acknowledged", d, after={"note": note})
        for ob in active_obligations(d, (flow.PROVISIONAL.limit_id,)):
            deadlines.settle(ob, actor, met_at=now, note="临时承办单位已确认接手")
    return d


def negotiate(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    """Record a negotiation round. With ``agreed``: the minutes are issued, bind both parties and
    close the dispute (R-DIS-01); without: the round is recorded and the dispute stays open."""
    access.require(actor, d, "negotiate")
    agreed = str(data.get("agreed", "")).strip().lower() in ("1", "true", "on", "yes", "是")
    action = "agree" if agreed else "negotiate"
    new = STATE.next_state(d, action)
    now = timezone.now()
    if not agreed:
        note = text_field(data, "note", "协商情况")
        with transaction.atomic():
            if not Dispute.objects.filter(pk=d.pk, status=d.status).exists():
                raise STATE.conflict(d, action)
            add_event(d.events, "negotiated", "双方协商，未达成一致", actor, at=now, note=note)
            record(actor, "dispute.negotiated", d, after={"agreed": False}, reason=note)
        return d
    with transaction.atomic():
        old = STATE.move(d, action, new, closed_at=now)
        doc = _minutes(actor, d, data, "执法争议协商会议")
        agreements = "；".join(doc.data.get("agreements", []))
        Dispute.objects.filter(pk=d.pk).update(outcome=agreements)
        d.outcome = agreements
        add_event(
            d.events,
            "agreed",
            "双方协商一致，纪要对双方具有约束力",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=agreements,
            document=doc,
        )
        record(
            actor, "dispute.agreed", d, before={"status": old}, after={"status": new, "minutes": doc.number}
        )
        _close_clocks(actor, d, now, "双方协商一致")
        for unit in (d.applicant, d.counterpart):
            _tell(unit, d, "agreed", f"执法争议“{d.subject}”已协商一致（{doc.number}）")
    return d


def apply_for_coordination(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    """Failing agreement, either party applies to the justice bureau (R-DIS-02) with the
    争议协调申请书; the bureau's coordination clock starts."""
    access.require(actor, d, "apply")
    new = STATE.next_state(d, "apply")
    bureau = _county_unit(d, UnitKind.JUSTICE_BUREAU, "司法局")
    negotiation = text_field(data, "negotiation", "协商情况")
    request_text = text_field(data, "request", "申请事项", required=False) or "请依法协调确定管辖和处理意见"
    assert actor.unit is not None
    counterpart = d.counterpart if actor.unit_id == d.applicant_id else d.applicant
    ours = d.applicant_position if actor.unit_id == d.applicant_id else d.counterpart_position
    theirs = d.counterpart_position if actor.unit_id == d.applicant_id else d.applicant_position
    ours = text_field(data, "our_position", "我方意见", required=not ours) or ours
    now = timezone.now()
    with transaction.atomic():
        position: dict[str, Any] = {"counterpart_position": ours} if actor.unit_id == d.counterpart_id else {}
        old = STATE.move(d, "apply", new, applied_at=now, applied_by_unit=actor.unit, **position)
        doc = issue_document(
            actor,
            doc_type="dispute_application",
            unit=actor.unit,
            subject=d,
            data={
                "addressee": bureau.name,
                "counterpart": counterpart.name,
                "dispute_type": d.kind,
                "matter": d.subject,
                "facts": d.facts,
                "negotiation": negotiation,
                "our_position": ours,
                "their_position": theirs,
                "request": request_text,
                "provisional_handler": d.provisional_handler.name,
                "contact_person": actor_name(actor),
            },
        )
        Dispute.objects.filter(pk=d.pk).update(application=doc)
        d.application = doc
        add_event(
            d.events,
            "applied",
            f"{actor.unit.name}申请司法局协调",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=negotiation,
            document=doc,
        )
        record(
            actor,
            "dispute.applied",
            d,
            before={"status": old},
            after={"status": new, "application": doc.number},
        )
        for ob in active_obligations(d, (flow.NEGOTIATION.limit_id,)):
            deadlines.settle(ob, actor, met_at=now, note="协商未果，已申请协调")
        _clock(actor, d, flow.COORDINATION, bureau, now)
        _tell(bureau, d, "applied", f"收到争议协调申请（{doc.number}）：{d.subject}")
        _tell(counterpart, d, "applied", f"{actor.unit.name}已就“{d.subject}”申请司法局协调")
    return d


def coordinate(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    """The justice bureau's coordination ends in agreement minutes (closing the dispute) or, failing
    agreement, in a proposal to the county government, whose decision clock starts (R-DIS-02)."""
    access.require(actor, d, "coordinate")
    agreed = str(data.get("agreed", "")).strip().lower() in ("1", "true", "on", "yes", "是")
    action = "coordinate" if agreed else "propose"
    new = STATE.next_state(d, action)
    now = timezone.now()
    with transaction.atomic():
        if agreed:
            old = STATE.move(d, action, new, closed_at=now)
            doc = _minutes(actor, d, data, "执法争议协调会议")
            agreements = "；".join(doc.data.get("agreements", []))
            Dispute.objects.filter(pk=d.pk).update(outcome=agreements)
            d.outcome = agreements
            add_event(
                d.events,
                "coordinated",
                "司法局协调一致，纪要对双方具有约束力",
                actor,
                status_from=old,
                status_to=new,
                at=now,
                note=agreements,
                document=doc,
            )
            record(
                actor,
                "dispute.coordinated",
                d,
                before={"status": old},
                after={"status": new, "minutes": doc.number},
            )
            _close_clocks(actor, d, now, "司法局协调一致")
            for unit in (d.applicant, d.counterpart):
                _tell(unit, d, "coordinated", f"执法争议“{d.subject}”经司法局协调一致（{doc.number}）")
            return d
        proposal = text_field(data, "proposal", "处理建议")
        government = _county_unit(d, UnitKind.COUNTY_GOVERNMENT, "县人民政府")
        old = STATE.move(d, action, new, proposed_at=now, proposal=proposal)
        add_event(
            d.events,
            "proposed",
            "协调未果，司法局提出处理建议报县政府决定",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=proposal,
        )
        record(actor, "dispute.proposed", d, before={"status": old}, after={"status": new}, reason=proposal)
        for ob in active_obligations(d, (flow.COORDINATION.limit_id,)):
            deadlines.settle(ob, actor, met_at=now, note="已提出处理建议")
        _clock(actor, d, flow.DECISION, government, now)
        _tell(government, d, "proposed", f"司法局报请决定执法争议：{d.subject}", proposal)
    return d


def decide(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    """The county government decides (closing the dispute) or, when the matter is beyond its
    power, refers it to the competent authority (R-DIS-02)."""
    access.require(actor, d, "decide")
    refer = str(data.get("refer", "")).strip().lower() in ("1", "true", "on", "yes", "是")
    action = "refer" if refer else "decide"
    new = STATE.next_state(d, action)
    now = timezone.now()
    if refer:
        authority = text_field(data, "referred_to", "有权机关", max_length=200)
        reason = text_field(data, "decision", "移送理由")
        columns: dict[str, Any] = {"closed_at": now, "outcome": reason, "referred_to": authority}
        label = f"超出县政府权限，移送{authority}处理"
    else:
        reason = text_field(data, "decision", "决定内容")
        columns = {"closed_at": now, "outcome": reason}
        label = "县政府作出决定"
    with transaction.atomic():
        old = STATE.move(d, action, new, **columns)
        add_event(
            d.events,
            "referred" if refer else "decided",
            label,
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=reason,
        )
        record(
            actor,
            f"dispute.{'referred' if refer else 'decided'}",
            d,
            before={"status": old},
            after={"status": new, **columns},
        )
        _close_clocks(actor, d, now, label)
        for unit in {d.applicant, d.counterpart, d.provisional_handler}:
            _tell(unit, d, action, f"执法争议“{d.subject}”：{label}", reason)
    return d


def withdraw(actor: Actor, d: Dispute, data: Mapping[str, Any]) -> Dispute:
    access.require(actor, d, "withdraw")
    new = STATE.next_state(d, "withdraw")
    reason = text_field(data, "reason", "撤回理由")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(d, "withdraw", new, closed_at=now, outcome=reason)
        add_event(
            d.events,
            "withdrawn",
            "提起单位撤回争议",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=reason,
        )
        record(actor, "dispute.withdrawn", d, before={"status": old}, after={"status": new}, reason=reason)
        for ob in active_obligations(d, STEP_RULES):
            deadlines.waive(actor, ob, f"争议已撤回：{reason}", by_process=True)
        _tell(d.counterpart, d, "withdrawn", f"{d.applicant.name}已撤回执法争议“{d.subject}”", reason)
    return d


def allowed_actions(actor: Actor, d: Dispute) -> list[str]:
    """The steps this actor may take now, for the page and the API."""
    out: list[str] = []
    if d.is_open and d.provisional_ack_at is None and access.can_acknowledge(actor, d):
        out.append("acknowledge")
    if d.status == "negotiating":
        if access.can_negotiate(actor, d):
            out += ["negotiate", "agree"]
        if access.can_apply(actor, d):
            out.append("apply")
        if access.can_withdraw(actor, d):
            out.append("withdraw")
    if d.status == "coordinating" and access.can_coordinate(actor, d):
        out += ["coordinate", "propose"]
    if d.status == "proposed" and access.can_decide(actor, d):
        out += ["decide", "refer"]
    return out
