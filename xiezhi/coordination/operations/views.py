"""Joint-operation pages: list (filters, CSV), plan form (from a meeting or a report), detail with
officers, findings, results, clocks and timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.coordination.common.views import listing
from xiezhi.coordination.meetings.access import access_meeting
from xiezhi.coordination.models import JointOperation
from xiezhi.coordination.operations import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.web import date_param, int_param, page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.intake.access import access_report
from xiezhi.rulebook.linkage_flow import OPERATION
from xiezhi.units.models import Person, Unit
from xiezhi.units.selectors import with_officer_flag

EXPORT_MAX = 10000
page_view = page_view_with(back_url="operations:list", back_label="返回联合执法")


@page_view
def operation_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    date_from, err_from = date_param(request.GET, "date_from")
    date_to, err_to = date_param(request.GET, "date_to")
    if err_from or err_to:
        raise ValidationFailed.field("date_from" if err_from else "date_to", err_from or err_to)
    qs = selectors.filtered(
        access.visible_to(actor),
        status=request.GET.get("status", "").strip(),
        unit=int_param(request.GET, "unit"),
        meeting=int_param(request.GET, "meeting"),
        date_from=date_from,
        date_to=date_to,
        q=request.GET.get("q", ""),
    )
    qs = selectors.for_list(qs).order_by("-id")
    if request.GET.get("format") == "csv":
        return _export(actor, qs)
    page, query = listing(request, qs)
    return render(
        request,
        "coordination/operations/list.html",
        {
            "page": page,
            "params": request.GET,
            "query": query,
            "statuses": OPERATION.states.items(),
            "can_plan": access.can_plan(actor),
        },
    )


def _export(actor: Actor, qs: Any) -> HttpResponse:
    header = [
        "编号",
        "行动名称",
        "牵头单位",
        "开始时间",
        "结束时间",
        "地点",
        "执法人员数",
        "检查发现数",
        "立案情况",
        "状态",
    ]
    rows = [
        [
            o.pk,
            o.title,
            o.lead.name,
            timezone.localtime(o.starts_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(o.ends_at).strftime("%Y-%m-%d %H:%M"),
            o.place,
            o.enforcer_count,
            o.finding_count,
            o.case_refs,
            o.status_label,
        ]
        for o in qs[:EXPORT_MAX]
    ]
    record(actor, "operation.exported", None, after={"rows": len(rows), "format": "csv"})
    return csv_response("联合执法.csv", header, rows, ascii_name="operations.csv")


def _plan_values(post: QueryDict) -> dict[str, Any]:
    names = ("title", "plan", "place", "starts_at", "ends_at", "clue", "clue_report", "meeting")
    values: dict[str, Any] = {n: post.get(n, "") for n in names if post.get(n, "") != ""}
    for name in ("participants", "enforcers", "auxiliaries"):
        values[name] = post.getlist(name)
    return values


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_plan(actor)
    assert actor.unit is not None
    errors: dict[str, list[str]] = {}
    status = 200
    values: dict[str, Any] = {"participants": [], "enforcers": [], "auxiliaries": []}
    meeting = None
    if request.method == "POST":
        values = _plan_values(request.POST)
        try:
            op = services.plan(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "联合执法已部署，参与单位已收到通知")
            return redirect("operations:detail", op.pk)
    else:
        meeting_id = int_param(request.GET, "meeting")
        report_id = int_param(request.GET, "report")
        if meeting_id is not None:
            meeting = access_meeting(actor, meeting_id)
            units = {meeting.convener_id, *meeting.invited_units.values_list("pk", flat=True)} - {
                actor.unit_id
            }
            values.update(
                meeting=str(meeting.pk),
                title=f"{meeting.title}联合执法行动"[:100],
                clue=meeting.clue,
                participants=[str(pk) for pk in units],
            )
        if report_id is not None:
            r = access_report(actor, report_id)
            values.update(clue=r.text, clue_report=str(r.pk))
    if values.get("meeting"):
        try:
            meeting = access_meeting(actor, values["meeting"])
        except XiezhiError:
            meeting = None
    county = actor.unit.county_id
    people = (
        with_officer_flag(
            Person.objects.filter(
                unit__county_id=county, active=True, unit__kind__in=("township", "department")
            )
        )
        .select_related("unit")
        # The lead unit's own people first: most enforcers of an operation are its own officers.
        .annotate(own=Case(When(unit_id=actor.unit.pk, then=Value(0)), default=Value(1)))
        .order_by("own", "unit__kind", "unit__code", "pk")
    )
    return render(
        request,
        "coordination/operations/form.html",
        {
            "values": values,
            "errors": errors,
            "meeting": meeting,
            "units": Unit.objects.filter(county_id=county, active=True)
            .exclude(pk=actor.unit.pk)
            .order_by("kind", "code"),
            "people": people,
        },
        status=status,
    )


def _detail(request: HttpRequest, op: JointOperation, error: XiezhiError | None = None) -> HttpResponse:
    actor = request_actor(request)
    ct = ContentType.objects.get_for_model(JointOperation)
    officers = list(op.officers.select_related("person", "unit", "certificate").order_by("-role", "pk"))  # type: ignore[attr-defined]
    return render(
        request,
        "coordination/operations/detail.html",
        {
            "op": op,
            "allowed": services.allowed_actions(actor, op),
            "participants": op.participants.order_by("kind", "code"),
            "officers": officers,
            "enforcers": [o for o in officers if o.role == "enforcer"],
            "findings": op.findings.prefetch_related("enforcers"),  # type: ignore[attr-defined]
            "reports": op.reports.all(),
            "transfers": op.transfers.all(),
            "events": op.events.order_by("at", "id"),  # type: ignore[attr-defined]
            "obligations": list(
                for_subject(ct.pk, str(op.pk)).select_related("unit").order_by("opened_at", "pk")
            ),
            "error": error,
        },
        status=error.status if error else 200,
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_operation(request_actor(request), pk))


def _listed(post: QueryDict, *names: str) -> dict[str, Any]:
    data: dict[str, Any] = post.dict()
    for name in names:
        data[name] = post.getlist(name)
    return data


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = request_actor(request)
    op = access.access_operation(actor, pk)
    post = request.POST
    if action not in ("finding", "finish", "cancel"):
        raise NotFound("没有这项操作")
    try:
        if action == "finding":
            services.add_finding(actor, op, _listed(post, "enforcers"))
            messages.success(request, "检查发现已登记")
        elif action == "finish":
            services.finish(actor, op, _listed(post, "reports", "transfers"))
            messages.success(request, "行动结果已登记")
        else:
            services.cancel(actor, op, post.dict())
            messages.success(request, "行动已取消")
    except XiezhiError as exc:
        return _detail(request, access.access_operation(actor, pk), exc)
    return redirect("operations:detail", pk)
