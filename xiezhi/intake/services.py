"""The first-responder flow (R-IN-01..05): register, accept, reply / take on / hand on, reply, close.

Every write: permission → validation → one transaction → conditional status UPDATE (zero rows →
Conflict) → timeline event → audit record → obligations (CP-INTAKE-ACCEPT / CP-INTAKE-REPLY).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed, XiezhiError
from xiezhi.core.files import INTAKE_ATTACHMENTS as ATTACHMENTS
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.selectors import ACTIVE_STATUSES
from xiezhi.intake import access, callbacks, duplicates, handover
from xiezhi.intake.cleaning import clean_report
from xiezhi.intake.models import Attachment, Channel, PublicSubmission, Report, ReportEvent, Status
from xiezhi.notifications.services import notify
from xiezhi.rulebook.masking import mask_id_number, mask_name, mask_phone
from xiezhi.units.models import Unit, UnitKind

ACCEPT_RULE = "CP-INTAKE-ACCEPT"
REPLY_RULE = "CP-INTAKE-REPLY"
# No 0/O, 1/I/L: a code read over the phone must not be misheard.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 12
MAX_ATTACHMENTS = 10
PUBLIC_LIMIT = 5  # submissions per IP per hour
PUBLIC_WINDOW = timedelta(hours=1)
AUDIT_FIELDS = ("status", "current_unit_id", "matter_code", "dispatch_count", "reply", "merged_into_id")

Upload = tuple[str, bytes]


class TooManyRequests(XiezhiError):
    status = 429
    code = "too_many_requests"
    default_message = "提交过于频繁，请稍后再试"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def snapshot(r: Report) -> dict[str, Any]:
    return {f: getattr(r, f) for f in AUDIT_FIELDS}


def _name(actor: Actor) -> str:
    return (actor.person.name if actor.person else str(actor))[:100]


def add_event(
    report: Report,
    kind: str,
    label: str,
    actor: Actor | None,
    *,
    note: str = "",
    public: str = "",
    status_to: str = "",
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        kind=kind,
        label=label[:100],
        public_label=public[:100],
        note=note,
        unit_name=(actor.unit.name if actor and actor.unit else "")[:100],
        actor_name=_name(actor) if actor and actor.user else ("公众" if actor is None else "系统"),
        status_to=status_to,
    )


def _store_attachments(report: Report, uploads: Sequence[Upload]) -> list[Attachment]:
    stored = [(name, ATTACHMENTS.store(name, content)) for name, content in uploads]
    return [
        Attachment.objects.create(
            report=report, name=name[:200], kind=s.kind, size=s.size, sha256=s.sha256, path=s.path
        )
        for name, s in stored
    ]


def _check_uploads(uploads: Sequence[Upload]) -> None:
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationFailed.field("attachments", f"附件不能超过{MAX_ATTACHMENTS}个")
    for name, content in uploads:
        ATTACHMENTS.check(name, content)


def register(
    actor: Actor,
    clean: dict[str, Any],
    first_unit: Unit,
    uploads: Sequence[Upload],
    *,
    by: str,
    external_id: str = "",
) -> Report:
    report = Report(
        county_id=first_unit.county_id,
        first_unit=first_unit,
        current_unit=first_unit,
        tracking_code=new_tracking_code(),
        created_by_name=by[:100],
        external_id=external_id,
        **clean,
    )
    with transaction.atomic():
        report.save(force_insert=True)
        report.involved_units.add(first_unit)
        _store_attachments(report, uploads)
        twin = duplicates.find_duplicate(report)
        if twin is not None:
            report.possible_duplicate_of = twin
            Report.objects.filter(pk=report.pk).update(possible_duplicate_of=twin)
        channel = Channel(report.channel).label
        add_event(
            report,
            "registered",
            f"{first_unit.name}登记（{channel}）",
            actor if actor.user else None,
            public=f"已收到您反映的问题，由{first_unit.name}受理",
            status_to=Status.RECEIVED,
        )
        record(
            actor, "report.registered", report, after=snapshot(report), actor_name=None if actor.user else by
        )
        # R-IN-01: the first unit must accept or hand on within the policy period.
        deadlines.open_obligation(
            rule_id=ACCEPT_RULE, unit=first_unit, subject=report, start=report.created_at, actor=actor
        )
    return report


def create_report(actor: Actor, data: Mapping[str, Any], uploads: Sequence[Upload] = ()) -> Report:
    """A unit registers a report it received (R-IN-01: it is the first responsible unit)."""
    access.require_receive(actor)
    assert actor.unit is not None and actor.county_id is not None
    clean = clean_report(data, actor.county_id)
    _check_uploads(uploads)
    return register(actor, clean, actor.unit, uploads, by=_name(actor))


def _recent_public(ip: str) -> int:
    return PublicSubmission.objects.filter(ip=ip, at__gte=timezone.now() - PUBLIC_WINDOW).count()


def create_public_report(
    data: Mapping[str, Any], ip: str, county_id: int, uploads: Sequence[Upload] = (), *, system: Actor
) -> Report:
    """The public page (§5): no sign-in; the township named is the first responsible unit."""
    with transaction.atomic():
        if _recent_public(ip) >= PUBLIC_LIMIT:
            raise TooManyRequests("提交过于频繁，请一小时后再试")
        PublicSubmission.objects.create(ip=ip[:45])
    clean = clean_report({**data, "channel": Channel.PORTAL}, county_id, channels=(Channel.PORTAL,))
    _check_uploads(uploads)
    return register(system, clean, clean["township"], uploads, by="公众（网上反映）")


def _transition(report: Report, from_states: Sequence[str], **changes: Any) -> None:
    changed = Report.objects.filter(
        pk=report.pk, status__in=list(from_states), current_unit_id=report.current_unit_id
    ).update(updated_at=timezone.now(), **changes)
    if not changed:
        raise Conflict("该投诉举报的状态已变化，请刷新后重试")
    for key, value in changes.items():
        setattr(report, key, value)


def _reason(text: str, label: str, max_len: int = 2000) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationFailed.field("note", f"请填写{label}")
    if len(value) > max_len:
        raise ValidationFailed.field("note", f"{label}不能超过{max_len}个字")
    return value


def accept(actor: Actor, report: Report) -> Report:
    """受理: the current unit accepts and starts verifying; the reply clock starts (R-IN-01)."""
    access.require_act(actor, report)
    before = snapshot(report)
    with transaction.atomic():
        _transition(report, [Status.RECEIVED], status=Status.ACCEPTED)
        add_event(
            report, "accepted", "受理并核查", actor, public="已受理，正在核查", status_to=Status.ACCEPTED
        )
        record(actor, "report.accepted", report, before=before, after=snapshot(report))
        callbacks.enqueue(report, "accepted")
        deadlines.settle(report, actor, rule_id=ACCEPT_RULE, note="已受理")
        deadlines.open_obligation(
            rule_id=REPLY_RULE, unit=report.current_unit, subject=report, start=timezone.now(), actor=actor
        )
    return report


def _feed_back(actor: Actor, report: Report) -> None:
    """R-IN-04: tell every unit that passed the report on how it ended."""
    for unit in report.involved_units.exclude(pk=report.current_unit_id):
        notify(
            title=f"投诉举报{report.pk}办理结果反馈",
            body=f"{report.current_unit.name}已答复反映人：{report.reply[:300]}",
            dedupe_key=f"intake:{report.pk}:feedback:{unit.pk}",
            unit=unit,
            url=report.get_absolute_url(),
        )
        add_event(report, "fed_back", f"向{unit.name}反馈办理结果", actor)


def _reply(
    actor: Actor, report: Report, text: str, from_states: Sequence[str], kind: str, label: str
) -> Report:
    access.require_act(actor, report)
    reply = _reason(text, "答复内容")
    before = snapshot(report)
    with transaction.atomic():
        _transition(report, from_states, status=Status.REPLIED, reply=reply, replied_at=timezone.now())
        add_event(report, kind, label, actor, note=reply, public="已答复反映人", status_to=Status.REPLIED)
        record(actor, f"report.{kind}", report, before=before, after=snapshot(report))
        deadlines.settle(report, actor, rule_id=REPLY_RULE, note=label)
        _feed_back(actor, report)
        _reply_merged(actor, report)
        callbacks.enqueue(report, "replied")
    return report


def _reply_merged(actor: Actor, report: Report) -> None:
    """§4: every reporter of a merged report gets the same reply."""
    for child in Report.objects.filter(merged_into=report, status=Status.MERGED):
        Report.objects.filter(pk=child.pk).update(
            status=Status.REPLIED, reply=report.reply, replied_at=report.replied_at
        )
        add_event(
            child,
            "replied",
            f"随投诉举报{report.pk}一并答复",
            actor,
            note=report.reply,
            public="已答复反映人",
            status_to=Status.REPLIED,
        )


def merge(actor: Actor, report: Report, into_id: Any) -> Report:
    """§4: fold a duplicate into an open report; its reporter is kept and replied to with the other."""
    access.require_act(actor, report)
    raw = str(into_id or "").strip()
    target = access.visible_to(actor).filter(pk=int(raw)).first() if raw.isdigit() else None
    if target is None or target.pk == report.pk or target.county_id != report.county_id:
        raise ValidationFailed.field("into", "请选择要合并到的投诉举报")
    if target.status not in duplicates.OPEN or target.merged_into_id is not None:
        raise Conflict("只能合并到尚未答复的投诉举报")
    if Report.objects.filter(merged_into=report).exists():
        raise Conflict("该投诉举报已有合并进来的投诉举报，请反向合并")
    before = snapshot(report)
    with transaction.atomic():
        _transition(report, [Status.RECEIVED, Status.ACCEPTED], status=Status.MERGED, merged_into=target)
        add_event(
            report,
            "merged",
            f"与投诉举报{target.pk}重复，合并办理",
            actor,
            public="与同一问题的其他反映合并办理",
            status_to=Status.MERGED,
        )
        add_event(target, "merged_in", f"合并投诉举报{report.pk}（保留其反映人，一并答复）", actor)
        record(actor, "report.merged", report, before=before, after=snapshot(report))
        subject_type, subject_id = deadlines.subject_key(report)
        for ob in Obligation.objects.filter(
            subject_type=subject_type, subject_id=subject_id, status__in=ACTIVE_STATUSES
        ):
            deadlines.waive(actor, ob, f"已合并至投诉举报{target.pk}办理", by_process=True)
    return report


def reply_no_violation(actor: Actor, report: Report, text: str) -> Report:
    """R-IN-02: verified, no violation → reply directly to the reporter and register the result."""
    return _reply(
        actor, report, text, [Status.ACCEPTED], "no_violation", "经核查无违法行为，答复反映人并登记"
    )


def take_on(actor: Actor, report: Report, note: str, matter_code: str = "") -> Report:
    """Within its powers → accepted for handling (a case placeholder the cases app will extend)."""
    access.require_act(actor, report)
    text = _reason(note, "立案办理说明")
    before = snapshot(report)
    changes: dict[str, Any] = {"status": Status.HANDLING, "handling_note": text}
    if matter_code.strip():
        changes["matter_code"] = matter_code.strip()[:40]
    with transaction.atomic():
        _transition(report, [Status.ACCEPTED], **changes)
        add_event(
            report,
            "handling",
            "属本单位职权，立案办理",
            actor,
            note=text,
            public="已立案办理",
            status_to=Status.HANDLING,
        )
        record(actor, "report.handling", report, before=before, after=snapshot(report))
    return report


def reply(actor: Actor, report: Report, text: str) -> Report:
    """R-IN-04: the unit that finally handled it replies to the reporter and feeds back."""
    return _reply(actor, report, text, [Status.HANDLING], "replied", "办理完毕，答复反映人")


def close(actor: Actor, report: Report) -> Report:
    access.require_act(actor, report)
    before = snapshot(report)
    with transaction.atomic():
        _transition(report, [Status.REPLIED], status=Status.CLOSED)
        add_event(report, "closed", "办结", actor, public="已办结", status_to=Status.CLOSED)
        record(actor, "report.closed", report, before=before, after=snapshot(report))
        callbacks.enqueue(report, "closed")
    return report


def _target(actor: Actor, report: Report, target_id: Any) -> Unit:
    raw = str(target_id or "").strip()
    target = (
        Unit.objects.filter(
            pk=int(raw),
            county_id=report.county_id,
            active=True,
            kind__in=(UnitKind.TOWNSHIP, UnitKind.DEPARTMENT),
        ).first()
        if raw.isdigit()
        else None
    )
    if target is None:
        raise ValidationFailed.field("target", "请选择本县的乡镇（街道）或县级部门作为移交单位")
    if target.pk == report.current_unit_id:
        raise ValidationFailed.field("target", "不能移交给本单位")
    return target


def _waive_reply(actor: Actor, report: Report, unit: Unit, reason: str = "已移交有管辖权的单位办理") -> None:
    subject_type, subject_id = deadlines.subject_key(report)
    for ob in Obligation.objects.filter(
        subject_type=subject_type,
        subject_id=subject_id,
        rule_id=REPLY_RULE,
        unit_id=unit.pk,
        status__in=ACTIVE_STATUSES,
    ):
        deadlines.waive(actor, ob, reason, by_process=True)


def hand_on(actor: Actor, report: Report, target_id: Any, reason: str, party: str = "") -> Report:
    """Not its jurisdiction → hand on. A department holding a township's matter follows R-IN-03:
    register, tell the reporter which township, notify the township in writing, hand over the material."""
    access.require_act(actor, report)
    pending = handover.pending_transfer(report)
    if pending is not None:
        # One transfer at a time: the report follows that one when it is accepted (R-TR-08).
        raise Conflict(
            f"该投诉举报已生成案件移送{pending}，正在等待接收单位答复；请在移送页面继续办理，或先作废、撤回该移送"
        )
    target = _target(actor, report, target_id)
    why = _reason(reason, "移交理由")
    source = report.current_unit
    before = snapshot(report)
    n_files = report.attachments.count()
    with transaction.atomic():
        if source.kind == UnitKind.TOWNSHIP:
            transfer_id = handover.draft_transfer(actor, report, target, why, party)
            if transfer_id is not None:
                _await_transfer(actor, report, target, why, transfer_id, before)
                return report
        _transition(report, [Status.RECEIVED, Status.ACCEPTED], status=Status.RECEIVED, current_unit=target)
        report.involved_units.add(target)
        r_in_03 = source.kind == UnitKind.DEPARTMENT and target.kind == UnitKind.TOWNSHIP
        if r_in_03:
            add_event(report, "registered_handover", "登记属乡镇（街道）管辖的投诉举报", actor, note=why)
            add_event(
                report,
                "told_competent",
                f"告知反映人由{target.name}管辖",
                actor,
                public=f"经核实，该问题由{target.name}管辖",
            )
        elif source.kind == UnitKind.TOWNSHIP:
            add_event(
                report,
                "transferred",
                f"不属本乡镇管辖，移送{target.name}",
                actor,
                note=f"{why}（未确定事项，未生成移送函草稿）",
            )
        add_event(
            report,
            "handed_on",
            f"书面通知并移交{target.name}（移交材料{n_files}份）",
            actor,
            note=why,
            public=f"已移交{target.name}办理",
            status_to=Status.RECEIVED,
        )
        notify(
            title=f"{source.name}移交投诉举报{report.pk}",
            body=f"{source.name}书面通知：该投诉举报属贵单位管辖，已移交反映内容及{n_files}份材料。理由：{why[:300]}",
            dedupe_key=f"intake:{report.pk}:handon:{target.pk}:{report.involved_units.count()}",
            unit=target,
            url=report.get_absolute_url(),
            kind="action",
        )
        record(actor, "report.handed_on", report, before=before, after=snapshot(report), reason=why)
        callbacks.enqueue(report, "handed_on")
        deadlines.settle(report, actor, rule_id=ACCEPT_RULE, note=f"已移交{target.name}")
        _waive_reply(actor, report, source)
        deadlines.open_obligation(
            rule_id=ACCEPT_RULE, unit=target, subject=report, start=timezone.now(), actor=actor
        )
    return report


def _await_transfer(
    actor: Actor, report: Report, target: Unit, why: str, transfer_id: int, before: dict[str, Any]
) -> None:
    """A township's hand-on that became a draft transfer: the report stays the township's until the
    receiver accepts the transfer (R-TR-08, `follow_transfer`); a declined or withdrawn transfer
    leaves it where it is. The township has acted on it, so its acceptance clock is met."""
    _transition(report, [Status.RECEIVED, Status.ACCEPTED], transfer_id=transfer_id)
    add_event(
        report,
        "transferred",
        f"不属本乡镇管辖，生成案件移送草稿{transfer_id}移送{target.name}",
        actor,
        note=why,
        public=f"经核实，该问题不属本乡镇管辖，正在依法移送{target.name}",
    )
    record(actor, "report.transfer_drafted", report, before=before, after=snapshot(report), reason=why)
    deadlines.settle(report, actor, rule_id=ACCEPT_RULE, note=f"已生成案件移送草稿{transfer_id}")


def follow_transfer(actor: Actor, transfer_id: int, receiver: Unit, reference: str) -> list[Report]:
    """R-TR-08: the receiver accepted transfer `transfer_id`, so the reports it came from become the
    receiver's: handling unit, timeline (public too), audit, the reply clock moves to the receiver.

    Called by the transfers app inside its accepting transaction (its own permission check stands
    for this one). A report that has meanwhile been merged, replied to or handed elsewhere stays
    put; its timeline says why."""
    moved: list[Report] = []
    for report in Report.objects.select_related("current_unit").filter(transfer_id=transfer_id):
        if report.current_unit_id == receiver.pk:
            # Handed on before transfers carried reports (it moved at hand-on): only the timeline.
            add_event(report, "transfer_accepted", f"{receiver.name}已受理{reference}", actor)
            continue
        source = report.current_unit
        before = snapshot(report)
        changed = Report.objects.filter(
            pk=report.pk,
            transfer_id=transfer_id,
            current_unit_id=source.pk,
            status__in=[Status.RECEIVED, Status.ACCEPTED],
        ).update(updated_at=timezone.now(), status=Status.ACCEPTED, current_unit=receiver)
        if not changed:
            add_event(
                report,
                "transfer_accepted",
                f"{receiver.name}已受理{reference}，投诉举报因已{Status(report.status).label}未随之转移",
                actor,
            )
            continue
        report.status, report.current_unit = Status.ACCEPTED, receiver
        report.involved_units.add(receiver)
        add_event(
            report,
            "followed_transfer",
            f"随{reference}转由{receiver.name}办理",
            actor,
            note=f"{source.name}移送，{receiver.name}已书面受理",
            public=f"已由{receiver.name}受理办理",
            status_to=Status.ACCEPTED,
        )
        record(
            actor, "report.followed_transfer", report, before=before, after=snapshot(report), reason=reference
        )
        callbacks.enqueue(report, "accepted")
        deadlines.settle(report, actor, rule_id=ACCEPT_RULE, note=f"{receiver.name}已受理{reference}")
        _waive_reply(actor, report, source, f"已随{reference}由{receiver.name}受理办理")
        deadlines.open_obligation(
            rule_id=REPLY_RULE, unit=receiver, subject=report, start=timezone.now(), actor=actor
        )
        moved.append(report)
    return moved


def dispatch(
    actor: Actor, report: Report, matter_code: str, matter_name: str = "", *, source: str = "manual"
) -> Report:
    """Record the chosen matter; a change after the first choice is a re-dispatch (counted)."""
    access.require_act(actor, report)
    code = matter_code.strip()[:40]
    if not code:
        raise ValidationFailed.field("matter_code", "请选择事项")
    before = snapshot(report)
    with transaction.atomic():
        _transition(
            report,
            [Status.RECEIVED, Status.ACCEPTED],
            matter_code=code,
            matter_name=matter_name.strip()[:200],
            dispatch_count=report.dispatch_count + 1,
        )
        label = "确定事项" if report.dispatch_count == 1 else "重新派单（更正事项）"
        add_event(
            report, "dispatched", f"{label}：{code} {matter_name}".strip(), actor, note=f"来源：{source}"
        )
        record(actor, "report.dispatched", report, before=before, after=snapshot(report), reason=source)
    return report


def reporter_full(actor: Actor, report: Report) -> dict[str, str]:
    """The reporter's unmasked details; every look is audited."""
    record(actor, "report.reporter_viewed", report, reason="查看反映人完整信息")
    return {
        "name": report.reporter_name,
        "phone": report.reporter_phone,
        "id_number": report.reporter_id_number,
    }


def reporter_masked(report: Report) -> dict[str, str]:
    if report.anonymous:
        return {"name": "匿名", "phone": "", "id_number": ""}
    return {
        "name": mask_name(report.reporter_name),
        "phone": mask_phone(report.reporter_phone) if report.reporter_phone else "",
        "id_number": mask_id_number(report.reporter_id_number) if report.reporter_id_number else "",
    }
