"""The audit API: auditor only (403 for everyone else), envelope errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from xiezhi.audit import exports, filters
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.schemas import AuditEventOut, AuditEventPage, AuditQuery, VerificationOut
from xiezhi.audit.selectors import event_for, events_for, require_auditor
from xiezhi.audit.verify import run_verification
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor as request_actor
from xiezhi.core.pagination import paginate

router = Router(tags=["审计"])


def _auditor(request: HttpRequest) -> Actor:
    """The acting auditor. (Core auth already refuses a session whose administrator has not passed
    the second factor: `otp_required`.)"""
    who = request_actor(request)
    require_auditor(who)
    return who


def _query(query: AuditQuery) -> dict[str, Any]:
    return query.dict(exclude_none=True)


@router.get("/events", response=AuditEventPage, summary="审计事件列表（筛选、分页）")
def list_events(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    who = _auditor(request)
    params = _query(query)
    qs = filters.parse(params).apply(events_for(who))
    page = paginate(qs, params.get("page"), params.get("page_size") or 20)
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


@router.get("/events/{event_id}", response=AuditEventOut, summary="单条审计事件（含变更前后）")
def get_event(request: HttpRequest, event_id: int) -> AuditEvent:
    return event_for(_auditor(request), event_id)


@router.get("/export.csv", summary="导出筛选结果为 CSV（UTF-8 BOM；导出本身记入审计）")
def export_csv(request: HttpRequest, query: Query[AuditQuery]) -> StreamingHttpResponse:
    who = _auditor(request)
    lines = exports.start_export(who, filters.parse(_query(query)))
    return csv_response(lines)


@router.get("/verify", response=VerificationOut, summary="校验审计哈希链")
def verify(request: HttpRequest) -> dict[str, Any]:
    return run_verification(_auditor(request)).as_dict()


def csv_response(lines: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = exports.filename()
    response["Content-Disposition"] = (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote('审计日志-' + name)}"
    )
    return response
