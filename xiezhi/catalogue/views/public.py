"""Public pages without sign-in: each township's catalogue (searchable, printable) and the list of
lawful enforcement subjects (R-CAT-01, R-CAT-07, R-PUB-03)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xiezhi.catalogue import selectors, services
from xiezhi.catalogue.views.common import date_param, paged, public_view
from xiezhi.core.errors import NotFound, ValidationFailed
from xiezhi.units.models import Unit, UnitKind

PRINT_LIMIT = 10000


@public_view
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalogue/public_index.html", {"townships": selectors.public_townships()})


@public_view
def township(request: HttpRequest, code: str) -> HttpResponse:
    town = (
        Unit.objects.filter(code=code, kind=UnitKind.TOWNSHIP, active=True).select_related("county").first()
    )
    if town is None:
        raise NotFound("乡镇（街道）不存在")
    on_date, date_error = date_param(request.GET, "date")
    if date_error:
        raise ValidationFailed.field("date", date_error)
    on = on_date or timezone.localdate()
    version = selectors.version_in_force(town.county_id, on)
    if version is None:
        raise ValidationFailed.field("date", services.no_catalogue_message(on))
    q, field = request.GET.get("q", "").strip(), request.GET.get("field", "")
    entries = selectors.public_entries(version, q, field)
    printing = request.GET.get("print") == "1"
    if printing:
        items = list(entries[:PRINT_LIMIT])
        page = None
    else:
        page = paged(request, entries, 50)
        items = page.items
    return render(
        request,
        "catalogue/public_township.html",
        {
            "town": town,
            "version": version,
            "on": on,
            "rows": selectors.public_rows(town, version, items, on),
            "page": page,
            "printing": printing,
            "q": q,
            "field": field,
            "fields": sorted({f for f in version.entries.values_list("field", flat=True)}),
        },
    )


@public_view
def subjects(request: HttpRequest) -> HttpResponse:
    lists = []
    for county in selectors.counties_with_lists():
        published = selectors.latest_subject_list(county)
        if published is not None:
            lists.append(published)
    return render(request, "catalogue/public_subjects.html", {"lists": lists})
