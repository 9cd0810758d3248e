"""Preparing and sending transfers (R-TR-01..07, R-TR-09, R-TR-10). Replies are in `replies.py`.

Each service: permission → validation → one transaction with a conditional UPDATE of the status
(zero rows → 409, nothing written) → timeline row → audit → obligations → documents → notices.

Clocks (obligations, `xiezhi.deadlines`): the sending duty starts at discovery under the rule the
urgency gives (R-TR-02 3 WD, R-TR-03 24 h, R-TR-04 immediate) and is met when the transfer is sent
or told orally; an oral transfer opens the 24-hour duty to complete the written formalities
(R-TR-07); sending opens the receiver's 3 WD duty to reply (R-TR-08).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.core.files import TRANSFER_MATERIALS as MATERIALS
from xiezhi.core.timeline import actor_name as person_name
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.transfers import access, competence, letters
from xiezhi.transfers.cleaning import clean_transfer
from xiezhi.transfers.models import (
    SOURCE_KINDS,
    UPLOAD_KINDS,
    MaterialKind,
    OralMethod,
    Transfer,
    TransferMaterial,
)
from xiezhi.transfers.timeline import STATE, add_event, leaders_of, tell_person, tell_unit
from xiezhi.transfers.urgency import IMMEDIATE, RULES, URGENT
from xiezhi.units.cleaning import CLOCK_SKEW, parse_moment

SEND_RULES = tuple(RULES.values())
EDITABLE_STATES = ("draft", "oral_recorded")
AUDIT_FIELDS = (
    "receiver_id",
    "township_id",
    "matter_id",
    "party",
    "location",
    "facts",
    "legal_basis",
    "discovered_at",
    "urgency",
    "major_risk",
    "rule_id",
    "in_progress",
    "stop_ordered_at",
    "stop_order_note",
    "evidence_fixed_note",
    "is_legacy",
    "consultation_on",
    "consultation_note",
    "source_reference",
)


def snapshot(t: Transfer, fields: tuple[str, ...] = AUDIT_FIELDS) -> dict[str, Any]:
    return {"status": t.status, **{name: getattr(t, name) for name in fields}}


def _label(t: Transfer) -> str:
    return f"移送：{t.party}涉嫌{t.violation}"[:200]


def _assess(t: Transfer) -> str:
    return competence.assess(
        t.matter, t.township, t.sender, t.receiver, competence.discovery_date(t.discovered_at)
    ).warning


def _open_send_clock(actor: Actor, t: Transfer) -> None:
    ob = deadlines.open_obligation(
        rule_id=t.rule_id,
        unit=t.sender,
        subject=t,
        start=t.discovered_at,
        actor=actor,
        label=_label(t),
        note=t.urgency_reason,
    )
    Transfer.objects.filter(pk=t.pk).update(send_due_at=ob.due_at)
    t.send_due_at = ob.due_at


# --- drafts ----------------------------------------------------------------------------------------


def create_transfer(actor: Actor, data: Mapping[str, Any]) -> Transfer:
    """A draft in the actor's unit's name (R-TR-01); the sending clock starts at discovery."""
    access.require_business(actor)
    if not access.can_prepare_in(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以发起案件移送")
    assert actor.unit is not None
    clean = clean_transfer(data, sender=actor.unit)
    copy_to = clean.pop("copy_to", [])
    t = Transfer(
        county_id=actor.unit.county_id,
        sender=actor.unit,
        responsible_unit=actor.unit,
        created_by=actor.person,
        created_by_name=(actor.person.name if actor.person else str(actor))[:100],
        send_due_at=clean["discovered_at"],
        **clean,
    )
    t.competence_note = _assess(t)
    with transaction.atomic():
        t.save(force_insert=True)
        t.copy_to.set(copy_to)
        add_event(t, "created", "创建移送草稿", actor, status_to="draft", note=t.urgency_reason)
        record(actor, "transfer.created", t, after=snapshot(t))
        _open_send_clock(actor, t)
    return t


def update_transfer(actor: Actor, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """Edit a draft (or, after an oral transfer, everything but its receiver, matter, time and urgency)."""
    access.require_prepare(actor, transfer)
    if transfer.status not in EDITABLE_STATES:
        raise STATE.conflict(transfer.pk, "submit", f"该移送当前状态为“{transfer.status_label}”，不能再修改")
    clean = clean_transfer(data, sender=transfer.sender, transfer=transfer)
    copy_to = clean.pop("copy_to", None)
    before = snapshot(transfer)
    old_rule, old_discovered = transfer.rule_id, transfer.discovered_at
    changed = {k: v for k, v in clean.items() if getattr(transfer, k) != v}
    for name, value in changed.items():
        setattr(transfer, name, value)
    transfer.competence_note = _assess(transfer)
    fks = ("receiver", "township", "matter")
    columns = {(f"{k}_id" if k in fks else k): (v.pk if k in fks else v) for k, v in changed.items()}
    with transaction.atomic():
        rows = Transfer.objects.filter(pk=transfer.pk, status=transfer.status).update(
            competence_note=transfer.competence_note, updated_at=timezone.now(), **columns
        )
        if not rows:
            raise STATE.conflict(transfer.pk, "submit")
        if copy_to is not None:
            transfer.copy_to.set(copy_to)
        after = snapshot(transfer)
        diff = [k for k in after if before.get(k) != after.get(k)]
        add_event(transfer, "updated", "修改移送内容", actor, note="、".join(diff))
        record(
            actor,
            "transfer.updated",
            transfer,
            before={k: before[k] for k in diff},
            after={k: after[k] for k in diff},
        )
        if transfer.status == "draft" and (transfer.rule_id, transfer.discovered_at) != (
            old_rule,
            old_discovered,
        ):
            # The clock runs from discovery under the urgency's rule: a corrected time or urgency
            # ends the old duty and starts the right one.
            waive_clocks(actor, transfer, SEND_RULES, "发现时间或紧急程度已更正，按更正后的时限重新计时")
            _open_send_clock(actor, transfer)
    return transfer


def waive_clocks(actor: Actor, transfer: Transfer, rules: tuple[str, ...], reason: str) -> None:
    for ob in active_obligations(transfer, rules):
        deadlines.waive(actor, ob, reason, by_process=True)


# --- materials (R-TR-06) ---------------------------------------------------------------------------


def add_material(
    actor: Actor, transfer: Transfer, *, kind: str, title: str, name: str, content: bytes
) -> TransferMaterial:
    """Upload a source material or preliminary evidence; the file is kept by its SHA-256."""
    access.require_prepare(actor, transfer)
    if transfer.status not in EDITABLE_STATES:
        raise STATE.conflict(
            transfer.pk, "submit", f"该移送当前状态为“{transfer.status_label}”，不能再添加材料"
        )
    errors: dict[str, list[str]] = {}
    if kind not in UPLOAD_KINDS:
        labels = "、".join(MaterialKind(k).label for k in UPLOAD_KINDS)
        errors["kind"] = [f"材料类别“{kind}”无效，可选：{labels}"]
    title = (title or "").strip() or name.rsplit("/", 1)[-1]
    if len(title) > 200:
        errors["title"] = ["材料名称不能超过200个字"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    stored = MATERIALS.store(name, content)
    with transaction.atomic():
        material = TransferMaterial.objects.create(
            transfer=transfer,
            kind=kind,
            title=title,
            original_name=name[-200:],
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            path=stored.path,
            uploaded_by=actor.person,
            uploaded_by_name=(actor.person.name if actor.person else str(actor))[:100],
        )
        add_event(
            transfer,
            "material_added",
            f"上传{material.get_kind_display()}",
            actor,
            note=f"{title}（SHA-256 {stored.sha256}）",
        )
        record(
            actor,
            "transfer.material_added",
            transfer,
            after={
                "material_id": material.pk,
                "kind": kind,
                "title": title,
                "sha256": stored.sha256,
                "size": stored.size,
            },
        )
    return material


def remove_material(actor: Actor, transfer: Transfer, material_id: int) -> None:
    access.require_prepare(actor, transfer)
    if transfer.status not in EDITABLE_STATES:
        raise STATE.conflict(
            transfer.pk, "submit", f"该移送当前状态为“{transfer.status_label}”，不能再删除材料"
        )
    material = (
        TransferMaterial.objects.filter(pk=material_id, transfer=transfer)
        .exclude(kind=MaterialKind.LETTER)
        .first()
    )
    if material is None:
        raise ValidationFailed.field("material", "材料不存在")
    with transaction.atomic():
        material.delete()
        add_event(transfer, "material_removed", "删除材料", actor, note=material.title)
        record(
            actor,
            "transfer.material_removed",
            transfer,
            before={
                "material_id": material_id,
                "kind": material.kind,
                "title": material.title,
                "sha256": material.sha256,
            },
        )


# --- what is missing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    done: bool
    rule: str


def checklist(transfer: Transfer) -> list[CheckItem]:
    """Everything a transfer needs before it goes out, including the approval and the letter."""
    kinds = set(TransferMaterial.objects.filter(transfer=transfer).values_list("kind", flat=True))
    items = [
        CheckItem(
            "facts",
            "基本事实、当事人、地点和移送依据",
            bool(transfer.facts and transfer.party and transfer.location and transfer.legal_basis),
            "R-TR-06",
        ),
        CheckItem(
            "source", "来源材料（现场检查笔录或投诉举报材料）", bool(kinds & set(SOURCE_KINDS)), "R-TR-06"
        ),
        CheckItem("evidence", "初步证据", MaterialKind.EVIDENCE in kinds, "R-TR-06"),
    ]
    if transfer.in_progress:
        items += [
            CheckItem(
                "stop_order",
                "责令停止违法行为的记录（时间和情况）",
                bool(transfer.stop_ordered_at and transfer.stop_order_note),
                "R-TR-05",
            ),
            CheckItem("evidence_fixed", "证据固定情况", bool(transfer.evidence_fixed_note), "R-TR-05"),
        ]
    if transfer.is_legacy:
        items.append(
            CheckItem(
                "consultation",
                "与乡镇（街道）事先会商的记录（日期和内容）",
                bool(transfer.consultation_on and transfer.consultation_note),
                "R-TR-09",
            )
        )
    sent = transfer.status in ("sent", "accepted", "declined", "withdrawn")
    items += [
        CheckItem("approval", "单位负责人审批", transfer.approved_at is not None, "R-TR-06"),
        CheckItem(
            "letter",
            "涉嫌违法案件移送函（批准后自动生成）",
            transfer.letter_id is not None or sent,
            "R-TR-06",
        ),
    ]
    return items


def missing_for_sending(transfer: Transfer) -> list[str]:
    """What the preparer must still supply (approval and the letter come afterwards)."""
    return [i.label for i in checklist(transfer) if not i.done and i.key not in ("approval", "letter")]


def _require_complete(transfer: Transfer, doing: str) -> None:
    missing = missing_for_sending(transfer)
    if missing:
        raise ValidationFailed(f"{doing}，缺少：{'；'.join(missing)}", details={"missing": missing})


def _tell_receiver_of_ongoing(actor: Actor, transfer: Transfer, now: datetime) -> None:
    """R-TR-05: the competent unit hears of a violation in progress at once, not after approval."""
    if not transfer.in_progress or transfer.receiver_told_at is not None:
        return
    Transfer.objects.filter(pk=transfer.pk).update(receiver_told_at=now)
    transfer.receiver_told_at = now
    tell_unit(
        transfer.receiver,
        transfer,
        "ongoing",
        f"【正在发生的违法行为】{transfer.sender.name}告知：{transfer.party}涉嫌{transfer.violation}",
        f"地点：{transfer.location}。{transfer.sender.name}已责令停止并固定证据：{letters.measures(transfer)}。"
        "书面移送手续正在办理，请立即依法处置（R-TR-05）。",
    )
    add_event(
        transfer,
        "receiver_told",
        f"已告知{transfer.receiver.name}违法行为正在进行",
        actor,
        at=now,
        note="R-TR-05",
    )


# --- submission, approval, sending -------------------------------------------------------------------


def submit(actor: Actor, transfer: Transfer) -> Transfer:
    """提交审批: refused with the list of what is missing (R-TR-05/06/09)."""
    access.require_prepare(actor, transfer)
    new = STATE.next_state(transfer, "submit")
    _require_complete(transfer, "尚不能提交审批")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(transfer, "submit", new, submitted_at=now)
        add_event(transfer, "submitted", "提交负责人审批", actor, status_from=old, status_to=new, at=now)
        record(actor, "transfer.submitted", transfer, before={"status": old}, after={"status": new})
        _tell_receiver_of_ongoing(actor, transfer, now)
        for leader in leaders_of(transfer.sender):
            tell_person(
                leader,
                transfer,
                f"approve:{now.timestamp():.0f}",
                f"待审批的案件移送：{transfer.party}涉嫌{transfer.violation}",
            )
    return transfer


def return_for_revision(actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    """退回修改 by the leader, with a reason."""
    access.require_approve(actor, transfer)
    new = STATE.next_state(transfer, "return")
    text = _reason(reason, "退回理由")
    with transaction.atomic():
        if not Transfer.objects.filter(pk=transfer.pk, status=transfer.status).update(
            status=new, submitted_at=None
        ):
            raise STATE.conflict(transfer.pk, "return")
        old, transfer.status, transfer.submitted_at = transfer.status, new, None
        add_event(transfer, "returned", "负责人退回修改", actor, status_from=old, status_to=new, note=text)
        record(
            actor, "transfer.returned", transfer, before={"status": old}, after={"status": new}, reason=text
        )
        if transfer.created_by is not None:
            tell_person(
                transfer.created_by,
                transfer,
                f"returned:{timezone.now().timestamp():.0f}",
                f"移送被退回修改：{text[:80]}",
            )
    return transfer


def _reason(reason: str, label: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed.field("reason", f"请填写{label}")
    if len(text) > 2000:
        raise ValidationFailed.field("reason", f"{label}不能超过2000个字")
    return text


def _send(actor: Actor, transfer: Transfer, now: datetime) -> None:
    """The written transfer goes out: letter, copy notices, clocks, notices (inside a transaction)."""
    letter = letters.issue_letter(actor, transfer)
    notices = letters.issue_copy_notices(actor, transfer, letter, now)
    deadlines.settle(transfer, actor, rule_id=transfer.rule_id, met_at=now, note="已书面移送")
    reply = deadlines.open_obligation(
        rule_id="R-TR-08",
        unit=transfer.receiver,
        subject=transfer,
        start=now,
        actor=actor,
        label=f"答复是否受理：{transfer.party}涉嫌{transfer.violation}"[:200],
    )
    Transfer.objects.filter(pk=transfer.pk).update(letter=letter, reply_due_at=reply.due_at)
    transfer.letter, transfer.reply_due_at = letter, reply.due_at
    add_event(transfer, "letter", f"生成移送函{letter.number}", actor, document=letter, at=now)
    if notices:
        add_event(
            transfer,
            "copied",
            "抄告" + "、".join(n.unit.name for n in notices),
            actor,
            document=notices[0].document,
            at=now,
            note="R-TR-10",
        )
    tell_unit(
        transfer.receiver,
        transfer,
        "sent",
        f"收到案件移送（{letter.number}）：{transfer.party}涉嫌{transfer.violation}",
        f"{transfer.sender.name}移送案件，请于{timezone.localtime(reply.due_at):%Y年%m月%d日%H时%M分}前书面答复是否受理（R-TR-08）。",
    )
    for n in notices:
        if n.unit_id != transfer.receiver_id:
            tell_unit(
                n.unit,
                transfer,
                "copy",
                f"抄告：{transfer.sender.name}移送{transfer.party}涉嫌{transfer.violation}一案",
            )


def approve(actor: Actor, transfer: Transfer) -> Transfer:
    """批准并移送: only a leader of the sending unit (others 403, nothing changes)."""
    access.require_approve(actor, transfer)
    new = STATE.next_state(transfer, "approve")
    _require_complete(transfer, "尚不能批准移送")
    now = timezone.now()
    name = person_name(actor)
    with transaction.atomic():
        old = STATE.move(
            transfer,
            "approve",
            new,
            approved_by=actor.person,
            approved_by_name=name,
            approved_at=now,
            sent_at=now,
        )
        add_event(transfer, "approved", "负责人批准并移送", actor, status_from=old, status_to=new, at=now)
        record(
            actor,
            "transfer.approved",
            transfer,
            before={"status": old},
            after={"status": new, "sent_at": now},
        )
        _send(actor, transfer, now)
    return transfer


def record_oral(actor: Actor, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """口头移送 in a particular emergency (R-TR-07): recorded at once; the written formalities
    are due within 24 hours; the receiver is told at once."""
    access.require_prepare(actor, transfer)
    new = STATE.next_state(transfer, "record_oral")
    errors: dict[str, list[str]] = {}
    if transfer.urgency not in (URGENT, IMMEDIATE):
        errors["urgency"] = ["口头移送仅适用于特别紧急的情况（紧急或立即移送的案件）"]
    at = parse_moment(data.get("oral_at")) if data.get("oral_at") not in (None, "") else timezone.now()
    if at is None:
        errors["oral_at"] = ["口头移送时间格式有误，应为“2025-10-08T09:30”这样的时间"]
    elif at > timezone.now() + CLOCK_SKEW:
        errors["oral_at"] = ["口头移送时间不能晚于当前时间"]
    elif at < transfer.discovered_at:
        errors["oral_at"] = ["口头移送时间不能早于发现时间"]
    method = str(data.get("method") or "").strip()
    if method not in OralMethod.values:
        errors["method"] = [f"移送方式须为：{'、'.join(OralMethod.labels)}"]
    person = str(data.get("receiver_person") or "").strip()
    if not person:
        errors["receiver_person"] = ["请填写接收人"]
    elif len(person) > 50:
        errors["receiver_person"] = ["接收人不能超过50个字"]
    reason = str(data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = ["请填写情况特别紧急的理由"]
    if transfer.in_progress and not (
        transfer.stop_ordered_at and transfer.stop_order_note and transfer.evidence_fixed_note
    ):
        errors["stop_order_note"] = ["违法行为正在进行的，须先记录责令停止和证据固定情况（R-TR-05）"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    assert at is not None
    with transaction.atomic():
        old = STATE.move(
            transfer,
            "record_oral",
            new,
            oral_at=at,
            oral_method=method,
            oral_receiver_person=person,
            oral_reason=reason,
        )
        add_event(
            transfer,
            "oral",
            f"口头移送（{OralMethod(method).label}，接收人{person}）",
            actor,
            status_from=old,
            status_to=new,
            at=at,
        )
        record(
            actor,
            "transfer.oral_recorded",
            transfer,
            before={"status": old},
            after={"status": new, "oral_at": at, "method": method},
        )
        deadlines.settle(transfer, actor, rule_id=transfer.rule_id, met_at=at, note="已口头移送")
        ob = deadlines.open_obligation(
            rule_id="R-TR-07",
            unit=transfer.sender,
            subject=transfer,
            start=at,
            actor=actor,
            label=f"补办书面移送手续：{transfer.party}涉嫌{transfer.violation}"[:200],
        )
        doc = letters.issue_oral_record(actor, transfer, ob.due_at)
        Transfer.objects.filter(pk=transfer.pk).update(oral_record=doc, written_due_at=ob.due_at)
        transfer.oral_record, transfer.written_due_at = doc, ob.due_at
        add_event(transfer, "oral_record", f"制作口头移送记录{doc.number}", actor, document=doc)
        tell_unit(
            transfer.receiver,
            transfer,
            "oral",
            f"【口头移送】{transfer.sender.name}：{transfer.party}涉嫌{transfer.violation}",
            f"{transfer.sender.name}因情况特别紧急口头移送案件：{reason}。书面移送手续将于24小时内补办（R-TR-07）。",
        )
        _tell_receiver_of_ongoing(actor, transfer, timezone.now())
    return transfer


def complete_formalities(actor: Actor, transfer: Transfer) -> Transfer:
    """补办书面手续 after an oral transfer: the leader approves, the letter goes out (R-TR-07)."""
    access.require_approve(actor, transfer)
    new = STATE.next_state(transfer, "complete_formalities")
    _require_complete(transfer, "尚不能补办书面移送手续")
    now = timezone.now()
    name = person_name(actor)
    with transaction.atomic():
        old = STATE.move(
            transfer,
            "complete_formalities",
            new,
            approved_by=actor.person,
            approved_by_name=name,
            approved_at=now,
            sent_at=now,
        )
        add_event(
            transfer,
            "formalities",
            "负责人批准，补办书面移送手续",
            actor,
            status_from=old,
            status_to=new,
            at=now,
        )
        record(
            actor, "transfer.formalities_completed", transfer, before={"status": old}, after={"status": new}
        )
        deadlines.settle(transfer, actor, rule_id="R-TR-07", met_at=now, note="已补办书面手续")
        _send(actor, transfer, now)
    return transfer


def cancel(actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    """作废 a draft (e.g. it turned out to be the unit's own matter); the sending clock ends."""
    access.require_prepare(actor, transfer)
    new = STATE.next_state(transfer, "cancel")
    text = _reason(reason, "作废理由")
    with transaction.atomic():
        old = STATE.move(transfer, "cancel", new)
        add_event(transfer, "cancelled", "作废移送草稿", actor, status_from=old, status_to=new, note=text)
        record(
            actor, "transfer.cancelled", transfer, before={"status": old}, after={"status": new}, reason=text
        )
        waive_clocks(actor, transfer, SEND_RULES, f"移送草稿已作废：{text}")
    return transfer
