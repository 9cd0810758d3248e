"""/api/v1/disputes: open, negotiate, agree, apply, coordinate or propose, decide or refer, withdraw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import obligations_of, timeline_of
from xiezhi.coordination.disputes import access, selectors, services
from xiezhi.coordination.models import Dispute
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.inputs import ids_as_fields
from xiezhi.core.pagination import paginate
from xiezhi.documents.selectors import documents_for

router = Router(tags=["执法争议 disputes"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class DisputeOpen(Strict):
    kind: str | None = None
    counterpart_id: int | None = None
    provisional_handler_id: int | None = None
    transfer_id: int | None = None
    subject: str | None = None
    facts: str | None = None
    applicant_position: str | None = None
    counterpart_position: str | None = None
    provisional_basis: str | None = None


class NoteIn(Strict):
    note: str = ""


class MinutesIn(Strict):
    agreed: bool = False
    note: str = ""
    topic: str = ""
    held_at: str | None = None
    place: str = ""
    chair: str = ""
    attendees: list[str] = []
    discussion: str = ""
    agreements: list[str] = []


class ApplyIn(Strict):
    negotiation: str = ""
    request: str = ""
    our_position: str = ""


class CoordinateIn(Strict):
    agreed: bool = False
    proposal: str = ""
    topic: str = ""
    held_at: str | None = None
    place: str = ""
    chair: str = ""
    attendees: list[str] = []
    discussion: str = ""
    agreements: list[str] = []


class DecideIn(Strict):
    refer: bool = False
    decision: str = ""
    referred_to: str = ""


class ReasonIn(Strict):
    reason: str = ""


class UnitRef(Schema):
    id: int
    name: str


class DisputeItem(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    subject: str
    applicant: UnitRef
    counterpart: UnitRef
    provisional_handler: UnitRef
    transfer_id: int | None
    opened_at: datetime
    closed_at: datetime | None


class DisputePage(Schema):
    items: list[DisputeItem]
    total: int
    page: int
    page_size: int


class DisputeOut(DisputeItem):
    facts: str
    applicant_position: str
    counterpart_position: str
    provisional_basis: str
    provisional_ack_at: datetime | None
    provisional_ack_note: str
    applied_at: datetime | None
    application_id: int | None
    proposed_at: datetime | None
    proposal: str
    outcome: str
    referred_to: str
    allowed_actions: list[str]
    documents: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


def _u(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def item_out(d: Dispute) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "status": d.status,
        "status_label": d.status_label,
        "subject": d.subject,
        "applicant": _u(d.applicant),
        "counterpart": _u(d.counterpart),
        "provisional_handler": _u(d.provisional_handler),
        "transfer_id": d.transfer_id,
        "opened_at": d.opened_at,
        "closed_at": d.closed_at,
    }


def dispute_out(a: Actor, d: Dispute) -> dict[str, Any]:
    out = item_out(d)
    out.update(
        {
            "facts": d.facts,
            "applicant_position": d.applicant_position,
            "counterpart_position": d.counterpart_position,
            "provisional_basis": d.provisional_basis,
            "provisional_ack_at": d.provisional_ack_at,
            "provisional_ack_note": d.provisional_ack_note,
            "applied_at": d.applied_at,
            "application_id": d.application_id,
            "proposed_at": d.proposed_at,
            "proposal": d.proposal,
            "outcome": d.outcome,
            "referred_to": d.referred_to,
            "allowed_actions": services.allowed_actions(a, d),
            "documents": [
                {
                    "id": doc.pk,
                    "doc_type": doc.doc_type,
                    "number": doc.number,
                    "title": doc.title,
                    "pdf": f"/api/v1/documents/{doc.pk}/pdf",
                }
                for doc in documents_for(a, d)
            ],
            "obligations": obligations_of(d),
            "timeline": timeline_of(d.events),  # type: ignore[attr-defined]
        }
    )
    return out


@router.get("", response=DisputePage, summary="争议列表")
def list_disputes(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    unit: int | None = None,
    q: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered(access.visible_to(a), status=status, kind=kind, unit=unit, q=q)
    result = paginate(selectors.for_list(qs).order_by("-id"), page, page_size)
    return result.as_api(item_out)


@router.post("", response={201: DisputeOut}, summary="提起争议（须指定临时承办单位，R-DIS-03）")
def open_dispute(request: HttpRequest, payload: DisputeOpen) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "counterpart", "provisional_handler", "transfer")
    return Status(201, dispute_out(a, services.open_dispute(a, data)))


@router.get("/{dispute_id}", response=DisputeOut, summary="争议详情")
def get_dispute(request: HttpRequest, dispute_id: int) -> dict[str, Any]:
    a = actor(request)
    return dispute_out(a, access.access_dispute(a, dispute_id))


def _do(request: HttpRequest, dispute_id: int, fn: Any, data: dict[str, Any]) -> dict[str, Any]:
    a = actor(request)
    d = access.access_dispute(a, dispute_id)
    return dispute_out(a, fn(a, d, data))


@router.post("/{dispute_id}/acknowledge", response=DisputeOut, summary="临时承办单位确认接手（R-DIS-03）")
def acknowledge(request: HttpRequest, dispute_id: int, payload: NoteIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.acknowledge, payload.dict())


@router.post(
    "/{dispute_id}/negotiations",
    response=DisputeOut,
    summary="记录协商；agreed=true 时生成纪要并办结（R-DIS-01）",
)
def negotiate(request: HttpRequest, dispute_id: int, payload: MinutesIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.negotiate, payload.dict())


@router.post("/{dispute_id}/apply", response=DisputeOut, summary="申请司法局协调（R-DIS-02）")
def apply(request: HttpRequest, dispute_id: int, payload: ApplyIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.apply_for_coordination, payload.dict())


@router.post(
    "/{dispute_id}/coordination",
    response=DisputeOut,
    summary="司法局协调：agreed=true 纪要办结，否则提出建议报县政府",
)
def coordinate(request: HttpRequest, dispute_id: int, payload: CoordinateIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.coordinate, payload.dict())


@router.post("/{dispute_id}/decision", response=DisputeOut, summary="县政府决定；refer=true 时移送有权机关")
def decide(request: HttpRequest, dispute_id: int, payload: DecideIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.decide, payload.dict())


@router.post("/{dispute_id}/withdraw", response=DisputeOut, summary="撤回争议（协商阶段）")
def withdraw(request: HttpRequest, dispute_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, dispute_id, services.withdraw, payload.dict())
