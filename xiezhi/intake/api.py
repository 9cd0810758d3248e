"""/api/v1/intake/: reports (list, create, detail, actions), 12345 work orders, hotline clients."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Router, Status

from xiezhi.core.api import actor
from xiezhi.core.errors import NotFound
from xiezhi.core.pagination import paginate
from xiezhi.intake import access, clients, hotline, selectors, services
from xiezhi.intake.models import CallbackDelivery, HotlineClient, Report
from xiezhi.intake.schemas import (
    ActionIn,
    CallbackDeliveryPage,
    CallbackUrlIn,
    DeactivateIn,
    HotlineClientIn,
    HotlineClientOut,
    HotlineClientPage,
    ReportDetailOut,
    ReportIn,
    ReportOut,
    ReportPage,
)

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
def create(request: HttpRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    a = actor(request)
    report = services.create_report(a, payload.model_dump())
    return Status(201, out(access.access_report(a, report.pk)))


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


# --- hotline clients (system administrator only; see clients.py) ---------------------------


def client_out(c: HotlineClient) -> dict[str, Any]:
    return {
        "id": c.pk,
        "key_id": c.key_id,
        "name": c.name,
        "county": c.county.name,
        "receiving_unit": c.receiving_unit.name if c.receiving_unit else "",
        "callback_url": c.callback_url,
        "active": c.active,
        "created_at": c.created_at,
    }


def _with_secret(client: HotlineClient, secret: str, status: int) -> JsonResponse:
    """The one answer that carries the secret: never stored by a cache."""
    body = {**client_out(client), "created_at": client.created_at.isoformat(), "secret": secret}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store, max-age=0"
    return response


@router.get("/hotline-clients", response=HotlineClientPage)
def list_clients(
    request: HttpRequest, q: str = "", status: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    qs = clients.search(actor(request), clients.ClientFilters(q=q.strip()[:100], status=status.strip()))
    p = paginate(qs, page, page_size)
    return {
        "items": [client_out(c) for c in p.items],
        "total": p.total,
        "page": p.page,
        "page_size": p.page_size,
    }


@router.post("/hotline-clients")
def create_client(request: HttpRequest, payload: HotlineClientIn) -> JsonResponse:
    client, secret = clients.create(
        actor(request),
        name=payload.name,
        key_id=payload.key_id,
        county_id=payload.county,
        receiving_unit_id=payload.receiving_unit,
        callback_url=payload.callback_url,
    )
    return _with_secret(client, secret, 201)


@router.get("/hotline-clients/{pk}", response=HotlineClientOut)
def client_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return client_out(clients.get(actor(request), pk))


@router.post("/hotline-clients/{pk}/rotate-secret")
def rotate_client_secret(request: HttpRequest, pk: int) -> JsonResponse:
    client, secret = clients.rotate_secret(actor(request), pk)
    return _with_secret(client, secret, 200)


@router.post("/hotline-clients/{pk}/deactivate", response=HotlineClientOut)
def deactivate_client(request: HttpRequest, pk: int, payload: DeactivateIn) -> dict[str, Any]:
    return client_out(clients.deactivate(actor(request), pk, payload.reason))


@router.post("/hotline-clients/{pk}/callback-url", response=HotlineClientOut)
def set_client_callback_url(request: HttpRequest, pk: int, payload: CallbackUrlIn) -> dict[str, Any]:
    return client_out(clients.set_callback_url(actor(request), pk, payload.callback_url))


def delivery_out(d: CallbackDelivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "order_no": d.report.external_id,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "sent_at": d.sent_at,
        "last_error": d.last_error,
        "created_at": d.created_at,
    }


@router.get("/hotline-clients/{pk}/callbacks", response=CallbackDeliveryPage)
def client_callbacks(
    request: HttpRequest, pk: int, status: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    p = paginate(clients.deliveries(a, clients.get(a, pk), status.strip()), page, page_size)
    return {
        "items": [delivery_out(d) for d in p.items],
        "total": p.total,
        "page": p.page,
        "page_size": p.page_size,
    }
