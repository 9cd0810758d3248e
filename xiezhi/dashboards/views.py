"""The 协作联动统计 page: filters, figures, the overdue list and the CSV export. Charts are drawn
by static/dashboards/linkage.js with the vendored ECharts from a JSON data block (no inline
script, CSP), as on the transfer dashboard."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xiezhi.audit.services import record
from xiezhi.core.exports import csv_response
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.dashboards import selectors
from xiezhi.dashboards.workflows import WORKFLOWS

dashboard_page = page_view_with(back_url="dashboards:linkage", back_label="返回协作联动统计")


@dashboard_page
def linkage(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    selectors.require_business(actor)
    filters = selectors.parse_filters(actor, request.GET)
    stats = selectors.statistics(actor, filters)
    if request.GET.get("format") == "csv":
        rows = selectors.csv_rows(stats)
        with transaction.atomic():
            record(
                actor,
                "dashboard.linkage_exported",
                ("dashboards.linkage", "", "协作联动统计导出"),
                after={"rows": len(rows), **filters.as_dict()},
            )
        name = f"协作联动统计_{filters.month_from.key}_{filters.month_to.key}.csv"
        return csv_response(name, selectors.CSV_HEADER, rows, ascii_name="linkage.csv")
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "dashboards/linkage.html",
        {
            "stats": stats,
            "chart_data": stats.chart(),
            "filters": filters,
            "units": selectors.units_for(actor),
            "workflows": WORKFLOWS,
            "csv_query": query.urlencode(),
            "wide": selectors.obligations.sees_beyond_own_unit(actor),
        },
    )
