"""/api/v1/operations: plan (certified enforcers, R-CASE-01), findings, results, cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import timeline_of
from xiezhi.coordination.models import JointOperation
from xiezhi.coordination.operations import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.pagination import paginate
from xiezhi.deadlines.selectors import for_subject

router = Router(tags=["联合执法 operations"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PlanIn(Strict):
    title: str | None = None
    plan: str | None = None
    place: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    clue: str | None = None
    clue_report_id: int | None = None
    meeting_id: int | None = None
    participant_ids: list[int] = []
    enforcer_ids: list[int] = []
    auxiliary_ids: list[int] = []


class FindingIn(Strict):
    facts: str = ""
    party: str = ""
    location: str = ""
    enforcer_ids: list[int] = []


class ResultsIn(Strict):
    summary: str = ""
    case_refs: str = ""
    report_ids: list[int] = []
    transfer_ids: list[int] = []


class ReasonIn(Strict):
    reason: str = ""


class UnitRef(Schema):
    id: int
    name: str


class OperationItem(Schema):
    id: int
    title: str
    status: str
    status_label: str
    lead: UnitRef
    place: str
    starts_at: datetime
    ends_at: datetime
    meeting_id: int | None


class OperationPage(Schema):
    items: list[OperationItem]
    total: int
    page: int
    page_size: int


class OperationOut(OperationItem):
    plan: str
    clue: str
    clue_report_id: int | None
    participants: list[UnitRef]
    officers: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    summary: str
    case_refs: str
    report_ids: list[int]
    transfer_ids: list[int]
    allowed_actions: list[str]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


def _u(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def item_out(op: JointOperation) -> dict[str, Any]:
    return {
        "id": op.pk,
        "title": op.title,
        "status": op.status,
        "status_label": op.status_label,
        "lead": _u(op.lead),
        "place": op.place,
        "starts_at": op.starts_at,
        "ends_at": op.ends_at,
        "meeting_id": op.meeting_id,
    }


def operation_out(a: Actor, op: JointOperation) -> dict[str, Any]:
    ct = ContentType.objects.get_for_model(JointOperation)
    out = item_out(op)
    out.update(
        {
            "plan": op.plan,
            "clue": op.clue,
            "clue_report_id": op.clue_report_id,
            "participants": [_u(u) for u in op.participants.order_by("pk")],
            "officers": [
                {
                    "person_id": o.person_id,
                    "name": o.person.name,
                    "unit": o.unit.name,
                    "role": o.role,
                    "role_label": o.get_role_display(),
                    "certificate": o.certificate.number if o.certificate else None,
                }
                for o in op.officers.select_related("person", "unit", "certificate").order_by("-role", "pk")  # type: ignore[attr-defined]
            ],
            "findings": [
                {
                    "id": f.pk,
                    "facts": f.facts,
                    "party": f.party,
                    "location": f.location,
                    "enforcers": [p.name for p in f.enforcers.all()],
                    "recorded_at": f.recorded_at.isoformat(),
                }
                for f in op.findings.prefetch_related("enforcers")  # type: ignore[attr-defined]
            ],
            "summary": op.summary,
            "case_refs": op.case_refs,
            "report_ids": list(op.reports.values_list("pk", flat=True)),
            "transfer_ids": list(op.transfers.values_list("pk", flat=True)),
            "allowed_actions": services.allowed_actions(a, op),
            "obligations": [
                {
                    "id": ob.pk,
                    "rule_id": ob.rule_id,
                    "unit": ob.unit.name,
                    "due_at": ob.due_at.isoformat(),
                    "status": ob.status,
                }
                for ob in for_subject(ct.pk, str(op.pk)).select_related("unit").order_by("opened_at", "pk")
            ],
            "timeline": timeline_of(op.events, document=False),  # type: ignore[attr-defined]
        }
    )
    return out


@router.get("", response=OperationPage, summary="联合执法列表")
def list_operations(
    request: HttpRequest,
    status: str = "",
    unit: int | None = None,
    meeting: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered(
        access.visible_to(a),
        status=status,
        unit=unit,
        meeting=meeting,
        date_from=date_from,
        date_to=date_to,
        q=q,
    )
    result = paginate(selectors.for_list(qs).order_by("-id"), page, page_size)
    return result.as_api(item_out)


@router.post(
    "", response={201: OperationOut}, summary="部署联合执法（至少两名持有效执法证的执法人员，R-CASE-01）"
)
def plan(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = payload.dict(exclude_unset=True)
    for api_name, name in (
        ("participant_ids", "participants"),
        ("enforcer_ids", "enforcers"),
        ("auxiliary_ids", "auxiliaries"),
        ("clue_report_id", "clue_report"),
        ("meeting_id", "meeting"),
    ):
        if api_name in data:
            data[name] = data.pop(api_name)
    return Status(201, operation_out(a, services.plan(a, data)))


@router.get("/{operation_id}", response=OperationOut, summary="联合执法详情")
def get_operation(request: HttpRequest, operation_id: int) -> dict[str, Any]:
    a = actor(request)
    return operation_out(a, access.access_operation(a, operation_id))


@router.post(
    "/{operation_id}/findings",
    response={201: OperationOut},
    summary="登记检查发现（执法人员至少两名，R-CASE-01）",
)
def add_finding(request: HttpRequest, operation_id: int, payload: FindingIn) -> Status[dict[str, Any]]:
    a = actor(request)
    op = access.access_operation(a, operation_id)
    data = payload.dict()
    data["enforcers"] = data.pop("enforcer_ids")
    services.add_finding(a, op, data)
    return Status(201, operation_out(a, op))


@router.post(
    "/{operation_id}/results",
    response=OperationOut,
    summary="登记行动结果（关联群众反映、案件移送、立案情况）",
)
def results(request: HttpRequest, operation_id: int, payload: ResultsIn) -> dict[str, Any]:
    a = actor(request)
    op = access.access_operation(a, operation_id)
    data = payload.dict()
    data["reports"], data["transfers"] = data.pop("report_ids"), data.pop("transfer_ids")
    return operation_out(a, services.finish(a, op, data))


@router.post("/{operation_id}/cancel", response=OperationOut, summary="取消行动")
def cancel(request: HttpRequest, operation_id: int, payload: ReasonIn) -> dict[str, Any]:
    a = actor(request)
    op = access.access_operation(a, operation_id)
    return operation_out(a, services.cancel(a, op, payload.dict()))
