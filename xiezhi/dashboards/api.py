"""/api/v1/dashboards: the same figures as the pages, as JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from xiezhi.core.api import actor
from xiezhi.dashboards import selectors

router = Router(tags=["统计看板 dashboards"])


@router.get(
    "/linkage",
    summary="协作联动统计：各联动业务的按时办结率（按时办结 ÷ (已完成 + 已超期)）、进行中/超期/完成/免除数，按单位、按月，超期清单",
)
def linkage(
    request: HttpRequest,
    month_from: str | None = None,
    month_to: str | None = None,
    unit: str | None = None,
    workflow: str | None = None,
) -> dict[str, Any]:
    a = actor(request)
    selectors.require_business(a)
    params = {"month_from": month_from, "month_to": month_to, "unit": unit, "workflow": workflow}
    return selectors.statistics(a, selectors.parse_filters(a, params)).as_json()
