"""The official documents a transfer produces, issued through the documents engine.

Each builder turns a transfer into the data of one document type and calls `issue_document` in the
caller's transaction, so a failure rolls back the number as well (no gaps).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.services import issue_document
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.transfers.models import CopyNotice, MaterialKind, Transfer, TransferMaterial
from xiezhi.units.models import Unit


def _moment(value: datetime) -> str:
    return timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="minutes")


def _person(actor: Actor) -> str:
    return actor.person.name if actor.person is not None else str(actor)


def measures(transfer: Transfer) -> str:
    if not transfer.in_progress:
        return ""
    parts = []
    if transfer.stop_ordered_at:
        parts.append(
            f"于{format_date_zh(timezone.localdate(transfer.stop_ordered_at))}责令当事人立即停止违法行为"
        )
    if transfer.stop_order_note:
        parts.append(transfer.stop_order_note.rstrip("。"))
    if transfer.evidence_fixed_note:
        parts.append(f"证据固定情况：{transfer.evidence_fixed_note.rstrip('。')}")
    return "，".join(parts)


def material_titles(transfer: Transfer) -> list[str]:
    rows = TransferMaterial.objects.filter(transfer=transfer).exclude(kind=MaterialKind.LETTER).order_by("id")
    return [f"{m.get_kind_display()}：{m.title}"[:200] for m in rows]


def copy_units(transfer: Transfer) -> list[Unit]:
    """R-TR-10: the receiver (a party), the township where it happened when it is not a party,
    and the other concerned units the sender named."""
    units = [transfer.receiver]
    if transfer.township_id not in (transfer.sender_id, transfer.receiver_id):
        units.append(transfer.township)
    for unit in transfer.copy_to.all().order_by("kind", "code"):
        if unit.pk not in {u.pk for u in units} and unit.pk != transfer.sender_id:
            units.append(unit)
    return units


def issue_letter(actor: Actor, transfer: Transfer) -> IssuedDocument:
    """涉嫌违法案件移送函 (R-TR-06), in the sending unit's name (R-TR-01)."""
    data: dict[str, Any] = {
        "receiver": transfer.receiver.name,
        "party": transfer.party,
        "matter": transfer.violation,
        "discovered_at": _moment(transfer.discovered_at),
        "location": transfer.location,
        "facts": transfer.facts,
        "legal_basis": transfer.legal_basis,
        "approved_by": _person(actor),
        "materials": material_titles(transfer) or ["无"],
        "urgency": transfer.urgency,
        "measures": measures(transfer),
        "contact_person": transfer.created_by_name,
        "copy_to": [u.name for u in copy_units(transfer) if u.pk != transfer.receiver_id],
    }
    doc = issue_document(actor, doc_type="transfer_letter", unit=transfer.sender, subject=transfer, data=data)
    TransferMaterial.objects.create(
        transfer=transfer,
        kind=MaterialKind.LETTER,
        title=doc.number,
        document=doc,
        sha256=doc.pdf_sha256,
        size=doc.pdf_size,
        content_type="application/pdf",
        uploaded_by=actor.person,
        uploaded_by_name=_person(actor)[:100],
    )
    return doc


def issue_copy_notices(
    actor: Actor, transfer: Transfer, letter: IssuedDocument, at: datetime
) -> list[CopyNotice]:
    """One 抄告单 listing every recipient, and one CopyNotice (with its read receipt) per unit."""
    units = copy_units(transfer)
    doc = issue_document(
        actor,
        doc_type="copy_notice",
        unit=transfer.sender,
        subject=transfer,
        data={
            "recipients": [u.name for u in units],
            "topic": f"{transfer.party}涉嫌{transfer.violation}案件移送",
            "content": (
                f"{transfer.sender.name}已于{format_date_zh(timezone.localdate(at))}将{transfer.party}"
                f"涉嫌{transfer.violation}一案（发现地点：{transfer.location}）移送{transfer.receiver.name}处理。"
            ),
            "reference": letter.number,
            "contact_person": transfer.created_by_name,
        },
    )
    return CopyNotice.objects.bulk_create(
        [CopyNotice(transfer=transfer, unit=u, document=doc, sent_at=at) for u in units]
    )


def issue_oral_record(actor: Actor, transfer: Transfer, written_due: datetime) -> IssuedDocument:
    """口头移送记录 (R-TR-07), recorded at once in the sending unit's name."""
    assert transfer.oral_at is not None
    # The document checks the written formalities fall within 24 hours of the oral transfer.
    due = min(written_due, transfer.oral_at + timedelta(hours=24))
    return issue_document(
        actor,
        doc_type="oral_transfer_record",
        unit=transfer.sender,
        subject=transfer,
        data={
            "receiver": transfer.receiver.name,
            "receiver_person": transfer.oral_receiver_person,
            "sender_person": _person(actor),
            "communicated_at": _moment(transfer.oral_at),
            "method": transfer.oral_method,
            "matter": transfer.violation,
            "location": transfer.location,
            "facts": transfer.facts,
            "urgency_reason": transfer.oral_reason,
            "measures": measures(transfer),
            "written_due": _moment(due),
            "recorder": _person(actor),
        },
    )


def issue_reply(actor: Actor, transfer: Transfer, decision: str) -> IssuedDocument:
    """案件受理告知书 / 案件不予受理告知书 (R-TR-08), in the receiving unit's name."""
    assert transfer.sent_at is not None
    data: dict[str, Any] = {
        "sender": transfer.sender.name,
        "transfer_number": transfer.letter.number if transfer.letter else f"移送{transfer.pk}",
        "matter": f"{transfer.party}涉嫌{transfer.violation}",
        "received_on": timezone.localdate(transfer.sent_at).isoformat(),
        "decision": decision,
        "handling": transfer.handling_note,
        "contact_person": _person(actor),
    }
    if decision == "decline":
        data["reasons"] = f"{transfer.get_decline_reason_display()}：{transfer.decline_detail}"
        data["returned_materials"] = material_titles(transfer)
    return issue_document(
        actor, doc_type="acceptance_reply", unit=transfer.receiver, subject=transfer, data=data
    )
