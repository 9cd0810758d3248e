"""Pages: upload a catalogue spreadsheet, watch its progress (htmx polling), see the result."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiezhi.catalogue import access, imports
from xiezhi.catalogue.models import CatalogueVersion, ImportJob, VersionStatus
from xiezhi.catalogue.views.common import date_param, get_actor, int_param, page_view
from xiezhi.core.errors import ValidationFailed


@page_view
def import_new(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_manager(actor)
    drafts = CatalogueVersion.objects.filter(county_id=county_id, status=VersionStatus.DRAFT).order_by(
        "-number"
    )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        effective_from, date_error = date_param(request.POST, "effective_from")
        version_id = int_param(request.POST, "version_id")
        target = access.access_version(actor, version_id) if version_id else None
        if date_error:
            errors["effective_from"] = [date_error]
        elif upload is None:
            errors["file"] = ["请选择要导入的文件"]
        else:
            try:
                job = imports.create_job(
                    actor,
                    file_name=upload.name or "",
                    payload=upload.read(),
                    effective_from=effective_from,
                    target=target,
                )
            except ValidationFailed as exc:
                errors = exc.details
            else:
                imports.start(job)
                return redirect("catalogue:import_detail", job.pk)
    recent = ImportJob.objects.filter(county_id=county_id).defer("payload").order_by("-created_at")[:10]
    return render(
        request,
        "catalogue/import_new.html",
        {"drafts": drafts, "errors": errors, "recent": recent},
        status=422 if errors else 200,
    )


@page_view
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = imports.refresh_stale(access.access_import(get_actor(request), pk))
    return render(request, "catalogue/import_detail.html", {"job": job})


@page_view
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment; it keeps polling itself until the job ends (htmx `every 1s`)."""
    job = imports.refresh_stale(access.access_import(get_actor(request), pk))
    if not request.headers.get("HX-Request"):
        return redirect("catalogue:import_detail", pk)
    return render(request, "catalogue/_import_progress.html", {"job": job})
