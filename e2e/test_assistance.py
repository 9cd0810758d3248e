"""Assistance requests and hazard notices in the browser (issue 8 §1–§2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.testing.factories import PASSWORD, Personas, make_personas

pytestmark = pytest.mark.e2e


@pytest.fixture
def personas(transactional_db: None, settings: Any, tmp_path: Path) -> Personas:
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_personas()


def _page_for(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, username, PASSWORD)
    page.wait_for_load_state()
    return page


def _now_local() -> str:
    return timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M")


def _record_arrival(page: Any, officer_ids: list[int]) -> None:
    for pk in officer_ids:
        page.check(f"[data-testid=officer-{pk}]")
    page.fill("[data-testid=dispatched-at]", _now_local())
    page.fill("[data-testid=arrived-at]", _now_local())
    page.click("[data-testid=action-dispatch]")
    page.wait_for_selector("[data-testid=officers]")


def test_urgent_request_dispatch_written_answer(browser: Any, live_server: Any, personas: Personas) -> None:
    base, p = live_server.url, personas
    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/assistance/new/")
    town.select_option("[data-testid=field-kind]", "testing")
    town.select_option("[data-testid=field-assisting]", str(p.department.pk))
    town.fill("[data-testid=field-subject]", "解放路18号彩钢板房结构安全检测")
    town.fill("[data-testid=field-details]", "请对现场彩钢板房结构安全进行检测。")
    town.check("[data-testid=field-urgent]")
    town.click("[data-testid=submit-request]")
    # Urgent without a reason or a place is refused and nothing is saved.
    assert town.locator("[data-testid=form-errors]").is_visible()
    assert AssistanceRequest.objects.count() == 0
    town.fill("[data-testid=field-urgent-reason]", "板房正在拆除，证据可能灭失")
    town.fill("[data-testid=field-location]", "城关镇解放路18号")
    town.click("[data-testid=submit-request]")
    town.wait_for_selector("[data-testid=assistance-status]")
    r = AssistanceRequest.objects.get()
    assert town.locator("[data-testid=obligations] tr[data-rule='R-CO-05:urgent']").count() == 1

    dept = _page_for(browser, base, "d_liaison")
    dept.goto(f"{base}/assistance/?direction=received")
    dept.click(f"[data-testid=request-row-{r.pk}] a >> nth=1")
    _record_arrival(dept, [p.department_liaison.pk])
    assert "赵联络" in dept.inner_text("[data-testid=officers]")
    dept.fill("[data-testid=answer-text]", "经现场检测，该板房结构存在安全隐患。")
    dept.click("[data-testid=action-answer]")
    dept.wait_for_selector("[data-testid=answer]")
    assert dept.get_attribute("[data-testid=assistance-status]", "data-status") == "answered"

    town.reload()
    assert "结构存在安全隐患" in town.inner_text("[data-testid=answer]")
    link = town.locator("[data-testid=documents] a").first
    response = town.request.get(urljoin(town.url, link.get_attribute("href")))
    assert response.status == 200 and response.body()[:4] in (b"%PDF", b"PK\x03\x04")
    statuses = town.locator("[data-testid=obligations] .tag").all_inner_texts()
    assert statuses == ["已完成", "已完成"]


def test_hazard_refused_without_reason_then_reported(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    base, p = live_server.url, personas
    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/hazards/new/")
    town.select_option("[data-testid=field-category]", "safety")
    town.fill("[data-testid=field-title]", "农贸市场燃气管道泄漏")
    town.fill("[data-testid=field-location]", "城关镇解放路农贸市场")
    town.fill("[data-testid=field-found-at]", _now_local())
    town.fill("[data-testid=field-description]", "燃气管道锈蚀，有明显气味。")
    town.select_option("[data-testid=field-department]", str(p.department.pk))
    town.fill("[data-testid=field-proposals]", "建议立即停气检修")
    town.click("[data-testid=submit-hazard]")
    town.wait_for_selector("[data-testid=hazard-status]")
    h = HazardNotice.objects.get()

    leader = _page_for(browser, base, "d_leader")
    leader.goto(f"{base}/hazards/{h.pk}/")
    leader.click("summary:has-text('拒绝派员')")
    leader.click("[data-testid=action-refuse]")
    assert "请填写拒绝理由" in leader.inner_text("[data-testid=action-error]")
    assert HazardNotice.objects.get().status == "notified"
    leader.click("summary:has-text('拒绝派员')")
    leader.fill("[data-testid=refuse-reason]", "燃气管道归燃气公司管理")
    leader.click("[data-testid=action-refuse]")
    leader.wait_for_selector("[data-testid=reported]")
    assert leader.get_attribute("[data-testid=hazard-status]", "data-status") == "refused"
    gov = HazardNotice.objects.get().government
    assert gov.pk == p.government.pk
