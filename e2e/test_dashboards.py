"""协作联动统计 in the browser: the command centre opens the page, the ECharts charts draw from the
JSON block (no inline script), the overdue list links to the object, filters and CSV work."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.dashboards.tests.helpers import PAST, finish_sweep, make_obligation, month_key
from xiezhi.testing.factories import PASSWORD, Personas, make_personas


@pytest.fixture
def personas_with_figures(transactional_db: None) -> Personas:
    p = make_personas()
    make_obligation(p, "R-SH-02", p.township, "on_time")
    make_obligation(p, "R-SH-02", p.township, "overdue", title="城关镇超期共享")
    make_obligation(p, "R-CO-02", p.department, "late")
    make_obligation(p, "LAW-310-8", p.department, "on_time")
    make_obligation(p, "R-SH-02", p.other_township, "open")
    finish_sweep()
    return p


def test_command_centre_sees_linkage_figures(page: Any, live_server: Any, personas_with_figures: Personas) -> None:
    base = live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, base, "cc_dispatcher", PASSWORD)
    page.wait_for_load_state()
    page.click("nav >> text=协作联动统计")
    page.wait_for_selector("[data-testid=linkage-filters]")
    page.fill("[data-testid=filter-month-from]", month_key(timezone.now() - PAST))
    page.click("[data-testid=filter-submit]")
    page.wait_for_selector("[data-testid=chart-monthly][data-rendered='1']")
    for chart in ("workflows", "counts", "monthly"):
        assert page.locator(f"[data-testid=chart-{chart}] canvas").count() >= 1
    assert page.inner_text("[data-testid=kpi-rate]") == "50.0%"  # 2 on time of 4 judged
    assert page.inner_text("[data-testid=rate-sharing]") == "50.0%"
    assert page.inner_text("[data-testid=rate-hazards]") == "0.0%"
    assert page.locator("[data-testid=unit-table] tbody tr").count() == 3

    link = page.locator("[data-testid=overdue-list] a", has_text="城关镇超期共享")
    assert link.get_attribute("href").startswith("/sharing/")

    page.select_option("[data-testid=filter-workflow]", "referrals")
    page.click("[data-testid=filter-submit]")
    page.wait_for_selector("[data-testid=workflow-row-referrals]")
    assert page.locator("[data-testid=workflow-row-sharing]").count() == 0
    assert page.inner_text("[data-testid=kpi-rate]") == "100.0%"
    assert "没有超期事项" in page.inner_text("[data-testid=overdue-list]")

    href = page.get_attribute("[data-testid=export-csv]", "href")
    response = page.request.get(urljoin(page.url, href))
    assert response.status == 200
    text = response.body().decode("utf-8")
    assert "行刑衔接,示例县城市管理局" in text and "信息共享" not in text
    assert not [e for e in errors if "Content Security Policy" in e]
