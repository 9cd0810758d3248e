"""/api/v1/intake/: reports (list, create, detail, actions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router

from xiezhi.core.api import actor
from xiezhi.core.errors import NotFound
from xiezhi.core.pagination import paginate
from xiezhi.intake import access, hotline, selectors, services
from xiezhi.intake.models import Report
from xiezhi.intake.schemas import ActionIn, ReportDetailOut, ReportIn, ReportOut, ReportPage

router = Router(tags=["投诉举报"])


def out(r: Report) -> dict[str, Any]:
    masked = services.reporter_masked(r)
    return {
        "id": r.pk,
        "channel": r.channel,
        "text": r.text,
        "township": r.township.name,
        "address": r.address,
        "status": r.status,
        "first_unit": r.first_unit.name,
        "current_unit": r.current_unit.name,
        "matter_code": r.matter_code,
        "matter_name": r.matter_name,
        "dispatch_count": r.dispatch_count,
        "reporter_name": masked["name"],
        "reporter_phone": masked["phone"],
        "reply": r.reply,
        "tracking_code": r.tracking_code,
        "created_at": r.created_at,
    }


@router.get("/reports", response=ReportPage)
def list_reports(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    channel: str = "",
    township: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    qs = selectors.search(a, {"q": q, "status": status, "channel": channel, "township": township})
    p = paginate(qs, page, page_size)
    return {"items": [out(r) for r in p.items], "total": p.total, "page": p.page, "page_size": p.page_size}


@router.post("/reports", response={201: ReportOut})
def create(request: HttpRequest, payload: ReportIn) -> tuple[int, dict[str, Any]]:
    a = actor(request)
    report = services.create_report(a, payload.model_dump())
    return 201, out(access.access_report(a, report.pk))


@router.get("/reports/{pk}", response=ReportDetailOut)
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    report = access.access_report(actor(request), pk)
    events = [
        {"at": e.at, "label": e.label, "note": e.note, "unit_name": e.unit_name, "actor_name": e.actor_name}
        for e in report.events.all()
    ]
    return {**out(report), "events": events}


ACTIONS = {
    "accept": lambda a, r, p: services.accept(a, r),
    "no-violation": lambda a, r, p: services.reply_no_violation(a, r, p.note),
    "take-on": lambda a, r, p: services.take_on(a, r, p.note, p.matter_code),
    "hand-on": lambda a, r, p: services.hand_on(a, r, p.target, p.note, p.party),
    "reply": lambda a, r, p: services.reply(a, r, p.note),
    "close": lambda a, r, p: services.close(a, r),
    "dispatch": lambda a, r, p: services.dispatch(a, r, p.matter_code, p.matter_name, source="API"),
    "merge": lambda a, r, p: services.merge(a, r, p.target),
}


@router.post("/reports/{pk}/{action}", response=ReportOut)
def act(request: HttpRequest, pk: int, action: str, payload: ActionIn) -> dict[str, Any]:
    a = actor(request)
    report = access.access_report(a, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFound("未知的操作")
    handler(a, report, payload)
    report = Report.objects.select_related("township", "first_unit", "current_unit").get(pk=pk)
    return out(report)


@router.post("/work-orders", auth=None, include_in_schema=True)
def work_order(request: HttpRequest) -> JsonResponse:
    """12345 work orders: HMAC-signed (see hotline.py), Idempotency-Key required."""
    client = hotline.verify(request.headers, request.body)
    status, answer = hotline.receive(client, request.headers.get("Idempotency-Key", ""), request.body)
    return JsonResponse(answer, status=status)
