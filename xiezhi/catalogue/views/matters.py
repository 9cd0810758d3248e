"""Pages: the county's working matters (list, CSV export, new, detail/edit) and the matter search box."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiezhi.audit.services import record
from xiezhi.catalogue import access, selectors, services
from xiezhi.catalogue.models import MajorCategory, Matter
from xiezhi.catalogue.views.common import attachment, get_actor, page_view, paged, post_dict
from xiezhi.core.errors import ValidationFailed
from xiezhi.units.models import Unit

FORM_FIELDS = (
    "code",
    "name",
    "field",
    "department_id",
    "legal_basis_violation",
    "legal_basis_penalty",
    "penalty",
    "min_fine",
    "max_fine",
    "major_category",
    "related_inspection_powers",
    "related_coercive_powers",
    "discretion_benchmark",
    "procedure_notes",
    "standard_notes",
    "source",
)


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("q", "field", "department", "major")}


@page_view
def matter_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    f = _filters(request)
    qs = selectors.search_matters(
        selectors.matters_visible_to(actor), f["q"], f["field"], f["department"], f["major"]
    ).order_by("code")
    if request.GET.get("export") == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "事项编码",
                "事项名称",
                "领域",
                "主管部门",
                "违法行为依据",
                "处罚依据",
                "处罚种类和幅度",
                "重大违法类别",
            ]
        )
        for m in qs.iterator(chunk_size=1000):
            writer.writerow(
                [
                    m.code,
                    m.name,
                    m.field,
                    m.department.name,
                    m.legal_basis_violation,
                    m.legal_basis_penalty,
                    m.penalty,
                    m.get_major_category_display(),
                ]
            )
        with transaction.atomic():
            record(actor, "catalogue.matters_exported", None, after={"filters": f, "format": "csv"})
        return attachment(out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "matters.csv")
    departments = Unit.objects.filter(county_id=county_id, kind__in=services.MATTER_OWNER_KINDS).order_by(
        "code"
    )
    return render(
        request,
        "catalogue/matter_list.html",
        {
            "page": paged(request, qs),
            "filters": f,
            "fields": selectors.fields_of(county_id),
            "departments": departments,
            "majors": MajorCategory.choices,
            "can_create": access.can_manage(actor),
        },
    )


def _form_context(county_id: int) -> dict[str, object]:
    return {
        "departments": Unit.objects.filter(
            county_id=county_id, kind__in=services.MATTER_OWNER_KINDS
        ).order_by("code"),
        "majors": MajorCategory.choices,
    }


@page_view
def matter_new(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_manager(actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    if request.method == "POST":
        values = post_dict(request.POST, FORM_FIELDS)
        values["township_statutory"] = "township_statutory" in request.POST
        try:
            matter = services.create_matter(actor, values)
        except ValidationFailed as exc:
            errors = exc.details
        else:
            messages.success(request, f"已新增事项{matter.code}")
            return redirect("catalogue:matter_detail", matter.pk)
    return render(
        request,
        "catalogue/matter_form.html",
        {
            "values": values,
            "errors": errors,
            "matter": None,
            "editable": set(FORM_FIELDS),
            **_form_context(county_id),
        },
        status=422 if errors else 200,
    )


@page_view
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    matter = access.access_matter(actor, pk)
    editable = (
        set(FORM_FIELDS)
        if access.can_manage(actor)
        else set(services.DEPARTMENT_FIELDS)
        if access.can_edit_matter(actor, matter)
        else set()
    )
    errors: dict[str, list[str]] = {}
    values: dict[str, object] = {name: getattr(matter, name) for name in FORM_FIELDS}
    values["township_statutory"] = matter.township_statutory
    if request.method == "POST":
        if not editable:
            access.access_matter(actor, pk, "change")
        data: dict[str, object] = post_dict(request.POST, tuple(editable))
        if "code" in editable:
            data["township_statutory"] = "township_statutory" in request.POST
        values.update(data)
        try:
            services.update_matter(actor, matter, data)
        except ValidationFailed as exc:
            errors = exc.details
        else:
            messages.success(request, "事项已保存；已公布的目录版本不受影响，新草稿将采用修改后的内容")
            return redirect("catalogue:matter_detail", matter.pk)
    versions = matter.entries.select_related("version").order_by("-version__number")
    return render(
        request,
        "catalogue/matter_form.html",
        {
            "matter": matter,
            "values": values,
            "errors": errors,
            "editable": editable,
            "entries": versions,
            "entrustments": matter.entrustments.select_related("township").order_by("-valid_from"),
            **_form_context(matter.county_id),
        },
        status=422 if errors else 200,
    )


@page_view
def matter_search(request: HttpRequest) -> HttpResponse:
    """htmx: <option>s for the matter box of the jurisdiction page."""
    actor = get_actor(request)
    access.require_reader(actor)
    q = request.GET.get("matter", "").strip()
    qs: list[Matter] = []
    if q:
        qs = list(selectors.search_matters(selectors.matters_visible_to(actor), q).order_by("code")[:30])
    return render(request, "catalogue/_matter_options.html", {"matters": qs})
