"""The transfer dashboard page (移送统计): charts drawn by static/transfers/dashboard.js with ECharts
from a JSON data block (no inline script, CSP)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from xiezhi.core.errors import ValidationFailed
from xiezhi.transfers import access
from xiezhi.transfers import dashboard as figures
from xiezhi.transfers.views import _actor, _int, page_view
from xiezhi.units.models import Unit, UnitKind


def _year(raw: str | None) -> int:
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationFailed.field("year", "年度应为2000至2100之间的整数")
    return int(raw)


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    assert actor.unit is not None
    year = _year(request.GET.get("year"))
    unit = _int(request.GET, "unit") if actor.is_county_wide else None
    stats = figures.statistics(actor, year, unit)
    units = (
        Unit.objects.filter(
            county_id=actor.unit.county_id, kind__in=(UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)
        ).order_by("kind", "code")
        if actor.is_county_wide
        else []
    )
    this_year = timezone.localdate().year
    return render(
        request,
        "transfers/dashboard.html",
        {
            "stats": stats,
            "chart_data": stats.as_json(),
            "year": year,
            "years": list(range(this_year, this_year - 5, -1)),
            "unit_id": unit,
            "units": units,
            "month_numbers": list(range(1, 13)),
            "wide": actor.is_county_wide,
        },
    )
