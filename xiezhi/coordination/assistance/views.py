"""Assistance request and hazard notice pages: inbox with filters and CSV, create forms, detail
with timeline, duties and the steps the actor may take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.coordination.assistance import access, hazards, selectors, services
from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.coordination.common.views import ActionPost, listing
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.documents.selectors import documents_for
from xiezhi.rulebook.assistance_flow import ASSISTANCE, HAZARD, HAZARD_CATEGORIES, KINDS
from xiezhi.units.models import Person, Unit, UnitKind

assist_page = page_view_with(back_url="assistance:list", back_label="返回协助请求")
hazard_page = page_view_with(back_url="hazards:list", back_label="返回隐患通报")

REQUEST_FIELDS = (
    "kind",
    "assisting",
    "subject",
    "details",
    "case_reference",
    "urgent",
    "urgent_reason",
    "location",
)
HAZARD_FIELDS = (
    "category",
    "department",
    "to_government",
    "title",
    "location",
    "description",
    "proposals",
    "found_at",
)


def obligations_for(obj: models.Model) -> list[Any]:
    ct = ContentType.objects.get_for_model(type(obj))
    return list(for_subject(ct.pk, str(obj.pk)).select_related("unit").order_by("opened_at", "pk"))


def form_values(post: QueryDict, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: post.get(n, "") for n in names if post.get(n, "") != ""}


# --- assistance requests -------------------------------------------------------------------------------


@assist_page
def request_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    g = request.GET
    qs = selectors.filtered_requests(
        access.visible_requests(actor),
        status=g.get("status", "").strip(),
        kind=g.get("kind", "").strip(),
        direction=g.get("direction", "").strip(),
        unit_id=actor.unit_id,
        urgent=g.get("urgent", "").strip(),
        q=g.get("q", ""),
    )
    if g.get("format") == "csv":
        record(actor, "assistance.exported", ("assistance", "", "协助请求列表"), after={"rows": qs.count()})
        return csv_response(
            "协助请求.csv", selectors.REQUEST_HEADER, selectors.request_rows(qs), ascii_name="assistance.csv"
        )
    page, query = listing(request, qs, keep_format=False)
    return render(request, "coordination/assistance/list.html", {
        "page": page, "params": g, "query": query, "can_request": access.can_request(actor),
        "statuses": [("open", "待答复"), *ASSISTANCE.states.items()], "kinds": list(KINDS.items()),
    })  # fmt: skip


def _request_form(actor: Actor, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    assert actor.unit is not None
    units = Unit.objects.filter(county_id=actor.unit.county_id, active=True, kind__in=access.PARTY_KINDS)
    return {
        "values": values,
        "errors": errors,
        "kinds": list(KINDS.items()),
        "units": units.exclude(pk=actor.unit.pk).order_by("kind", "code"),
    }


@assist_page
def request_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    if not access.can_request(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以提出协助请求")
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = form_values(request.POST, REQUEST_FIELDS)
        try:
            r = services.create_request(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "协助请求已发出，已通知被请求单位")
            return redirect("assistance:detail", r.pk)
    return render(
        request, "coordination/assistance/form.html", _request_form(actor, values, errors), status=status
    )


def _request_detail(
    request: HttpRequest, r: AssistanceRequest, error: XiezhiError | None = None
) -> HttpResponse:
    actor = request_actor(request)
    return render(request, "coordination/assistance/detail.html", {
        "r": r,
        "allowed": services.allowed_actions(actor, r),
        "events": r.events.select_related("document").order_by("at", "id"),  # type: ignore[attr-defined]
        "documents": documents_for(actor, r),
        "obligations": obligations_for(r),
        "officers": Person.objects.filter(unit_id=r.assisting_id).order_by("pk"),
        "units": Unit.objects.filter(county_id=r.county_id, active=True, kind__in=access.PARTY_KINDS).order_by("kind", "code"),
        "error": error,
    }, status=error.status if error else 200)  # fmt: skip


@assist_page
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _request_detail(request, access.access_request(request_actor(request), pk))


def _officers(post: QueryDict) -> dict[str, Any]:
    data: dict[str, Any] = post.dict()
    data["officers"] = post.getlist("officers")
    return data


REQUEST_ACTIONS: dict[str, Callable[[Actor, AssistanceRequest, QueryDict], Any]] = {
    "dispatch": lambda a, r, p: services.dispatch(a, r, _officers(p)),
    "delay": lambda a, r, p: services.delay(a, r, p.dict()),
    "answer": lambda a, r, p: services.answer(a, r, p.dict()),
    "refuse": lambda a, r, p: services.refuse(a, r, p.dict()),
    "withdraw": lambda a, r, p: services.withdraw(a, r, p.dict()),
    "dispute": lambda a, r, p: services.open_dispute(a, r, p.dict()),
}
REQUEST_DONE = {
    "dispatch": "已登记派员到场情况",
    "delay": "已告知请求单位预计答复日期，答复期限已延长",
    "answer": "已书面答复",
    "refuse": "已拒绝协助，已通知请求单位和司法局",
    "withdraw": "协助请求已撤回",
    "dispute": "已提起执法争议",
}
REQUEST_POST = ActionPost(
    access.access_request,
    _request_detail,
    "assistance:detail",
    REQUEST_ACTIONS,
    REQUEST_DONE,
    follow={"dispute": lambda d: redirect("disputes:detail", d.pk)},
)


@assist_page
@require_POST
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return REQUEST_POST.post(request, pk, action)


# --- hazard notices ------------------------------------------------------------------------------------


@hazard_page
def hazard_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    g = request.GET
    qs = selectors.filtered_hazards(
        access.visible_hazards(actor),
        status=g.get("status", "").strip(),
        category=g.get("category", "").strip(),
        q=g.get("q", ""),
    )
    if g.get("format") == "csv":
        record(actor, "hazard.exported", ("hazard", "", "隐患通报列表"), after={"rows": qs.count()})
        return csv_response(
            "隐患通报.csv", selectors.HAZARD_HEADER, selectors.hazard_rows(qs), ascii_name="hazards.csv"
        )
    page, query = listing(request, qs, keep_format=False)
    return render(request, "coordination/hazards/list.html", {
        "page": page, "params": g, "query": query, "can_notify": access.can_notify_hazard(actor),
        "statuses": [("open", "未办结"), *HAZARD.states.items()], "categories": list(HAZARD_CATEGORIES.items()),
    })  # fmt: skip


@hazard_page
def hazard_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    if not access.can_notify_hazard(actor):
        raise PermissionDenied("只有乡镇（街道）的承办人、联络员或负责人可以通报重大隐患（R-CO-02）")
    assert actor.unit is not None
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = form_values(request.POST, HAZARD_FIELDS)
        try:
            h = hazards.notify_hazard(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "隐患已通报，已通知主管部门" if h.department_id else "隐患已报告县政府")
            return redirect("hazards:detail", h.pk)
    departments = Unit.objects.filter(county_id=actor.unit.county_id, active=True, kind=UnitKind.DEPARTMENT)
    return render(request, "coordination/hazards/form.html", {
        "values": values, "errors": errors, "categories": list(HAZARD_CATEGORIES.items()),
        "departments": departments.order_by("code"),
    }, status=status)  # fmt: skip


def _hazard_detail(request: HttpRequest, h: HazardNotice, error: XiezhiError | None = None) -> HttpResponse:
    actor = request_actor(request)
    return render(request, "coordination/hazards/detail.html", {
        "h": h,
        "allowed": hazards.allowed_actions(actor, h),
        "events": h.events.order_by("at", "id"),  # type: ignore[attr-defined]
        "obligations": obligations_for(h),
        "officers": Person.objects.filter(unit_id=h.department_id).order_by("pk") if h.department_id else [],
        "error": error,
    }, status=error.status if error else 200)  # fmt: skip


@hazard_page
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _hazard_detail(request, access.access_hazard(request_actor(request), pk))


HAZARD_ACTIONS: dict[str, Callable[[Actor, HazardNotice, QueryDict], Any]] = {
    "dispatch": lambda a, h, p: hazards.dispatch(a, h, _officers(p)),
    "refuse": lambda a, h, p: hazards.refuse(a, h, p.dict()),
    "close": lambda a, h, p: hazards.close(a, h, p.dict()),
}
HAZARD_DONE = {
    "dispatch": "已登记派员到场情况",
    "refuse": "已拒绝派员，已自动报告县政府",
    "close": "已登记处置完毕",
}
HAZARD_POST = ActionPost(access.access_hazard, _hazard_detail, "hazards:detail", HAZARD_ACTIONS, HAZARD_DONE)


@hazard_page
@require_POST
def hazard_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return HAZARD_POST.post(request, pk, action)
