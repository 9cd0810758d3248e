"""Assistance requests (R-CO-04, R-CO-05; 行政处罚法 art. 26).

The requester asks another unit for identification, appraisal, testing (认定/鉴定/检测) or other
assistance. Duties, each an obligation of the assisting unit: the written answer (R-CO-05 3 WD, or
the county default for other assistance); when urgent or evidence is at risk, officers on site
within the county's "at once" limit. A long procedure is told in advance with the expected date: an
extension of the answer duty with its reason. A refusal must give a reason, is sent to the justice
bureau as a possible dispute, and the requester can open the dispute from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.assistance import access
from xiezhi.coordination.assistance.common import (
    clean_dispatch,
    justice_bureau_of,
    own_unit,
    settle_rule,
    tell,
    waive_all,
)
from xiezhi.coordination.assistance.models import AssistanceRequest
from xiezhi.coordination.disputes import services as disputes
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
from xiezhi.rulebook import assistance_flow as flow
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import UnitKind

ALL_RULES = ("R-CO-04", "R-CO-05", flow.ONSITE_RULE)
STATE = StatusFlow(AssistanceRequest, flow.ASSISTANCE, "该协助请求")


def _check(actor: Actor, r: AssistanceRequest, action: str) -> str:
    access.require_business(actor)
    if not access.may_request(actor, r, action):
        raise PermissionDenied(access.REQUEST_MESSAGES[action])
    if action == "dispute":
        return r.status
    return STATE.next_state(r, action)


# --- requesting ----------------------------------------------------------------------------------------


def _clean_create(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    assert actor.unit is not None
    c = Cleaner(data, creating=True)
    c.choice("kind", "协助类型", flow.KINDS.items(), required=True)
    c.unit("assisting", "被请求单位", actor.unit.county_id, required=True)
    c.text("subject", "协助事项", max_length=300, required=True)
    c.text("details", "协助内容及要求", max_length=5000, required=True)
    c.text("case_reference", "相关案件", max_length=100)
    c.text("location", "现场地点", max_length=300)
    c.boolean("urgent", "情况紧急")
    c.text("urgent_reason", "紧急情况说明", max_length=2000)
    unit = c.cleaned.get("assisting")
    if unit is not None:
        if unit.pk == actor.unit_id:
            c.error("assisting", "被请求单位不能是本单位")
        elif unit.kind not in access.PARTY_KINDS:
            c.error("assisting", f"“{unit.name}”不是乡镇（街道）或县级部门")
        elif c.cleaned.get("kind") in flow.TECHNICAL_KINDS and unit.kind != UnitKind.DEPARTMENT:
            c.error("assisting", "认定、鉴定、检测请求应向县级主管部门提出（R-CO-05）")
    if c.cleaned.get("urgent"):
        if not c.cleaned.get("urgent_reason"):
            c.error("urgent_reason", "情况紧急或证据可能灭失的，请说明紧急情况（R-CO-05）")
        if not c.cleaned.get("location"):
            c.error("location", "需要立即派员到场的，请填写现场地点")
    c.raise_if_errors()
    clean = {k: v for k, v in c.cleaned.items() if v is not None}
    clean["urgent"] = bool(clean.get("urgent"))
    return clean


def create_request(actor: Actor, data: Mapping[str, Any]) -> AssistanceRequest:
    """提出协助请求: the assisting unit owes a written answer, and when urgent, officers on site."""
    access.require_business(actor)
    if not access.can_request(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以提出协助请求")
    requester = own_unit(actor, data, "requester")
    clean = _clean_create(actor, data)
    now = timezone.now()
    with transaction.atomic():
        r = AssistanceRequest.objects.create(
            county_id=requester.county_id,
            requester=requester,
            requested_at=now,
            requested_by=actor.person,
            requested_by_name=actor_name(actor),
            **clean,
        )
        add_event(r.events, "requested", f"{requester.name}请求{r.assisting.name}协助{r.get_kind_display()}", actor,
               status_to=r.status, at=now, note=r.details)  # fmt: skip
        record(
            actor,
            "assistance.requested",
            r,
            after={"kind": r.kind, "assisting": r.assisting.name, "urgent": r.urgent},
        )
        rule = flow.reply_rule(r.kind)
        deadlines.open_obligation(
            rule_id=rule, unit=r.assisting, subject=r, start=now, actor=actor,
            period=flow.reply_period(r.kind), label=f"书面答复协助请求：{r.subject}"[:200],
        )  # fmt: skip
        if r.urgent:
            deadlines.open_obligation(
                rule_id=flow.ONSITE_RULE, unit=r.assisting, subject=r, start=now, actor=actor,
                period=flow.onsite_period(), label=f"立即派员到场：{r.subject}"[:200],
                note="情况紧急或证据可能灭失，立即派员到场（R-CO-05）",
            )  # fmt: skip
        title = f"{'【紧急】' if r.urgent else ''}{requester.name}请求协助{r.get_kind_display()}：{r.subject}"
        body = (
            "情况紧急或证据可能灭失，请立即派员到场，并书面答复。"
            if r.urgent
            else "请在3个工作日内书面答复。"
        )
        tell(r.assisting, r, "assist", "requested", title, body, kind="assistance")
    return r


# --- the assisting unit -------------------------------------------------------------------------------


def dispatch(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> AssistanceRequest:
    """派员到场: who went and when they arrived; meets the on-site duty (R-CO-05 urgent)."""
    new = _check(actor, r, "dispatch")
    clean = clean_dispatch(actor, data, r.requested_at)
    with transaction.atomic():
        old = STATE.move(r, "dispatch", new, guard={"arrived_at__isnull": True}, **clean)
        names = r.officer_names
        add_event(r.events, "dispatched", f"{r.assisting.name}派{names}到场", actor, at=clean["arrived_at"],
               note=clean["onsite_note"], status_from=old, status_to=new)  # fmt: skip
        record(
            actor,
            "assistance.dispatched",
            r,
            after={"officers": names, "arrived_at": clean["arrived_at"].isoformat()},
        )
        settle_rule(actor, r, flow.ONSITE_RULE, clean["arrived_at"], f"{names}已到场")
        tell(
            r.requester,
            r,
            "assist",
            "dispatched",
            f"{r.assisting.name}已派员到场：{r.subject}",
            f"到场人员：{names}",
        )
    return r


def _parse_date(raw: Any) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        return None


def delay(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> AssistanceRequest:
    """告知需较长时间: the expected date, the reason; the answer duty is extended to that date."""
    new = _check(actor, r, "delay")
    reason = text_field(data, "reason", "需较长时间的理由", max_length=2000)
    expected = _parse_date(data.get("expected_on"))
    if expected is None:
        raise ValidationFailed.field("expected_on", "请填写预计答复日期（如 2025-10-20）")
    obs = [ob for ob in access_obligations(r) if ob.rule_id == flow.reply_rule(r.kind)]
    if not obs:
        raise Conflict("该请求没有进行中的答复时限，无需延长")
    ob = obs[0]
    due_day = timezone.localdate(ob.due_at)
    if expected <= max(due_day, timezone.localdate()):
        raise ValidationFailed.field(
            "expected_on", f"预计答复日期须晚于当前答复期限（{due_day:%Y年%-m月%-d日}），且不能是过去的日期"
        )
    # The answer duty counts working days, so the extension does too (up to the expected date).
    added = WorkCalendar.default().workdays_between(due_day, expected)
    if added <= 0:
        raise ValidationFailed.field(
            "expected_on", "预计答复日期与当前答复期限之间没有工作日，请选择更晚的工作日"
        )
    with transaction.atomic():
        old = STATE.move(r, "delay", new, expected_on=expected, delay_reason=reason)
        deadlines.extend(actor, ob, f"{added}WD", f"需较长时间，预计{expected:%Y年%-m月%-d日}答复：{reason}")
        add_event(r.events, "delayed", f"告知需较长时间，预计{expected:%Y年%-m月%-d日}答复", actor, note=reason,
               status_from=old, status_to=new)  # fmt: skip
        record(actor, "assistance.delayed", r, after={"expected_on": expected.isoformat()}, reason=reason)
        tell(r.requester, r, "assist", f"delayed:{expected.isoformat()}",
             f"{r.assisting.name}告知：“{r.subject}”需较长时间，预计{expected:%Y年%-m月%-d日}答复", reason)  # fmt: skip
    return r


def access_obligations(r: AssistanceRequest) -> list[Obligation]:
    return active_obligations(r, ALL_RULES)


def answer(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> AssistanceRequest:
    """书面答复: meets the answer duty; an urgent request must have had its officers on site first."""
    new = _check(actor, r, "answer")
    text = text_field(data, "answer", "答复内容")
    if r.urgent and r.arrived_at is None:
        raise ValidationFailed.field("answer", "该请求情况紧急，须先登记派员到场情况再书面答复（R-CO-05）")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(r, "answer", new, answered_at=now, answer=text, closed_at=now)
        doc = _reply_letter(actor, r, text)
        add_event(r.events, "answered", f"{r.assisting.name}书面答复", actor, note=text, status_from=old, status_to=new,
               at=now, document=doc)  # fmt: skip
        record(
            actor,
            "assistance.answered",
            r,
            before={"status": old},
            after={"status": new, "reply": doc.number},
        )
        settle_rule(actor, r, flow.reply_rule(r.kind), now, "已书面答复")
        tell(r.requester, r, "assist", "answered", f"{r.assisting.name}已书面答复：{r.subject}", text)
    return r


def _reply_letter(actor: Actor, r: AssistanceRequest, text: str) -> IssuedDocument:
    """The written answer as a numbered 协助复函 (DOCX + PDF) in the assisting unit's name."""
    assert actor.unit is not None
    doc = issue_document(
        actor,
        doc_type="assistance_reply",
        unit=actor.unit,
        subject=r,
        data={
            "requester": r.requester.name,
            "kind": r.get_kind_display(),
            "matter": r.subject,
            "requested_on": timezone.localdate(r.requested_at).isoformat(),
            "answer": text,
            "contact_person": actor_name(actor),
        },
    )
    AssistanceRequest.objects.filter(pk=r.pk).update(reply=doc)
    r.reply = doc
    return doc


def refuse(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> AssistanceRequest:
    """拒绝协助 with a reason: the justice bureau is told of a possible assistance dispute."""
    new = _check(actor, r, "refuse")
    reason = text_field(data, "reason", "拒绝理由", max_length=2000)
    now = timezone.now()
    bureau = justice_bureau_of(r.county_id)
    with transaction.atomic():
        old = STATE.move(r, "refuse", new, refusal_reason=reason, closed_at=now)
        add_event(
            r.events,
            "refused",
            f"{r.assisting.name}拒绝协助",
            actor,
            note=reason,
            status_from=old,
            status_to=new,
            at=now,
        )
        record(actor, "assistance.refused", r, before={"status": old}, after={"status": new}, reason=reason)
        waive_all(actor, r, ALL_RULES, f"被请求单位拒绝协助：{reason}")
        add_event(r.events, "forwarded", f"已转{bureau.name}，可能构成协助争议", actor, at=now)
        tell(r.requester, r, "assist", "refused", f"{r.assisting.name}拒绝协助：{r.subject}",
             f"拒绝理由：{reason}。如有异议，可在协助请求页面提起执法争议。")  # fmt: skip
        tell(bureau, r, "assist", "refused", f"协助争议线索：{r.assisting.name}拒绝{r.requester.name}的协助请求",
             f"协助事项：{r.subject}；拒绝理由：{reason}")  # fmt: skip
    return r


def withdraw(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> AssistanceRequest:
    new = _check(actor, r, "withdraw")
    reason = text_field(data, "reason", "撤回理由", max_length=2000)
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(r, "withdraw", new, closed_at=now)
        add_event(
            r.events,
            "withdrawn",
            f"{r.requester.name}撤回请求",
            actor,
            note=reason,
            status_from=old,
            status_to=new,
            at=now,
        )
        record(actor, "assistance.withdrawn", r, before={"status": old}, after={"status": new}, reason=reason)
        waive_all(actor, r, ALL_RULES, f"请求单位已撤回：{reason}")
        tell(r.assisting, r, "assist", "withdrawn", f"{r.requester.name}已撤回协助请求：{r.subject}", reason)
    return r


def open_dispute(actor: Actor, r: AssistanceRequest, data: Mapping[str, Any]) -> Dispute:
    """A refusal the requester contests becomes an assistance dispute (R-DIS-01), linked here."""
    _check(actor, r, "dispute")
    if r.status != "refused":
        raise STATE.conflict(r, "refuse", "只有被拒绝的协助请求才能据此提起争议")
    if r.dispute_id is not None:
        raise Conflict("已就该拒绝提起争议，请在原争议中继续处理")
    payload = {
        "kind": DisputeKind.ASSISTANCE,
        "counterpart": r.assisting_id,
        "provisional_handler": data.get("provisional_handler") or r.requester_id,
        "subject": f"{r.assisting.name}拒绝协助{r.get_kind_display()}：{r.subject}"[:300],
        "facts": data.get("facts")
        or (
            f"我单位于{timezone.localtime(r.requested_at):%Y年%-m月%-d日}请求{r.assisting.name}协助"
            f"{r.get_kind_display()}（{r.subject}），对方以“{r.refusal_reason}”为由拒绝。"
        ),
        "applicant_position": data.get("applicant_position"),
        "counterpart_position": r.refusal_reason,
        "provisional_basis": data.get("provisional_basis") or "",
    }
    with transaction.atomic():
        d = disputes.open_dispute(actor, payload)
        if not AssistanceRequest.objects.filter(pk=r.pk, dispute__isnull=True).update(dispute=d):
            raise Conflict("已就该拒绝提起争议，请在原争议中继续处理")
        r.dispute = d
        add_event(r.events, "disputed", f"{r.requester.name}就拒绝协助提起执法争议（争议{d.pk}）", actor)
        record(actor, "assistance.disputed", r, after={"dispute_id": d.pk})
    return r.dispute


def allowed_actions(actor: Actor, r: AssistanceRequest) -> list[str]:
    out: list[str] = []
    if r.status == "pending":
        for action in ("dispatch", "delay", "answer", "refuse", "withdraw"):
            if action == "dispatch" and r.arrived_at is not None:
                continue
            if access.may_request(actor, r, action):
                out.append(action)
    if r.status == "refused" and r.dispute_id is None and access.may_request(actor, r, "dispute"):
        out.append("dispute")
    return out
