"""/api/v1/referrals: criminal referrals (R-CR-01/02), penalty decisions with the 以罚代刑 guard,
police support requests (R-CR-03)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import obligations_of, timeline_of
from xiezhi.coordination.models import PenaltyDecision, PoliceSupportRequest, Referral
from xiezhi.coordination.referrals import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.errors import NotFound
from xiezhi.core.inputs import ids_as_fields
from xiezhi.core.pagination import paginate
from xiezhi.documents.selectors import documents_for
from xiezhi.rulebook.referral_flow import MATERIALS

router = Router(tags=["行刑衔接 referrals"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ReferralIn(Strict):
    unit_id: int | None = None
    police_id: int | None = None
    matter_id: int | None = None
    party: str | None = None
    offence: str | None = None
    facts: str | None = None
    report: str | None = None
    team: list[int] = []


class StepIn(Strict):
    """Fields of every step; each step reads the ones it needs (see the summaries)."""

    note: str = ""
    materials: dict[str, str] = {}
    contact_phone: str = ""
    forwarded_to: str = ""
    case_number: str = ""
    reasons: str = ""
    request: str = ""
    result: str = ""


class PenaltyIn(Strict):
    unit_id: int | None = None
    matter_id: int | None = None
    party: str | None = None
    decision_number: str | None = None
    amount: Decimal | None = None
    decided_on: date | None = None
    crime_suspected: bool = False


class SupportIn(Strict):
    unit_id: int | None = None
    police_id: int | None = None
    kind: str | None = None
    occurred_at: datetime | None = None
    location: str | None = None
    description: str | None = None
    officers_on_scene: str | None = None


class ResponseIn(Strict):
    response: str = ""


class UnitRef(Schema):
    id: int
    name: str


class ReferralItem(Schema):
    id: int
    status: str
    status_label: str
    unit: UnitRef
    police: UnitRef
    party: str
    offence: str
    reported_at: datetime
    closed_at: datetime | None


class ReferralPage(Schema):
    items: list[ReferralItem]
    total: int
    page: int
    page_size: int


class ReferralOut(ReferralItem):
    facts: str
    report: str
    team: list[dict[str, Any]]
    decided_at: datetime | None
    decided_by_name: str
    decision_note: str
    materials: list[dict[str, Any]]
    transferred_at: datetime | None
    received_at: datetime | None
    forwarded_to: str
    police_decided_at: datetime | None
    police_case_number: str
    police_reasons: str
    reconsider_reasons: str
    supervision_request: str
    supervision_result: str
    handover_note: str
    allowed_actions: list[str]
    documents: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class PenaltyOut(Schema):
    id: int
    unit: UnitRef
    party: str
    decision_number: str
    amount: Decimal
    decided_on: date
    crime_suspected: bool
    referral_id: int | None
    alert: bool
    alert_reason: str


class PenaltyPage(Schema):
    items: list[PenaltyOut]
    total: int
    page: int
    page_size: int


class SupportOut(Schema):
    id: int
    status: str
    status_label: str
    unit: UnitRef
    police: UnitRef
    kind: str
    occurred_at: datetime
    location: str
    description: str
    officers_on_scene: str
    requested_at: datetime
    responded_at: datetime | None
    responder_name: str
    response: str


def _u(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def item_out(r: Referral) -> dict[str, Any]:
    return {
        "id": r.pk,
        "status": r.status,
        "status_label": r.status_label,
        "unit": _u(r.unit),
        "police": _u(r.police),
        "party": r.party,
        "offence": r.offence,
        "reported_at": r.reported_at,
        "closed_at": r.closed_at,
    }


def referral_out(a: Actor, r: Referral) -> dict[str, Any]:
    out = item_out(r)
    out.update(
        {
            "facts": r.facts,
            "report": r.report,
            "team": [{"id": p.pk, "name": p.name} for p in r.team.order_by("pk")],
            "decided_at": r.decided_at,
            "decided_by_name": r.decided_by_name,
            "decision_note": r.decision_note,
            "materials": [
                {"key": k, "label": label, "value": r.materials.get(k, "")} for k, label in MATERIALS.items()
            ],
            "transferred_at": r.transferred_at,
            "received_at": r.received_at,
            "forwarded_to": r.forwarded_to,
            "police_decided_at": r.police_decided_at,
            "police_case_number": r.police_case_number,
            "police_reasons": r.police_reasons,
            "reconsider_reasons": r.reconsider_reasons,
            "supervision_request": r.supervision_request,
            "supervision_result": r.supervision_result,
            "handover_note": r.handover_note,
            "allowed_actions": services.allowed_actions(a, r),
            "documents": [
                {
                    "id": d.pk,
                    "doc_type": d.doc_type,
                    "number": d.number,
                    "title": d.title,
                    "pdf": f"/api/v1/documents/{d.pk}/pdf",
                    "docx": f"/api/v1/documents/{d.pk}/docx",
                }
                for d in documents_for(a, r)
            ],
            "obligations": obligations_of(r),
            "timeline": timeline_of(r.events),  # type: ignore[attr-defined]
        }
    )
    return out



@router.get("", response=ReferralPage, summary="移送案件列表（按角色限定范围，R-CR-02）")
def list_referrals(
    request: HttpRequest, status: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    result = paginate(
        selectors.filtered(access.visible_to(a), status=status, q=q).order_by("-id"), page, page_size
    )
    return result.as_api(item_out)


@router.post(
    "", response={201: ReferralOut}, summary="专案组报告涉嫌犯罪案件（≥2名持证执法人员，310号第五条）"
)
def report(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "unit", "police", "matter")
    return Status(201, referral_out(a, services.report_suspicion(a, data)))


@router.get("/penalties", response=PenaltyPage, summary="行政处罚决定（以罚代刑预警）")
def list_penalties(
    request: HttpRequest, alert: bool = False, q: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.penalties(access.penalties_visible_to(a), alert=alert, q=q).order_by("-id")
    result = paginate(qs, page, page_size)
    return result.as_api(penalty_out)


def penalty_out(p: PenaltyDecision) -> dict[str, Any]:
    return {
        "id": p.pk,
        "unit": _u(p.unit),
        "party": p.party,
        "decision_number": p.decision_number,
        "amount": p.amount,
        "decided_on": p.decided_on,
        "crime_suspected": p.crime_suspected,
        "referral_id": p.referral_id,
        "alert": p.alert,
        "alert_reason": p.alert_reason,
    }


@router.post(
    "/penalties",
    response={201: PenaltyOut},
    summary="登记行政处罚决定（移送未结或未移送时向司法局、检察院预警）",
)
def record_penalty(request: HttpRequest, payload: PenaltyIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "unit", "matter")
    return Status(201, penalty_out(services.record_penalty_decision(a, data)))


def support_out(s: PoliceSupportRequest) -> dict[str, Any]:
    return {
        "id": s.pk,
        "status": s.status,
        "status_label": s.status_label,
        "unit": _u(s.unit),
        "police": _u(s.police),
        "kind": s.kind,
        "occurred_at": s.occurred_at,
        "location": s.location,
        "description": s.description,
        "officers_on_scene": s.officers_on_scene,
        "requested_at": s.requested_at,
        "responded_at": s.responded_at,
        "responder_name": s.responder_name,
        "response": s.response,
    }


@router.get("/support", response=list[SupportOut], summary="公安协助请求（R-CR-03）")
def list_supports(request: HttpRequest, page: int = 1, page_size: int = 20) -> list[dict[str, Any]]:
    a = actor(request)
    access.require_business(a)
    result = paginate(
        access.supports_visible_to(a).select_related("unit", "police").order_by("-id"), page, page_size
    )
    return [support_out(s) for s in result.items]


@router.post(
    "/support", response={201: SupportOut}, summary="暴力、威胁阻碍执法：请求公安机关即时出警（R-CR-03）"
)
def request_support(request: HttpRequest, payload: SupportIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "unit", "police")
    return Status(201, support_out(services.request_support(a, data)))


@router.get("/support/{support_id}", response=SupportOut, summary="协助请求详情")
def get_support(request: HttpRequest, support_id: int) -> dict[str, Any]:
    return support_out(access.access_support(actor(request), support_id))


@router.post("/support/{support_id}/response", response=SupportOut, summary="公安机关记录出警处置")
def respond_support(request: HttpRequest, support_id: int, payload: ResponseIn) -> dict[str, Any]:
    a = actor(request)
    s = access.access_support(a, support_id)
    return support_out(services.respond_support(a, s, payload.dict()))


@router.get("/{referral_id}", response=ReferralOut, summary="移送案件详情（时间线、材料清单、时限）")
def get_referral(request: HttpRequest, referral_id: int) -> dict[str, Any]:
    a = actor(request)
    return referral_out(a, access.access_referral(a, referral_id))


@router.post(
    "/{referral_id}/{action}",
    response=ReferralOut,
    summary="办理一个环节：approve|reject (note) · transfer (materials) · receive · forward (forwarded_to, note) · "
    "file (case_number) · decline (reasons) · accept_decline · reconsider (reasons) · reconsider_file · "
    "reconsider_uphold · supervise (request) · supervision_file|supervision_close (result) · hand_over (note)",
)
def step(request: HttpRequest, referral_id: int, action: str, payload: StepIn) -> dict[str, Any]:
    a = actor(request)
    r = access.access_referral(a, referral_id)
    fn = services.ACTIONS.get(action)
    if fn is None:
        raise NotFound("没有这项操作")
    return referral_out(a, fn(a, r, payload.dict()))
