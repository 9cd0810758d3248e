"""API shapes for transfers. Write schemas forbid unknown fields (422); times are ISO 8601 strings
(a time without a zone is Beijing time) so that a malformed one gets a Chinese field message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict

from xiezhi.core.actor import Actor
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.models import IssuedDocument
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.transfers.models import CopyNotice, Transfer, TransferEvent, TransferMaterial


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class TransferWrite(Strict):
    receiver_id: int | None = None
    receiver: int | str | None = None
    township_id: int | None = None
    matter_id: int | None = None
    matter: int | str | None = None
    party: str | None = None
    location: str | None = None
    facts: str | None = None
    legal_basis: str | None = None
    discovered_at: str | None = None
    urgency: str | None = None
    major_risk: bool | None = None
    in_progress: bool | None = None
    stop_ordered_at: str | None = None
    stop_order_note: str | None = None
    evidence_fixed_note: str | None = None
    is_legacy: bool | None = None
    consultation_on: str | None = None
    consultation_note: str | None = None
    source_reference: str | None = None
    copy_to_ids: list[int] | None = None


class ReasonIn(Strict):
    reason: str = ""


class OralIn(Strict):
    oral_at: str | None = None
    method: str = ""
    receiver_person: str = ""
    reason: str = ""


class AcceptIn(Strict):
    handling: str = ""


class DeclineIn(Strict):
    reason: str = ""
    detail: str = ""


class UnitRef(Schema):
    id: int
    name: str


class TransferItem(Schema):
    id: int
    status: str
    status_label: str
    urgency: str
    sender: UnitRef
    receiver: UnitRef
    township: UnitRef
    matter_code: str
    matter_name: str
    party: str
    location: str
    discovered_at: datetime
    send_due_at: datetime
    sent_at: datetime | None
    reply_due_at: datetime | None
    replied_at: datetime | None
    in_progress: bool
    is_legacy: bool
    competence_warning: str
    url: str


class TransferPage(Schema):
    items: list[TransferItem]
    total: int
    page: int
    page_size: int


class MaterialOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    document_id: int | None
    uploaded_by: str
    uploaded_at: datetime


class DocumentRef(Schema):
    id: int
    doc_type: str
    number: str
    title: str
    pdf: str
    docx: str


class CopyNoticeOut(Schema):
    id: int
    transfer_id: int
    unit: UnitRef
    document_id: int | None
    sent_at: datetime
    read_at: datetime | None
    read_by: str


class EventOut(Schema):
    at: datetime
    kind: str
    label: str
    actor: str
    unit: str
    status_from: str
    status_to: str
    note: str
    document_id: int | None


class ObligationRef(Schema):
    id: int
    rule_id: str
    unit: str
    period: str
    opened_at: datetime
    due_at: datetime
    status: str
    met_at: datetime | None


class CheckOut(Schema):
    key: str
    label: str
    done: bool
    rule: str


class TransferOut(TransferItem):
    sender_id: int
    receiver_id: int
    responsible_unit: UnitRef
    matter_id: int
    facts: str
    legal_basis: str
    urgency_label: str
    urgency_automatic: bool
    urgency_reason: str
    major_risk: bool
    rule_id: str
    stop_ordered_at: datetime | None
    stop_order_note: str
    evidence_fixed_note: str
    receiver_told_at: datetime | None
    consultation_on: str | None
    consultation_note: str
    source_reference: str
    created_by: str
    submitted_at: datetime | None
    approved_by: str
    approved_at: datetime | None
    oral_at: datetime | None
    oral_method: str
    oral_receiver_person: str
    written_due_at: datetime | None
    replied_by: str
    decline_reason: str
    decline_detail: str
    handling_note: str
    copy_to_ids: list[int]
    allowed_actions: list[str]
    checklist: list[CheckOut]
    materials: list[MaterialOut]
    documents: list[DocumentRef]
    copy_notices: list[CopyNoticeOut]
    obligations: list[ObligationRef]
    timeline: list[EventOut]


class ChecklistOut(Schema):
    items: list[CheckOut]
    missing: list[str]


class CopyNoticePage(Schema):
    items: list[CopyNoticeOut]
    total: int
    page: int
    page_size: int


def _unit(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def item_out(t: Transfer) -> dict[str, Any]:
    return {
        "id": t.pk,
        "status": t.status,
        "status_label": t.status_label,
        "urgency": t.urgency,
        "sender": _unit(t.sender),
        "receiver": _unit(t.receiver),
        "township": _unit(t.township),
        "matter_code": t.matter.code,
        "matter_name": t.matter.name,
        "party": t.party,
        "location": t.location,
        "discovered_at": t.discovered_at,
        "send_due_at": t.send_due_at,
        "sent_at": t.sent_at,
        "reply_due_at": t.reply_due_at,
        "replied_at": t.replied_at,
        "in_progress": t.in_progress,
        "is_legacy": t.is_legacy,
        "competence_warning": t.competence_note,
        "url": f"/transfers/{t.pk}/",
    }


def row_out(r: dict[str, Any]) -> dict[str, Any]:
    """`item_out` for a row of `selectors.list_rows`."""
    return {
        "id": r["id"],
        "status": r["status"],
        "status_label": TRANSFER.state_label(r["status"]),
        "urgency": r["urgency"],
        "sender": {"id": r["sender_id"], "name": r["sender__name"]},
        "receiver": {"id": r["receiver_id"], "name": r["receiver__name"]},
        "township": {"id": r["township_id"], "name": r["township__name"]},
        "matter_code": r["matter__code"],
        "matter_name": r["matter__name"],
        "party": r["party"],
        "location": r["location"],
        "discovered_at": r["discovered_at"],
        "send_due_at": r["send_due_at"],
        "sent_at": r["sent_at"],
        "reply_due_at": r["reply_due_at"],
        "replied_at": r["replied_at"],
        "in_progress": r["in_progress"],
        "is_legacy": r["is_legacy"],
        "competence_warning": r["competence_note"],
        "url": f"/transfers/{r['id']}/",
    }


def material_out(m: TransferMaterial) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "title": m.title,
        "original_name": m.original_name,
        "content_type": m.content_type,
        "size": m.size,
        "sha256": m.sha256,
        "document_id": m.document_id,
        "uploaded_by": m.uploaded_by_name,
        "uploaded_at": m.uploaded_at,
    }


def document_out(d: IssuedDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "doc_type": d.doc_type,
        "number": d.number,
        "title": d.title,
        "pdf": f"/api/v1/documents/{d.pk}/pdf",
        "docx": f"/api/v1/documents/{d.pk}/docx",
    }


def copy_notice_out(n: CopyNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "transfer_id": n.transfer_id,
        "unit": _unit(n.unit),
        "document_id": n.document_id,
        "sent_at": n.sent_at,
        "read_at": n.read_at,
        "read_by": n.read_by_name,
    }


def event_out(e: TransferEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "kind": e.kind,
        "label": e.label,
        "actor": e.actor_name,
        "unit": e.unit_name,
        "status_from": e.status_from,
        "status_to": e.status_to,
        "note": e.note,
        "document_id": e.document_id,
    }


def obligation_out(ob: Obligation) -> dict[str, Any]:
    return {
        "id": ob.pk,
        "rule_id": ob.rule_id,
        "unit": ob.unit.name,
        "period": ob.period,
        "opened_at": ob.opened_at,
        "due_at": ob.due_at,
        "status": ob.status,
        "met_at": ob.met_at,
    }


def transfer_out(actor: Actor, t: Transfer) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType

    from xiezhi.deadlines.selectors import for_subject
    from xiezhi.documents.selectors import documents_for
    from xiezhi.transfers.actions import allowed_actions
    from xiezhi.transfers.services import checklist

    ct = ContentType.objects.get_for_model(Transfer)
    out = item_out(t)
    out.update(
        {
            "sender_id": t.sender_id,
            "receiver_id": t.receiver_id,
            "responsible_unit": _unit(t.responsible_unit),
            "matter_id": t.matter_id,
            "facts": t.facts,
            "legal_basis": t.legal_basis,
            "urgency_label": t.get_urgency_display(),
            "urgency_automatic": t.urgency_automatic,
            "urgency_reason": t.urgency_reason,
            "major_risk": t.major_risk,
            "rule_id": t.rule_id,
            "stop_ordered_at": t.stop_ordered_at,
            "stop_order_note": t.stop_order_note,
            "evidence_fixed_note": t.evidence_fixed_note,
            "receiver_told_at": t.receiver_told_at,
            "consultation_on": t.consultation_on.isoformat() if t.consultation_on else None,
            "consultation_note": t.consultation_note,
            "source_reference": t.source_reference,
            "created_by": t.created_by_name,
            "submitted_at": t.submitted_at,
            "approved_by": t.approved_by_name,
            "approved_at": t.approved_at,
            "oral_at": t.oral_at,
            "oral_method": t.oral_method,
            "oral_receiver_person": t.oral_receiver_person,
            "written_due_at": t.written_due_at,
            "replied_by": t.replied_by_name,
            "decline_reason": t.decline_reason,
            "decline_detail": t.decline_detail,
            "handling_note": t.handling_note,
            "copy_to_ids": list(t.copy_to.values_list("pk", flat=True)),
            "allowed_actions": allowed_actions(actor, t),
            "checklist": [vars(i) for i in checklist(t)],
            "materials": [material_out(m) for m in t.materials.select_related("document").order_by("id")],  # type: ignore[attr-defined]
            "documents": [document_out(d) for d in documents_for(actor, t)],
            "copy_notices": [
                copy_notice_out(n) for n in t.copy_notices.select_related("unit").order_by("id")
            ],  # type: ignore[attr-defined]
            "obligations": [
                obligation_out(ob)
                for ob in for_subject(ct.pk, str(t.pk)).select_related("unit").order_by("opened_at", "pk")
            ],
            "timeline": [event_out(e) for e in t.events.order_by("at", "id")],  # type: ignore[attr-defined]
        }
    )
    return out
