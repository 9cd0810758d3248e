"""Pages: version history, a version's matters and modes, drafts (edit, approve and publish, discard), diff."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.catalogue import access, selectors, versions
from xiezhi.catalogue.models import (
    CatalogueVersion,
    DevolutionMode,
    Entrustment,
    VersionMatter,
    VersionStatus,
)
from xiezhi.catalogue.snapshot import unit_index
from xiezhi.catalogue.spreadsheets import export_csv, export_xlsx
from xiezhi.catalogue.views.common import attachment, get_actor, int_param, page_view, paged, post_dict
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.models import Unit, UnitKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VERSION_FIELDS = ("effective_from", "title", "notes", "decision_document")


@page_view
def index(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST":
        values = post_dict(request.POST, VERSION_FIELDS)
        try:
            version = versions.create_draft(
                actor, county_id, values, copy_latest=request.POST.get("empty") != "1"
            )
        except ValidationFailed as exc:
            errors = exc.details
        else:
            messages.success(request, f"已新建第{version.number}版目录草稿")
            return redirect("catalogue:version_detail", version.pk)
    all_versions = list(selectors.versions_of(county_id))
    return render(
        request,
        "catalogue/index.html",
        {
            "versions": all_versions,
            "can_manage": access.can_manage(actor),
            "errors": errors,
            "values": values,
            "published": [v for v in all_versions if v.is_in_force_kind],
        },
        status=422 if errors else 200,
    )


@page_view
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    q, field = request.GET.get("q", "").strip(), request.GET.get("field", "")
    qs = (
        VersionMatter.objects.filter(version=version)
        .select_related("matter", "department")
        .order_by("matter__code")
    )
    page = paged(request, selectors.search_matters(qs, q, field))
    townships = selectors.townships_of(version.county_id)
    problems = None
    if version.is_draft and request.GET.get("check") == "1":
        problems = versions.draft_problems(version, today=timezone.localdate())
    others = [
        v
        for v in selectors.versions_of(version.county_id)
        if v.pk != version.pk and v.status != VersionStatus.DISCARDED
    ]
    return render(
        request,
        "catalogue/version_detail.html",
        {
            "version": version,
            "page": page,
            "rows": selectors.version_matrix(version, page.items, townships),
            "townships": townships,
            "fields": selectors.fields_of(version.county_id),
            "q": q,
            "field": field,
            "problems": problems,
            "can_manage": access.can_manage(actor) and version.is_draft,
            "can_approve": access.can_approve(actor) and version.is_draft,
            "others": others,
            "addable": _addable(version) if version.is_draft and access.can_manage(actor) else [],
        },
    )


def _addable(version: CatalogueVersion) -> list[tuple[int, str]]:
    from xiezhi.catalogue.models import Matter

    present = VersionMatter.objects.filter(version=version).values("matter_id")
    qs = Matter.objects.filter(county_id=version.county_id).exclude(pk__in=present).order_by("code")
    return [(m.pk, f"{m.code} {m.name}") for m in qs[:500]]


@page_view
@require_POST
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    versions.update_draft(actor, version, post_dict(request.POST, VERSION_FIELDS))
    messages.success(request, "草稿信息已保存")
    return redirect("catalogue:version_detail", version.pk)


@page_view
@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk, "publish")
    versions.publish(actor, version, decision_document=request.POST.get("decision_document"))
    messages.success(
        request, f"第{version.number}版目录已批准公布，{format_date_zh(version.effective_from)}施行"
    )
    return redirect("catalogue:version_detail", version.pk)


@page_view
@require_POST
def version_discard(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    versions.discard_draft(actor, version, request.POST.get("reason", ""))
    messages.success(request, f"第{version.number}版草稿已废弃")
    return redirect("catalogue:index")


@page_view
def version_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    with transaction.atomic():
        record(actor, "catalogue.exported", version, after={"format": fmt})
    if fmt == "csv":
        return attachment(export_csv(version), "text/csv; charset=utf-8", f"catalogue-v{version.number}.csv")
    return attachment(export_xlsx(version), XLSX, f"catalogue-v{version.number}.xlsx")


@page_view
@require_POST
def version_add_matter(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    matter_id = int_param(request.POST, "matter_id")
    if matter_id is None:
        raise ValidationFailed.field("matter_id", "请选择要加入的事项")
    matter = access.access_matter(actor, matter_id)
    versions.add_matter(actor, version, matter, request.POST.get("mode") or None)
    messages.success(request, f"已将事项{matter.code}加入草稿")
    return redirect("catalogue:version_matter", version.pk, matter.pk)


@page_view
def version_matter(request: HttpRequest, pk: int, matter_id: int) -> HttpResponse:
    """One matter of a version: its frozen content and its mode in each township (editable in a draft)."""
    actor = get_actor(request)
    version = access.access_version(actor, pk)
    matter = access.access_matter(actor, matter_id)
    entry = VersionMatter.objects.filter(version=version, matter=matter).select_related("department").first()
    if entry is None:
        raise ValidationFailed.field("matter_id", f"事项{matter.code}不在第{version.number}版目录中")
    editable = version.is_draft and access.can_manage(actor)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and request.POST.get("remove") == "1":
        versions.remove_matter(actor, version, matter)
        messages.success(request, f"已从草稿移除事项{matter.code}")
        return redirect("catalogue:version_detail", version.pk)
    if request.method == "POST":
        town = Unit.objects.filter(
            pk=int_param(request.POST, "township_id") or 0,
            county_id=version.county_id,
            kind=UnitKind.TOWNSHIP,
        ).first()
        if town is None:
            raise ValidationFailed.field("township_id", "请选择乡镇（街道）")
        try:
            versions.set_mode(
                actor,
                version,
                matter,
                town,
                request.POST.get("mode", ""),
                int_param(request.POST, "entrustment_id"),
            )
        except ValidationFailed as exc:
            errors = {f"{town.pk}": [m for msgs in exc.details.values() for m in msgs] or [exc.message]}
        else:
            messages.success(request, f"已设置事项{matter.code}在{town.name}的下放方式")
            return redirect("catalogue:version_matter", version.pk, matter.pk)
    townships = selectors.townships_of(version.county_id)
    rows = selectors.version_matrix(version, [entry], townships)[0]
    entrustments = Entrustment.objects.filter(
        county_id=version.county_id, department_id=matter.department_id, matters=matter
    )
    return render(
        request,
        "catalogue/version_matter.html",
        {
            "version": version,
            "matter": matter,
            "entry": entry,
            "cells": list(zip(townships, rows.cells, strict=True)),
            "editable": editable,
            "modes": DevolutionMode.choices,
            "entrustments": list(entrustments.select_related("township")),
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@page_view
def version_diff(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    all_versions = [v for v in selectors.versions_of(county_id) if v.status != VersionStatus.DISCARDED]
    a_id, b_id = int_param(request.GET, "a"), int_param(request.GET, "b")
    if (a_id is None or b_id is None) and len(all_versions) >= 2:
        b_id = b_id or all_versions[0].pk
        a_id = a_id or next(v.pk for v in all_versions if v.pk != b_id)
    change = None
    a = b = None
    townships = unit_index(county_id).townships
    if a_id is not None and b_id is not None:
        a, b = access.access_version(actor, a_id), access.access_version(actor, b_id)
        change = versions.compare(a, b)
    return render(
        request,
        "catalogue/version_diff.html",
        {
            "versions": all_versions,
            "a": a,
            "b": b,
            "change": change,
            "mode_changes": [
                (c, townships.get(c.township_code, c.township_code))
                for c in (change.mode_changed if change else ())
            ],
        },
    )
