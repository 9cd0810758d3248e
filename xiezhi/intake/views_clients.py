"""Pages for the system administrator: the 12345 hotline clients (list, create, rotate the secret,
deactivate, callback URL, callback log). A new or rotated secret is shown once, never cached."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.accounts.webutils import no_store
from xiezhi.audit.services import record
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.exports import csv_response
from xiezhi.core.pagination import paginate
from xiezhi.core.web import page_view, request_actor
from xiezhi.intake import clients
from xiezhi.intake.models import CallbackStatus, HotlineClient
from xiezhi.units.models import County

FORM_KEYS = ("name", "key_id", "county", "receiving_unit", "callback_url")


def _filters(request: HttpRequest) -> clients.ClientFilters:
    return clients.ClientFilters(
        q=request.GET.get("q", "").strip()[:100], status=request.GET.get("status", "").strip()
    )


@page_view
def client_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = _filters(request)
    page = paginate(
        clients.search(actor, filters), request.GET.get("page"), request.GET.get("page_size") or 20
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "statuses": clients.STATUSES.items(),
        "query": query.urlencode(),
    }
    return render(request, "intake/clients/list.html", context)


@page_view
def client_export(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = _filters(request)
    rows = list(clients.search(actor, filters)[:10000])
    with transaction.atomic():
        record(
            actor,
            "hotline_client.export",
            ("intake.hotlineclient", "", "12345热线客户端列表"),
            reason=f"导出{len(rows)}条",
        )
    header = ["客户端编号", "名称", "所属县", "接收单位", "状态回调地址", "状态", "创建时间"]
    lines = [
        [
            c.key_id,
            c.name,
            c.county.name,
            c.receiving_unit.name if c.receiving_unit else "",
            c.callback_url,
            "启用" if c.active else "已停用",
            c.created_at.isoformat(),
        ]
        for c in rows
    ]
    return csv_response("hotline-clients.csv", header, lines)


def _secret_page(request: HttpRequest, client: HotlineClient, secret: str, created: bool) -> HttpResponse:
    context = {"client": client, "secret": secret, "created": created}
    return no_store(render(request, "intake/clients/secret.html", context, status=201 if created else 200))


@page_view
def client_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    clients.require_manage(actor)
    counties = list(County.objects.order_by("code"))
    form: dict[str, str] = {k: "" for k in FORM_KEYS}
    if len(counties) == 1:
        form["county"] = str(counties[0].pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in FORM_KEYS}
        try:
            client, secret = clients.create(
                actor,
                name=form["name"],
                key_id=form["key_id"],
                county_id=int(form["county"]) if form["county"].isdigit() else None,
                receiving_unit_id=int(form["receiving_unit"]) if form["receiving_unit"].isdigit() else None,
                callback_url=form["callback_url"],
            )
        except ValidationFailed as exc:
            errors = exc.details or {"__all__": [exc.message]}
        else:
            return _secret_page(request, client, secret, created=True)
    context = {
        "form": form,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "counties": counties,
        "units": clients.receiving_units().select_related("county"),
    }
    return render(request, "intake/clients/new.html", context, status=422 if errors else 200)


def _detail(
    request: HttpRequest, pk: int, errors: dict[str, list[str]] | None = None, callback_url: str | None = None
) -> HttpResponse:
    actor = request_actor(request)
    client = clients.get(actor, pk)
    status = request.GET.get("status", "").strip()
    page = paginate(
        clients.deliveries(actor, client, status), request.GET.get("page"), request.GET.get("page_size") or 20
    )
    context: dict[str, Any] = {
        "client": client,
        "page": page,
        "status": status,
        "statuses": CallbackStatus.choices,
        "errors": errors or {},
        "callback_url": client.callback_url if callback_url is None else callback_url,
    }
    return render(request, "intake/clients/detail.html", context, status=422 if errors else 200)


@page_view
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@page_view
@require_POST
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    client, secret = clients.rotate_secret(request_actor(request), pk)
    return _secret_page(request, client, secret, created=False)


@page_view
@require_POST
def client_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    client = clients.deactivate(request_actor(request), pk, request.POST.get("reason", ""))
    messages.success(request, f"客户端“{client.name}”已停用，其签名请求将被拒绝")
    return redirect("intake:client_detail", pk=client.pk)


@page_view
@require_POST
def client_callback_url(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("callback_url", "")
    try:
        client = clients.set_callback_url(request_actor(request), pk, raw)
    except ValidationFailed as exc:
        return _detail(request, pk, errors=exc.details or {"callback_url": [exc.message]}, callback_url=raw)
    messages.success(
        request, "状态回调地址已保存" if client.callback_url else "已清除状态回调地址（不再发送回调）"
    )
    return redirect("intake:client_detail", pk=client.pk)
