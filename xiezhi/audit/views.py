"""Auditor screens: the filtered list, one event, CSV export, chain verification."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from xiezhi.audit import exports, filters
from xiezhi.audit.api import csv_response
from xiezhi.audit.selectors import event_for, events_for, require_auditor
from xiezhi.audit.verify import run_verification
from xiezhi.core.errors import ValidationFailed, XiezhiError
from xiezhi.core.pagination import paginate
from xiezhi.core.web import request_actor
from xiezhi.units.models import Unit

View = Callable[..., HttpResponseBase]


_actor = request_actor


def auditor_page(view: View) -> View:
    """Sign-in required; a non-auditor gets a 403 page and nothing happens."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            require_auditor(_actor(request))
            return view(request, *args, **kwargs)
        except XiezhiError as exc:
            return render(request, "audit/error.html", {"message": exc.message}, status=exc.status)

    return wrapper


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET[k] for k in filters.PARAMS if request.GET.get(k, "").strip()}


@require_GET
@auditor_page
def event_list(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    errors: dict[str, list[str]] = {}
    status = 200
    try:
        qs = filters.parse(params).apply(events_for(_actor(request)))
        page = paginate(qs, request.GET.get("page"), request.GET.get("page_size") or 20)
    except ValidationFailed as exc:
        errors, status, page = exc.details, 422, None
    context = {
        "page": page,
        "params": params,
        "errors": errors,
        # Pager links keep the filters and the page size.
        "query": urlencode(
            {**params, **({"page_size": request.GET["page_size"]} if request.GET.get("page_size") else {})}
        ),
        "units": Unit.objects.order_by("county_id", "name").values_list("pk", "name"),
        "unit_selected": params.get("unit", ""),
    }
    return render(request, "audit/list.html", context, status=status)


@require_GET
@auditor_page
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = event_for(_actor(request), event_id)
    context = {
        "event": event,
        "link": event.chain_link,
        "before": json.dumps(event.before, ensure_ascii=False, indent=2, sort_keys=True)
        if event.before
        else "",
        "after": json.dumps(event.after, ensure_ascii=False, indent=2, sort_keys=True) if event.after else "",
    }
    return render(request, "audit/detail.html", context)


@require_GET
@auditor_page
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    return csv_response(exports.start_export(_actor(request), filters.parse(_params(request))))


@require_http_methods(["GET", "POST"])
@auditor_page
def verify(request: HttpRequest) -> HttpResponse:
    result = run_verification(_actor(request)) if request.method == "POST" else None
    return render(request, "audit/verify.html", {"result": result})
