"""Consultation pages: list (filters, CSV), schedules, convene, detail with minutes, items, timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.coordination.common.views import listing
from xiezhi.coordination.meetings import access, selectors, services
from xiezhi.coordination.meetings.api import obligations_of
from xiezhi.coordination.models import Meeting
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.web import int_param, page_view_with, request_actor
from xiezhi.documents.selectors import documents_for
from xiezhi.intake.access import access_report
from xiezhi.rulebook.linkage_flow import CADENCES, MEETING, MEETING_KINDS
from xiezhi.units.models import Person, Unit

EXPORT_MAX = 10000
DECISION_ROWS = 5
page_view = page_view_with(back_url="meetings:list", back_label="返回会商会议")


def _county_units(actor: Actor) -> list[Unit]:
    assert actor.unit is not None
    return list(Unit.objects.filter(county_id=actor.unit.county_id, active=True).order_by("kind", "code"))


@page_view
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    qs = selectors.filtered(
        access.visible_to(actor),
        status=request.GET.get("status", "").strip(),
        kind=request.GET.get("kind", "").strip(),
        unit=int_param(request.GET, "unit"),
        series=int_param(request.GET, "series"),
        q=request.GET.get("q", ""),
    )
    qs = selectors.for_list(qs).order_by("-id")
    if request.GET.get("format") == "csv":
        return _export(actor, qs)
    page, query = listing(request, qs)
    return render(
        request,
        "coordination/meetings/list.html",
        {
            "page": page,
            "params": request.GET,
            "query": query,
            "statuses": MEETING.states.items(),
            "kinds": MEETING_KINDS.items(),
            "can_convene": access.can_convene(actor),
            "series": access.series_visible_to(actor).select_related("convener"),
            "my_items": selectors.my_open_items(actor)[:50],
            "today": timezone.localdate(),
        },
    )


def _export(actor: Actor, qs: Any) -> HttpResponse:
    header = [
        "编号",
        "会议名称",
        "类型",
        "召集单位",
        "会议时间",
        "地点",
        "纪要文号",
        "议定事项",
        "未落实",
        "状态",
    ]
    rows = [
        [
            m.pk,
            m.title,
            m.get_kind_display(),
            m.convener.name,
            timezone.localtime(m.scheduled_at).strftime("%Y-%m-%d %H:%M"),
            m.place,
            m.minutes.number if m.minutes else "",
            m.all_items,
            m.open_items,
            m.status_label,
        ]
        for m in qs[:EXPORT_MAX]
    ]
    record(actor, "meeting.exported", None, after={"rows": len(rows), "format": "csv"})
    return csv_response("会商会议.csv", header, rows, ascii_name="meetings.csv")


def _convene_values(post: QueryDict) -> dict[str, Any]:
    names = ("kind", "title", "agenda", "scheduled_at", "place", "chair", "clue", "clue_report", "series")
    values: dict[str, Any] = {n: post.get(n, "") for n in names if post.get(n, "") != ""}
    values["invited_units"] = post.getlist("invited_units")
    values["invited_people"] = post.getlist("invited_people")
    return values


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_convene(actor)
    assert actor.unit is not None
    errors: dict[str, list[str]] = {}
    status = 200
    values: dict[str, Any] = {"invited_units": [], "invited_people": []}
    if request.method == "POST":
        values = _convene_values(request.POST)
        try:
            m = services.convene(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "会议通知已发出，参会单位已收到通知")
            return redirect("meetings:detail", m.pk)
    else:
        series_id = int_param(request.GET, "series")
        report_id = int_param(request.GET, "report")
        if series_id is not None:
            s = access.series_visible_to(actor).filter(pk=series_id).first()
            if s is not None:
                values.update(
                    series=str(s.pk),
                    kind="joint",
                    title=s.title,
                    invited_units=[str(pk) for pk in s.invited_units.values_list("pk", flat=True)],
                )
        if report_id is not None:
            r = access_report(actor, report_id)
            values.update(
                kind="clue", clue=r.text, clue_report=str(r.pk), title=f"关于群众反映{r.pk}的线索会商"
            )
    units = [u for u in _county_units(actor) if u.pk != actor.unit_id]
    people = (
        Person.objects.filter(unit__county_id=actor.unit.county_id, active=True)
        .select_related("unit")
        .order_by("unit__kind", "unit__code", "pk")
    )
    return render(
        request,
        "coordination/meetings/form.html",
        {
            "values": values,
            "errors": errors,
            "kinds": MEETING_KINDS.items(),
            "units": units,
            "people": people,
            "series": access.series_visible_to(actor).filter(convener_id=actor.unit_id),
        },
        status=status,
    )


@page_view
def new_series(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_convene(actor)
    errors: dict[str, list[str]] = {}
    status = 200
    values: dict[str, Any] = {"invited_units": [], "every_months": "3"}
    if request.method == "POST":
        values = {
            n: request.POST.get(n, "")
            for n in ("title", "every_months", "next_date")
            if request.POST.get(n, "") != ""
        }
        values["invited_units"] = request.POST.getlist("invited_units")
        try:
            services.create_series(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "定期联席会议已建立，召开时限已纳入督办")
            return redirect("meetings:list")
    return render(
        request,
        "coordination/meetings/series_form.html",
        {
            "values": values,
            "errors": errors,
            "cadences": sorted(CADENCES.items()),
            "units": [u for u in _county_units(actor) if u.pk != actor.unit_id],
        },
        status=status,
    )


def _detail(
    request: HttpRequest, m: Meeting, error: XiezhiError | None = None, form: dict[str, Any] | None = None
) -> HttpResponse:
    actor = request_actor(request)
    items = list(m.items.select_related("responsible"))  # type: ignore[attr-defined]
    return render(
        request,
        "coordination/meetings/detail.html",
        {
            "m": m,
            "allowed": services.allowed_actions(actor, m),
            "items": [(i, i.status == "open" and access.can_finish(actor, i)) for i in items],
            "invited_units": m.invited_units.order_by("kind", "code"),
            "invited_people": m.invited_people.select_related("unit"),
            "operations": m.operations.select_related("lead"),  # type: ignore[attr-defined]
            "events": m.events.select_related("document").order_by("at", "id"),  # type: ignore[attr-defined]
            "documents": documents_for(actor, m),
            "obligations": obligations_of(m),
            "units": _county_units(actor) if "minute" in services.allowed_actions(actor, m) else [],
            "rows": [
                {k: (form or {}).get(f"{k}_{n}", "") for k in ("decision", "responsible", "due_date")}
                | {"n": n}
                for n in range(1, DECISION_ROWS + 1)
            ],
            "form": form or {},
            "error": error,
        },
        status=error.status if error else 200,
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_meeting(request_actor(request), pk))


def _decisions(post: QueryDict) -> list[dict[str, str]]:
    """The filled rows of the minutes form (a row with nothing in it is not a decision)."""
    out = []
    for i in range(1, DECISION_ROWS + 1):
        row = {k: post.get(f"{k}_{i}", "").strip() for k in ("decision", "responsible", "due_date")}
        if any(row.values()):
            out.append(row)
    return out


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = request_actor(request)
    m = access.access_meeting(actor, pk)
    post = request.POST
    try:
        if action == "minute":
            data: dict[str, Any] = {
                k: post.get(k, "") for k in ("held_at", "chair", "attendees", "discussion")
            }
            data["decisions"] = _decisions(post)
            services.issue_minutes(actor, m, data)
            messages.success(request, "会商纪要已印发，议定事项已转为督办事项并通知责任单位")
        elif action == "cancel":
            services.cancel(actor, m, post.dict())
            messages.success(request, "会议已取消")
        else:
            raise NotFound("没有这项操作")
    except NotFound:
        raise
    except XiezhiError as exc:
        return _detail(request, access.access_meeting(actor, pk), exc, form=post.dict())
    return redirect("meetings:detail", pk)


@page_view
@require_POST
def item_done(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    actor = request_actor(request)
    m = access.access_meeting(actor, pk)
    try:
        services.finish_item(actor, access.access_item(actor, m, number), request.POST.dict())
    except XiezhiError as exc:
        return _detail(request, access.access_meeting(actor, pk), exc)
    messages.success(request, f"第{number}项落实情况已报告")
    return redirect("meetings:detail", pk)
