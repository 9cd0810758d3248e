"""Information sharing in the browser (issue 8 §5): a township forms and shares a penalty decision
(category 3), the subscribed department reads it and confirms, the sender sees the receipt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.coordination.models import SharedRecord
from xiezhi.coordination.sharing import services
from xiezhi.testing.factories import PASSWORD, actor_of, make_person, make_personas, make_unit
from xiezhi.transfers.tests.helpers import build_world
from xiezhi.units.models import UnitKind


@pytest.fixture
def world(transactional_db: None, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    w = build_world(make_personas())
    market = make_unit("示例县市场监督管理局", UnitKind.DEPARTMENT, w.p.county, code="D02")
    liaison = make_person(market, "孔科员", ("liaison",), username="m_liaison")
    services.subscribe(actor_of(liaison), {"kind": "category", "category": 3})
    return w


def _page_for(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, username, PASSWORD)
    page.wait_for_load_state()
    return page


def test_township_shares_subscriber_reads_sender_sees_receipt(
    browser: Any, live_server: Any, world: Any
) -> None:
    base = live_server.url
    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/sharing/new/")
    town.select_option("[data-testid=field-category]", "3")
    town.fill("[data-testid=field-title]", "城关镇对王某某违法建设作出行政处罚决定")
    town.fill("[data-testid=field-content]", "城综罚〔2025〕12号：责令限期拆除，已执行完毕。")
    formed = timezone.localtime(timezone.now() - timedelta(hours=1))
    town.fill("[data-testid=field-formed-at]", formed.strftime("%Y-%m-%dT%H:%M"))
    town.select_option("[data-testid=field-matters]", [str(world.plan.pk)])
    town.click("[data-testid=form-and-share]")
    town.wait_for_selector("[data-testid=record-status][data-status=shared]")
    record = SharedRecord.objects.get()
    assert town.locator("[data-testid=unread-list]").inner_text().count("示例县市场监督管理局") == 1
    assert "未签收" in town.locator("[data-testid=unread-list]").inner_text()

    market = _page_for(browser, base, "m_liaison")
    market.goto(f"{base}/sharing/")
    market.click(f"[data-testid=record-row-{record.pk}] a >> nth=1")
    assert "订阅" in market.locator("[data-testid=receipts]").inner_text()
    market.click("[data-testid=action-read]")
    market.wait_for_selector(f"[data-testid=receipt-{market_unit(world)}] [data-testid=receipt-read]")

    town.reload()
    row = town.locator(f"[data-testid=receipt-{market_unit(world)}]")
    assert "已签收" in row.inner_text() and "孔科员" in row.inner_text()
    assert "示例县市场监督管理局" not in town.locator("[data-testid=unread-list]").inner_text()
    assert [e.get_attribute("data-kind") for e in town.locator("[data-testid=timeline] li").all()] == [
        "formed",
        "shared",
        "read",
    ]


def market_unit(world: Any) -> int:
    return int(world.p.county.units.get(code="D02").pk)
