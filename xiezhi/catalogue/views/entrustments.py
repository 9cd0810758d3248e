"""Pages: entrustment letters (list, new, detail/edit, DOCX)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.catalogue import access, selectors, services
from xiezhi.catalogue.documents import entrustment_docx
from xiezhi.catalogue.models import Entrustment, Matter
from xiezhi.catalogue.views.common import attachment, get_actor, page_view, paged, post_dict
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.units.models import Unit, UnitKind

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FIELDS = (
    "number",
    "department_id",
    "township_id",
    "authority",
    "valid_from",
    "valid_to",
    "responsibility",
    "signed_on",
)
DEFAULT_RESPONSIBILITY = (
    "受委托乡镇在委托范围内以委托机关名义实施行政执法，不得再委托；委托机关负责监督，并对其后果承担法律责任。"
)


@page_view
def entrustment_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_reader(actor)
    qs = selectors.entrustments_visible_to(actor)
    township = request.GET.get("township", "")
    if township.isdigit():
        qs = qs.filter(township_id=int(township))
    today = timezone.localdate()
    page = paged(request, qs.order_by("-valid_from", "number"))
    return render(
        request,
        "catalogue/entrustment_list.html",
        {
            "page": page,
            "today": today,
            "townships": selectors.townships_of(actor.county_id or 0),
            "township": township,
            "can_issue": access.can_issue_entrustments(actor),
        },
    )


def _form(
    request: HttpRequest,
    county_id: int,
    entrustment: Entrustment | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
) -> HttpResponse:
    actor = get_actor(request)
    departments = Unit.objects.filter(county_id=county_id, kind=UnitKind.DEPARTMENT).order_by("code")
    if not access.can_manage(actor):
        departments = departments.filter(pk=actor.unit_id or 0)
    dept_ids = [d.pk for d in departments]
    matters = (
        Matter.objects.filter(county_id=county_id, department_id__in=dept_ids)
        .select_related("department")
        .order_by("code")
    )
    chosen = {int(x) for x in values.get("matter_ids", []) if str(x).isdigit()}
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    return render(
        request,
        "catalogue/entrustment_form.html",
        {
            "entrustment": entrustment,
            "values": values,
            "errors": errors,
            "departments": departments,
            "townships": selectors.townships_of(county_id),
            "matters": matters,
            "chosen": chosen,
        },
        status=status,
    )


@page_view
def entrustment_new(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    if not access.can_issue_entrustments(actor):
        raise PermissionDenied("只有县级部门负责人、联络员或事项清单维护人员可以出具委托书")
    values: dict[str, Any] = {"responsibility": DEFAULT_RESPONSIBILITY, "matter_ids": []}
    if request.method == "POST":
        values = {**post_dict(request.POST, FIELDS), "matter_ids": request.POST.getlist("matter_ids")}
        try:
            e = services.create_entrustment(actor, values)
        except ValidationFailed as exc:
            return _form(request, county_id, None, values, exc.details, 422)
        messages.success(request, f"已出具委托书{e.number}")
        return redirect("catalogue:entrustment_detail", e.pk)
    return _form(request, county_id, None, values, {})


@page_view
def entrustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    e = access.access_entrustment(actor, pk)
    in_use = services.entrustment_in_published_use(e)
    editable = not in_use and access.can_manage_entrustments_of(actor, e.department_id)
    if request.method == "POST":
        e = access.access_entrustment(actor, pk, "change")
        values = {**post_dict(request.POST, FIELDS), "matter_ids": request.POST.getlist("matter_ids")}
        try:
            services.update_entrustment(actor, e, values)
        except ValidationFailed as exc:
            return _form(request, e.county_id, e, values, exc.details, 422)
        messages.success(request, "委托书已保存")
        return redirect("catalogue:entrustment_detail", e.pk)
    if request.GET.get("edit") == "1" and editable:
        values = {name: getattr(e, name) for name in FIELDS}
        values["matter_ids"] = [m.pk for m in e.matters.all()]
        return _form(request, e.county_id, e, values, {})
    return render(
        request,
        "catalogue/entrustment_detail.html",
        {
            "e": e,
            "matters": e.matters.order_by("code"),
            "in_use": in_use,
            "editable": editable,
            "expired": e.valid_to < timezone.localdate(),
            "versions": sorted(
                {d.version for d in e.devolutions.select_related("version")}, key=lambda v: -v.number
            ),
        },
    )


@page_view
@require_POST
def entrustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    e = access.access_entrustment(actor, pk, "change")
    services.delete_entrustment(actor, e)
    messages.success(request, f"委托书{e.number}已删除")
    return redirect("catalogue:entrustments")


@page_view
def entrustment_docx_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    e = access.access_entrustment(actor, pk)
    with transaction.atomic():
        record(actor, "catalogue.entrustment_downloaded", e)
    return attachment(entrustment_docx(e), DOCX, f"entrustment-{e.pk}.docx")
