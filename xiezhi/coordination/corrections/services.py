"""Correction opinions (R-CO-08), supervision–enforcement feedback (R-CO-09) and evidence
citations (R-CO-07).

A correction opinion is copied to the justice bureau the moment it is issued; the township owes
its rectification answer by the deadline the opinion sets (an R-CO-08 obligation). Feedback in
either direction is a duty of the receiving unit under the county's R-CO-09 limits. A citation
names another unit's file by its SHA-256 and origin; the file is never copied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.assistance.common import (
    justice_bureau_of,
    own_unit,
    settle_rule,
    tell,
    waive_all,
)
from xiezhi.coordination.corrections import access, evidence
from xiezhi.coordination.corrections.models import (
    CorrectionOpinion,
    EvidenceCitation,
    Feedback,
)
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.core.inputs import text_field
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.documents.services import issue_document
from xiezhi.rulebook import corrections_flow as flow
from xiezhi.rulebook.periods import Period, PeriodKind
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import UnitKind

SHA256_CHARS = frozenset("0123456789abcdef")
# These two answer a refused step with “纠错意见当前状态为…” and only the status in the details.
OPINION_STATE = StatusFlow(CorrectionOpinion, flow.CORRECTION, flow.CORRECTION.label, label_in_details=False)
FEEDBACK_STATE = StatusFlow(Feedback, flow.FEEDBACK, flow.FEEDBACK.label, label_in_details=False)


def _due_period(due_on: date, start: datetime) -> Period:
    """The township's deadline as working days from today, so the duty ends at that day's close."""
    added = WorkCalendar.default().workdays_between(timezone.localdate(start), due_on)
    return Period(PeriodKind.WORKDAYS, added)


def _clean_due(data: Mapping[str, Any], now: datetime) -> date:
    raw = data.get("due_on")
    try:
        due = raw if isinstance(raw, date) else date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ValidationFailed.field("due_on", "请填写整改答复期限（如 2025-10-20）") from None
    today = timezone.localdate(now)
    if due <= today:
        raise ValidationFailed.field("due_on", "整改答复期限须晚于今天，不能是过去的日期")
    if not WorkCalendar.default().is_workday(due):
        raise ValidationFailed.field("due_on", f"{due:%Y年%-m月%-d日}不是工作日，请选择工作日作为期限")
    return due


# --- correction opinions (R-CO-08) ---------------------------------------------------------------------


def issue_opinion(actor: Actor, data: Mapping[str, Any]) -> CorrectionOpinion:
    """提出纠错意见 (a numbered 纠错意见书 in the department's name), copied to the justice bureau;
    the township's rectification clock starts."""
    access.require_business(actor)
    if not access.can_issue(actor):
        raise PermissionDenied("只有县级部门的承办人、联络员、法制审核员或负责人可以提出纠错意见（R-CO-08）")
    department = own_unit(actor, data, "department")
    c = Cleaner(data, creating=True)
    c.unit("township", "被纠错乡镇（街道）", department.county_id, required=True)
    c.text("subject", "纠错事项", max_length=300, required=True)
    c.text("case_reference", "相关案件", max_length=100)
    c.text("findings", "存在的问题", max_length=5000, required=True)
    c.text("legal_basis", "依据", max_length=2000)
    c.text("requirements", "整改要求", max_length=5000, required=True)
    township = c.cleaned.get("township")
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        c.error("township", f"“{township.name}”不是乡镇（街道）")
    now = timezone.now()
    try:
        due = _clean_due(data, now)
    except ValidationFailed as exc:
        for field, messages in (exc.details or {}).items():
            for m in messages:
                c.error(field, m)
        due = None
    c.raise_if_errors()
    assert due is not None and township is not None
    bureau = justice_bureau_of(department.county_id)
    with transaction.atomic():
        o = CorrectionOpinion.objects.create(
            county_id=department.county_id,
            department=department,
            township=township,
            justice_bureau=bureau,
            subject=c.cleaned["subject"],
            case_reference=c.cleaned.get("case_reference") or "",
            findings=c.cleaned["findings"],
            legal_basis=c.cleaned.get("legal_basis") or "",
            requirements=c.cleaned["requirements"],
            due_on=due,
            issued_at=now,
            issued_by=actor.person,
            issued_by_name=actor_name(actor),
        )
        add_event(o.events, "issued", f"{department.name}提出纠错意见，抄送{bureau.name}", actor,
               status_to=o.status, at=now, note=o.findings)  # fmt: skip
        doc = issue_document(
            actor,
            doc_type="correction_opinion",
            unit=department,
            subject=o,
            data={
                "township": township.name,
                "matter": o.subject,
                "case_reference": o.case_reference,
                "findings": o.findings,
                "legal_basis": o.legal_basis,
                "requirements": o.requirements,
                "due_on": due.isoformat(),
                "contact_person": actor_name(actor),
                "copy_to": [bureau.name],
            },
        )
        record(
            actor,
            "correction.issued",
            o,
            after={"township": township.name, "due_on": due.isoformat(), "document": doc.number},
        )
        _rectification_clock(actor, o, now)
        tell(township, o, "correction", "issued", f"{department.name}对你单位执法提出纠错意见：{o.subject}",
             f"请于{due:%Y年%-m月%-d日}前答复整改情况。", kind="correction")  # fmt: skip
        tell(bureau, o, "correction", "copy", f"抄送：{department.name}对{township.name}提出纠错意见：{o.subject}",
             o.findings, kind="correction")  # fmt: skip
    return o


def _rectification_clock(actor: Actor, o: CorrectionOpinion, start: datetime) -> None:
    deadlines.open_obligation(
        rule_id=flow.CORRECTION_RULE, unit=o.township, subject=o, start=start, actor=actor,
        period=_due_period(o.due_on, start), label=f"答复整改情况：{o.subject}"[:200],
        note=f"纠错意见要求{o.due_on:%Y年%-m月%-d日}前答复整改情况（R-CO-08）",
    )  # fmt: skip


def _check_opinion(actor: Actor, o: CorrectionOpinion, action: str) -> str:
    access.require_business(actor)
    if not access.may_opinion(actor, o, action):
        raise PermissionDenied(access.OPINION_MESSAGES[action])
    return OPINION_STATE.next_state(o, action)


def answer_opinion(actor: Actor, o: CorrectionOpinion, data: Mapping[str, Any]) -> CorrectionOpinion:
    new = _check_opinion(actor, o, "answer")
    text = text_field(data, "rectification", "整改情况")
    now = timezone.now()
    with transaction.atomic():
        old = OPINION_STATE.move(o, "answer", new, rectification=text, answered_at=now)
        add_event(o.events, "answered", f"{o.township.name}答复整改情况", actor,
               status_from=old, status_to=new, at=now, note=text)  # fmt: skip
        record(actor, "correction.answered", o, before={"status": old}, after={"status": new})
        settle_rule(actor, o, flow.CORRECTION_RULE, now, "已答复整改情况")
        for unit in (o.department, o.justice_bureau):
            tell(unit, o, "correction", f"answered:{now.timestamp():.0f}", f"{o.township.name}已答复整改情况：{o.subject}",
                 text, kind="correction")  # fmt: skip
    return o


def confirm_opinion(actor: Actor, o: CorrectionOpinion, data: Mapping[str, Any]) -> CorrectionOpinion:
    new = _check_opinion(actor, o, "confirm")
    note = text_field(data, "note", "确认意见", required=False) or "整改到位"
    now = timezone.now()
    with transaction.atomic():
        old = OPINION_STATE.move(o, "confirm", new, closed_at=now)
        add_event(o.events, "confirmed", "确认整改到位", actor, status_from=old, status_to=new,
               at=now, note=note)  # fmt: skip
        record(actor, "correction.confirmed", o, before={"status": old}, after={"status": new}, reason=note)
        tell(
            o.township,
            o,
            "correction",
            "confirmed",
            f"纠错意见“{o.subject}”整改已确认",
            note,
            kind="correction",
        )
    return o


def reopen_opinion(actor: Actor, o: CorrectionOpinion, data: Mapping[str, Any]) -> CorrectionOpinion:
    """要求继续整改: a reason and a new deadline; the township's clock starts again."""
    new = _check_opinion(actor, o, "reopen")
    reason = text_field(data, "reason", "继续整改的理由")
    now = timezone.now()
    due = _clean_due(data, now)
    with transaction.atomic():
        old = OPINION_STATE.move(o, "reopen", new, due_on=due, answered_at=None)
        add_event(o.events, "reopened", f"要求继续整改，{due:%Y年%-m月%-d日}前答复", actor,
               status_from=old, status_to=new, at=now, note=reason)  # fmt: skip
        record(actor, "correction.reopened", o, before={"status": old}, after={"status": new, "due_on": due.isoformat()},
               reason=reason)  # fmt: skip
        _rectification_clock(actor, o, now)
        tell(o.township, o, "correction", f"reopened:{due.isoformat()}", f"纠错意见“{o.subject}”须继续整改", reason,
             kind="correction")  # fmt: skip
    return o


def withdraw_opinion(actor: Actor, o: CorrectionOpinion, data: Mapping[str, Any]) -> CorrectionOpinion:
    new = _check_opinion(actor, o, "withdraw")
    reason = text_field(data, "reason", "撤回理由")
    now = timezone.now()
    with transaction.atomic():
        old = OPINION_STATE.move(o, "withdraw", new, closed_at=now)
        add_event(o.events, "withdrawn", "撤回纠错意见", actor, status_from=old, status_to=new,
               at=now, note=reason)  # fmt: skip
        record(actor, "correction.withdrawn", o, before={"status": old}, after={"status": new}, reason=reason)
        waive_all(actor, o, (flow.CORRECTION_RULE,), f"纠错意见已撤回：{reason}")
        for unit in (o.township, o.justice_bureau):
            tell(
                unit, o, "correction", "withdrawn", f"纠错意见“{o.subject}”已撤回", reason, kind="correction"
            )
    return o


def opinion_actions(actor: Actor, o: CorrectionOpinion) -> list[str]:
    return [a for a in flow.CORRECTION.allowed_actions(o.status) if access.may_opinion(actor, o, a)]


# --- feedback (R-CO-09) ----------------------------------------------------------------------------------


def send_feedback(actor: Actor, data: Mapping[str, Any]) -> Feedback:
    """反馈执法结果及监管漏洞 (enforcer → managing department) or 推送需执法事项 (managing
    department → enforcer); the recipient owes its answer under the county's R-CO-09 limit."""
    access.require_business(actor)
    if not access.can_send_feedback(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以发送反馈（R-CO-09）")
    sender = own_unit(actor, data, "sender")
    c = Cleaner(data, creating=True)
    c.choice("direction", "反馈类型", flow.FEEDBACK_DIRECTIONS.items(), required=True)
    c.unit("recipient", "接收单位", sender.county_id, required=True)
    c.text("subject", "事项", max_length=300, required=True)
    c.text("case_reference", "相关案件或许可", max_length=100)
    c.text("content", "内容", max_length=5000, required=True)
    c.text("loophole", "发现的监管漏洞", max_length=5000)
    recipient = c.cleaned.get("recipient")
    if recipient is not None:
        if recipient.pk == sender.pk:
            c.error("recipient", "接收单位不能是本单位")
        elif recipient.kind not in access.PARTY_KINDS:
            c.error("recipient", f"“{recipient.name}”不是乡镇（街道）或县级部门")
        elif c.cleaned.get("direction") == "outcome" and recipient.kind != UnitKind.DEPARTMENT:
            c.error("recipient", "执法结果应反馈给负责许可或监管的县级部门")
    if c.cleaned.get("direction") == "matter" and c.cleaned.get("loophole"):
        c.error("loophole", "推送需执法事项时无需填写监管漏洞")
    c.raise_if_errors()
    assert recipient is not None
    now = timezone.now()
    direction = c.cleaned["direction"]
    with transaction.atomic():
        f = Feedback.objects.create(
            county_id=sender.county_id, direction=direction, sender=sender, recipient=recipient,
            subject=c.cleaned["subject"], case_reference=c.cleaned.get("case_reference") or "",
            content=c.cleaned["content"], loophole=c.cleaned.get("loophole") or "", sent_at=now,
            sent_by_name=actor_name(actor),
        )  # fmt: skip
        add_event(f.events, "sent", f"{sender.name}发送{f.get_direction_display()}", actor,
               status_to=f.status, at=now, note=f.content)  # fmt: skip
        record(actor, "feedback.sent", f, after={"direction": direction, "recipient": f.recipient.name})
        deadlines.open_obligation(
            rule_id=flow.FEEDBACK_RULE, unit=f.recipient, subject=f, start=now, actor=actor,
            period=flow.feedback_period(direction),
            label=(f"答复执法反馈：{f.subject}" if direction == "outcome" else f"反馈处理结果：{f.subject}")[:200],
        )  # fmt: skip
        tell(f.recipient, f, "feedback", "sent", f"{sender.name}：{f.get_direction_display()}——{f.subject}",
             f.loophole or f.content, kind="feedback")  # fmt: skip
    return f


def answer_feedback(actor: Actor, f: Feedback, data: Mapping[str, Any]) -> Feedback:
    access.require_business(actor)
    if not access.may_answer_feedback(actor, f):
        raise PermissionDenied("只有接收单位可以答复（R-CO-09）")
    new = FEEDBACK_STATE.next_state(f, "answer")
    label = "答复内容" if f.direction == "outcome" else "处理结果"
    text = text_field(data, "reply", label)
    now = timezone.now()
    with transaction.atomic():
        old = FEEDBACK_STATE.move(f, "answer", new, reply=text, replied_at=now)
        add_event(f.events, "answered", f"{f.recipient.name}{'答复' if f.direction == 'outcome' else '反馈处理结果'}",
               actor, status_from=old, status_to=new, at=now, note=text)  # fmt: skip
        record(actor, "feedback.answered", f, before={"status": old}, after={"status": new})
        settle_rule(actor, f, flow.FEEDBACK_RULE, now, label)
        tell(
            f.sender,
            f,
            "feedback",
            "answered",
            f"{f.recipient.name}已{label[:2]}：{f.subject}",
            text,
            kind="feedback",
        )
    return f


# --- evidence mutual recognition (R-CO-07) ----------------------------------------------------------------


def clean_sha256(raw: Any) -> str:
    value = str(raw or "").strip().lower()
    if len(value) != 64 or not set(value) <= SHA256_CHARS:
        raise ValidationFailed.field("sha256", "SHA-256 应为64位十六进制字符")
    return value


def cite_evidence(actor: Actor, data: Mapping[str, Any]) -> EvidenceCitation:
    """Cite a file another unit holds, by origin and hash, without uploading it again. The hash the
    citer gives must be the source's: a mismatch means a different file and is refused."""
    access.require_business(actor)
    if not access.can_cite(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的执法人员可以引用证据（R-CO-07）")
    unit = own_unit(actor, data, "citing_unit")
    sha = clean_sha256(data.get("sha256"))
    kind = str(data.get("origin_kind") or "").strip()
    origin_id = str(data.get("origin_id") or "").strip()
    if kind not in evidence.SOURCES:
        raise ValidationFailed.field("origin_kind", "请选择证据来源类型")
    if not origin_id:
        raise ValidationFailed.field("origin_id", "请填写来源编号")
    source = evidence.resolve(actor, kind, origin_id)
    if source.sha256 != sha:
        raise ValidationFailed.field("sha256", "SHA-256 与来源文件不一致，不能引用（证据须为原文件）")
    if source.unit.pk == unit.pk:
        raise ValidationFailed.field("origin_id", "本单位自己的材料无需互认引用")
    cited_in = text_field(data, "cited_in", "用于（案件、文书）", max_length=300)
    purpose = text_field(data, "purpose", "引用说明", required=False, max_length=2000)
    now = timezone.now()
    with transaction.atomic():
        cite = EvidenceCitation.objects.create(
            county_id=unit.county_id, sha256=sha, origin_kind=kind, origin_id=source.origin_id,
            origin_unit=source.unit, origin_label=source.label[:300], title=source.title[:300], citing_unit=unit,
            cited_in=cited_in, purpose=purpose, cited_at=now, cited_by=actor.person, cited_by_name=actor_name(actor),
        )  # fmt: skip
        record(actor, "evidence.cited", cite, after={"sha256": sha, "origin": f"{kind}:{source.origin_id}",
                                                     "cited_in": cited_in})  # fmt: skip
        tell(source.unit, cite, "evidence", "cited", f"{unit.name}引用了你单位的证据“{source.title}”",
             f"用于：{cited_in}", kind="evidence")  # fmt: skip
    return cite


def open_duties(obj: Any, rule: str) -> list[Any]:
    return active_obligations(obj, (rule,))
