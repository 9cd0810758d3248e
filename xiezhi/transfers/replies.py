"""The receiver's written reply (R-TR-08), the sender's withdrawal, and copy-notice receipts (R-TR-10).

Accept and decline race each other: each is one conditional `UPDATE … WHERE status = 'sent'`
taken before anything else is written, so when two replies arrive together exactly one row
update succeeds; the other finds zero rows and gets 409 with the state the winner committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.catalogue.services import ensure_may_penalise
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.inputs import text_field
from xiezhi.core.timeline import actor_name as person_name
from xiezhi.deadlines import services as deadlines
from xiezhi.intake import services as intake
from xiezhi.transfers import access, competence, letters
from xiezhi.transfers.models import CopyNotice, DeclineReason, Transfer
from xiezhi.transfers.services import waive_clocks
from xiezhi.transfers.timeline import STATE, add_event, tell_unit


def reference(transfer: Transfer) -> str:
    """How other records name the transfer: its number, and the letter's when there is one."""
    letter = transfer.letter.number if transfer.letter_id and transfer.letter else ""
    return f"案件移送{transfer.pk}" + (f"（{letter}）" if letter else "")


def accept(actor: Actor, transfer: Transfer, data: Mapping[str, Any] | None = None) -> Transfer:
    """受理: the matter becomes the receiver's. The receiver must be allowed to penalise for the
    matter in that township (the catalogue guard; a refusal is 403 with the explanation)."""
    data = data or {}
    access.require_reply(actor, transfer)
    new = STATE.next_state(transfer, "accept")
    handling = text_field(data, "handling", "后续处理安排", required=False, max_length=2000)
    try:
        # Before our transaction: the guard audits a refusal in a transaction of its own.
        ensure_may_penalise(
            actor, transfer.matter, transfer.township, competence.discovery_date(transfer.discovered_at)
        )
    except ValidationFailed:
        pass  # no catalogue in force on that date: the warning on the page says so; nothing to guard
    now = timezone.now()
    name = person_name(actor)
    with transaction.atomic():
        old = STATE.move(
            transfer,
            "accept",
            new,
            replied_at=now,
            replied_by=actor.person,
            replied_by_name=name,
            handling_note=handling,
            responsible_unit=transfer.receiver,
        )
        add_event(
            transfer,
            "accepted",
            f"{transfer.receiver.name}决定受理",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=handling,
        )
        record(
            actor,
            "transfer.accepted",
            transfer,
            before={"status": old},
            after={"status": new, "responsible_unit": transfer.receiver.name},
        )
        deadlines.settle(transfer, actor, rule_id="R-TR-08", met_at=now, note="已书面答复受理")
        # The source report follows the matter to the receiver (intake writes its own rows).
        intake.follow_transfer(actor, transfer.pk, transfer.receiver, reference(transfer))
        doc = letters.issue_reply(actor, transfer, "accept")
        Transfer.objects.filter(pk=transfer.pk).update(reply_document=doc)
        transfer.reply_document = doc
        add_event(transfer, "reply_document", f"制作案件受理告知书{doc.number}", actor, document=doc)
        tell_unit(
            transfer.sender,
            transfer,
            "accepted",
            f"{transfer.receiver.name}已受理移送案件：{transfer.party}涉嫌{transfer.violation}",
        )
    return transfer


def decline(actor: Actor, transfer: Transfer, data: Mapping[str, Any]) -> Transfer:
    """不予受理 with reasons: the case goes back to the sender, who may open a dispute (R-DIS-01)."""
    access.require_reply(actor, transfer)
    new = STATE.next_state(transfer, "decline")
    code = str(data.get("reason") or "").strip()
    if code not in DeclineReason.values:
        raise ValidationFailed.field("reason", f"请选择不予受理的理由类别：{'、'.join(DeclineReason.labels)}")
    detail = text_field(data, "detail", "不予受理的具体理由", max_length=2000)
    now = timezone.now()
    name = person_name(actor)
    with transaction.atomic():
        old = STATE.move(
            transfer,
            "decline",
            new,
            replied_at=now,
            replied_by=actor.person,
            replied_by_name=name,
            decline_reason=code,
            decline_detail=detail,
        )
        add_event(
            transfer,
            "declined",
            f"{transfer.receiver.name}不予受理：{DeclineReason(code).label}",
            actor,
            status_from=old,
            status_to=new,
            at=now,
            note=detail,
        )
        record(
            actor,
            "transfer.declined",
            transfer,
            before={"status": old},
            after={"status": new, "reason": code},
            reason=detail,
        )
        deadlines.settle(transfer, actor, rule_id="R-TR-08", met_at=now, note="已书面答复不予受理")
        doc = letters.issue_reply(actor, transfer, "decline")
        Transfer.objects.filter(pk=transfer.pk).update(reply_document=doc)
        transfer.reply_document = doc
        add_event(transfer, "reply_document", f"制作案件不予受理告知书{doc.number}", actor, document=doc)
        tell_unit(
            transfer.sender,
            transfer,
            "declined",
            f"{transfer.receiver.name}不予受理移送案件：{transfer.party}涉嫌{transfer.violation}",
            f"理由：{DeclineReason(code).label}，{detail}。案件退回你单位；有异议的，可以提请争议协调。",
        )
    return transfer


def withdraw(actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    """撤回 a transfer the receiver has not answered (e.g. sent to the wrong unit); leader only."""
    access.require_approve(actor, transfer)
    new = STATE.next_state(transfer, "withdraw")
    text = str(reason or "").strip()
    if not text:
        raise ValidationFailed.field("reason", "请填写撤回理由")
    with transaction.atomic():
        old = STATE.move(transfer, "withdraw", new)
        add_event(transfer, "withdrawn", "移送单位撤回", actor, status_from=old, status_to=new, note=text)
        record(
            actor, "transfer.withdrawn", transfer, before={"status": old}, after={"status": new}, reason=text
        )
        waive_clocks(actor, transfer, ("R-TR-08",), f"移送已撤回：{text}")
        tell_unit(
            transfer.receiver,
            transfer,
            "withdrawn",
            f"{transfer.sender.name}已撤回移送：{transfer.party}涉嫌{transfer.violation}",
            text,
        )
    return transfer


def read_copy_notice(actor: Actor, notice: CopyNotice) -> CopyNotice:
    """签收 a copy notice: the first reading is kept; reading again changes nothing."""
    now = timezone.now()
    name = person_name(actor)
    with transaction.atomic():
        rows = CopyNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=now, read_by=actor.person, read_by_name=name
        )
        if rows:
            add_event(
                notice.transfer, "copy_read", f"{notice.unit.name}签收抄告单", actor, at=now, note="R-TR-10"
            )
            record(
                actor,
                "transfer.copy_notice_read",
                notice.transfer,
                after={"copy_notice_id": notice.pk, "unit": notice.unit.name},
            )
    notice.refresh_from_db()
    return notice
