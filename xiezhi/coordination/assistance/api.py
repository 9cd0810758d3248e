"""/api/v1/assistance (R-CO-04/05) and /api/v1/hazards (R-CO-02)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.assistance import access, hazards, selectors, services
from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.coordination.common.outputs import obligations_of, timeline_of
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.inputs import ids_as_fields
from xiezhi.core.pagination import paginate
from xiezhi.documents.selectors import documents_for

router = Router(tags=["协助请求 assistance"])
hazard_router = Router(tags=["隐患通报 hazards"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class RequestIn(Strict):
    kind: str | None = None
    assisting_id: int | None = None
    requester_id: int | None = None
    subject: str | None = None
    details: str | None = None
    case_reference: str | None = None
    urgent: bool = False
    urgent_reason: str | None = None
    location: str | None = None


class DispatchIn(Strict):
    officers: list[int] = []
    dispatched_at: str | None = None
    arrived_at: str | None = None
    onsite_note: str = ""


class DelayIn(Strict):
    expected_on: str | None = None
    reason: str = ""


class AnswerIn(Strict):
    answer: str = ""


class ReasonIn(Strict):
    reason: str = ""


class DisputeIn(Strict):
    applicant_position: str = ""
    provisional_handler: int | None = None
    facts: str | None = None


class HazardIn(Strict):
    category: str | None = None
    department_id: int | None = None
    township_id: int | None = None
    to_government: bool = False
    title: str | None = None
    location: str | None = None
    description: str | None = None
    proposals: str | None = None
    found_at: str | None = None


class OutcomeIn(Strict):
    outcome: str = ""


class UnitRef(Schema):
    id: int
    name: str


class RequestItem(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    subject: str
    requester: UnitRef
    assisting: UnitRef
    urgent: bool
    requested_at: datetime
    closed_at: datetime | None


class RequestPage(Schema):
    items: list[RequestItem]
    total: int
    page: int
    page_size: int


class RequestOut(RequestItem):
    details: str
    case_reference: str
    urgent_reason: str
    location: str
    officers: list[dict[str, Any]]
    dispatched_at: datetime | None
    arrived_at: datetime | None
    onsite_note: str
    expected_on: date | None
    delay_reason: str
    answered_at: datetime | None
    answer: str
    reply_id: int | None
    refusal_reason: str
    dispute_id: int | None
    allowed_actions: list[str]
    documents: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class HazardItem(Schema):
    id: int
    category: str
    category_label: str
    status: str
    status_label: str
    title: str
    location: str
    township: UnitRef
    department: UnitRef | None
    notified_at: datetime
    reported_at: datetime | None
    report_reason: str


class HazardPage(Schema):
    items: list[HazardItem]
    total: int
    page: int
    page_size: int


class HazardOut(HazardItem):
    description: str
    proposals: str
    found_at: datetime
    officers: list[dict[str, Any]]
    dispatched_at: datetime | None
    arrived_at: datetime | None
    onsite_note: str
    refusal_reason: str
    outcome: str
    closed_at: datetime | None
    allowed_actions: list[str]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


def _u(u: Any) -> dict[str, Any] | None:
    return {"id": u.pk, "name": u.name} if u is not None else None


def request_item(r: AssistanceRequest) -> dict[str, Any]:
    return {
        "id": r.pk, "kind": r.kind, "kind_label": r.get_kind_display(), "status": r.status,
        "status_label": r.status_label, "subject": r.subject, "requester": _u(r.requester),
        "assisting": _u(r.assisting), "urgent": r.urgent, "requested_at": r.requested_at, "closed_at": r.closed_at,
    }  # fmt: skip


def request_out(a: Actor, r: AssistanceRequest) -> dict[str, Any]:
    out = request_item(r)
    out.update({
        "details": r.details, "case_reference": r.case_reference, "urgent_reason": r.urgent_reason,
        "location": r.location, "officers": r.officers, "dispatched_at": r.dispatched_at,
        "arrived_at": r.arrived_at, "onsite_note": r.onsite_note, "expected_on": r.expected_on,
        "delay_reason": r.delay_reason, "answered_at": r.answered_at, "answer": r.answer, "reply_id": r.reply_id,
        "refusal_reason": r.refusal_reason, "dispute_id": r.dispute_id,
        "allowed_actions": services.allowed_actions(a, r),
        "documents": [
            {"id": d.pk, "doc_type": d.doc_type, "number": d.number, "title": d.title,
             "pdf": f"/api/v1/documents/{d.pk}/pdf"}
            for d in documents_for(a, r)
        ],
        "obligations": obligations_of(r),
        "timeline": timeline_of(r.events),  # type: ignore[attr-defined]
    })  # fmt: skip
    return out


def hazard_item(h: HazardNotice) -> dict[str, Any]:
    return {
        "id": h.pk, "category": h.category, "category_label": h.get_category_display(), "status": h.status,
        "status_label": h.status_label, "title": h.title, "location": h.location, "township": _u(h.township),
        "department": _u(h.department), "notified_at": h.notified_at, "reported_at": h.reported_at,
        "report_reason": h.report_reason,
    }  # fmt: skip


def hazard_out(a: Actor, h: HazardNotice) -> dict[str, Any]:
    out = hazard_item(h)
    out.update({
        "description": h.description, "proposals": h.proposals, "found_at": h.found_at, "officers": h.officers,
        "dispatched_at": h.dispatched_at, "arrived_at": h.arrived_at, "onsite_note": h.onsite_note,
        "refusal_reason": h.refusal_reason, "outcome": h.outcome, "closed_at": h.closed_at,
        "allowed_actions": hazards.allowed_actions(a, h), "obligations": obligations_of(h),
        "timeline": timeline_of(h.events),  # type: ignore[attr-defined]
    })  # fmt: skip
    return out



# --- assistance ---------------------------------------------------------------------------------------


@router.get("", response=RequestPage, summary="协助请求列表")
def list_requests(
    request: HttpRequest, status: str = "", kind: str = "", direction: str = "", urgent: str = "",
    q: str = "", page: int = 1, page_size: int = 20,
) -> dict[str, Any]:  # fmt: skip
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered_requests(
        access.visible_requests(a), status=status, kind=kind, direction=direction, unit_id=a.unit_id,
        urgent=urgent, q=q,
    )  # fmt: skip
    result = paginate(qs, page, page_size)
    return result.as_api(request_item)


@router.post("", response={201: RequestOut}, summary="提出协助请求（R-CO-04、R-CO-05）")
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "assisting", "requester")
    return Status(201, request_out(a, services.create_request(a, data)))


@router.get("/{request_id}", response=RequestOut, summary="协助请求详情")
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    a = actor(request)
    return request_out(a, access.access_request(a, request_id))


def _do(request: HttpRequest, request_id: int, fn: Any, data: dict[str, Any]) -> dict[str, Any]:
    a = actor(request)
    r = access.access_request(a, request_id)
    fn(a, r, data)
    return request_out(a, access.access_request(a, request_id))


@router.post("/{request_id}/dispatch", response=RequestOut, summary="登记派员到场（紧急，R-CO-05）")
def dispatch(request: HttpRequest, request_id: int, payload: DispatchIn) -> dict[str, Any]:
    return _do(request, request_id, services.dispatch, payload.dict())


@router.post("/{request_id}/delay", response=RequestOut, summary="告知需较长时间并延长答复期限")
def delay(request: HttpRequest, request_id: int, payload: DelayIn) -> dict[str, Any]:
    return _do(request, request_id, services.delay, payload.dict())


@router.post("/{request_id}/answer", response=RequestOut, summary="书面答复")
def answer(request: HttpRequest, request_id: int, payload: AnswerIn) -> dict[str, Any]:
    return _do(request, request_id, services.answer, payload.dict())


@router.post("/{request_id}/refuse", response=RequestOut, summary="拒绝协助（须说明理由，转司法局）")
def refuse(request: HttpRequest, request_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, request_id, services.refuse, payload.dict())


@router.post("/{request_id}/withdraw", response=RequestOut, summary="撤回请求")
def withdraw(request: HttpRequest, request_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, request_id, services.withdraw, payload.dict())


@router.post("/{request_id}/dispute", response={201: dict}, summary="就拒绝协助提起执法争议")
def dispute(request: HttpRequest, request_id: int, payload: DisputeIn) -> Status[dict[str, Any]]:
    a = actor(request)
    r = access.access_request(a, request_id)
    data = {k: v for k, v in payload.dict().items() if v not in (None, "")}
    d = services.open_dispute(a, r, data)
    return Status(201, {"dispute_id": d.pk, "url": d.get_absolute_url()})


# --- hazards ------------------------------------------------------------------------------------------


@hazard_router.get("", response=HazardPage, summary="隐患通报列表")
def list_hazards(
    request: HttpRequest,
    status: str = "",
    category: str = "",
    q: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered_hazards(access.visible_hazards(a), status=status, category=category, q=q)
    result = paginate(qs, page, page_size)
    return result.as_api(hazard_item)


@hazard_router.post("", response={201: HazardOut}, summary="通报重大隐患（R-CO-02）")
def notify_hazard(request: HttpRequest, payload: HazardIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "department", "township")
    return Status(201, hazard_out(a, hazards.notify_hazard(a, data)))


@hazard_router.get("/{hazard_id}", response=HazardOut, summary="隐患通报详情")
def get_hazard(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    a = actor(request)
    return hazard_out(a, access.access_hazard(a, hazard_id))


def _hdo(request: HttpRequest, hazard_id: int, fn: Any, data: dict[str, Any]) -> dict[str, Any]:
    a = actor(request)
    fn(a, access.access_hazard(a, hazard_id), data)
    return hazard_out(a, access.access_hazard(a, hazard_id))


@hazard_router.post("/{hazard_id}/dispatch", response=HazardOut, summary="登记派员到场（R-CO-02）")
def hazard_dispatch(request: HttpRequest, hazard_id: int, payload: DispatchIn) -> dict[str, Any]:
    return _hdo(request, hazard_id, hazards.dispatch, payload.dict())


@hazard_router.post("/{hazard_id}/refuse", response=HazardOut, summary="拒绝派员（须说明理由，自动报县政府）")
def hazard_refuse(request: HttpRequest, hazard_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _hdo(request, hazard_id, hazards.refuse, payload.dict())


@hazard_router.post("/{hazard_id}/close", response=HazardOut, summary="登记处置完毕")
def hazard_close(request: HttpRequest, hazard_id: int, payload: OutcomeIn) -> dict[str, Any]:
    return _hdo(request, hazard_id, hazards.close, payload.dict())
