"""A consultation in the browser (issue 8 §3): the township convenes, issues the minutes with an
action item for the department, downloads the DOCX, and the department reports the item done."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.utils import timezone
from docx import Document

from e2e.conftest import sign_in
from xiezhi.coordination.models import Meeting
from xiezhi.testing.factories import PASSWORD, Personas, make_personas


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


def test_convene_minutes_docx_and_item_done(browser: Any, live_server: Any, personas: Personas) -> None:
    base, p = live_server.url, personas
    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/meetings/new/")
    town.select_option("[data-testid=field-kind]", "topic")
    town.fill("[data-testid=field-title]", "夜市整治专题会商")
    town.fill("[data-testid=field-agenda]", "研究解放路夜市占道经营整治")
    held = timezone.localtime(timezone.now() - timedelta(hours=1))
    town.fill("[data-testid=field-scheduled-at]", held.strftime("%Y-%m-%dT%H:%M"))
    town.fill("[data-testid=field-place]", "城关镇政府会议室")
    town.fill("[data-testid=field-chair]", "李镇长")
    town.select_option("[data-testid=field-invited-units]", [str(p.department.pk)])
    town.click("[data-testid=convene]")
    town.wait_for_selector("[data-testid=meeting-status][data-status=convened]")
    meeting = Meeting.objects.get()

    town.fill("[data-testid=minutes-attendees]", "城关镇：李镇长\n示例县城市管理局：钱局长")
    town.fill("[data-testid=decision-1]", "城管局制定夜市摊位规范设置方案")
    town.select_option("[data-testid=responsible-1]", str(p.department.pk))
    town.fill("[data-testid=due-1]", (timezone.localdate() + timedelta(days=7)).isoformat())
    town.click("[data-testid=action-minute]")
    town.wait_for_selector("[data-testid=meeting-status][data-status=following]")
    number = town.inner_text("[data-testid=minutes-number]")
    assert "会纪〔" in number
    response = town.request.get(urljoin(town.url, town.get_attribute("[data-testid=minutes-docx]", "href")))
    assert response.status == 200
    text = "\n".join(par.text for par in Document(BytesIO(response.body())).paragraphs)
    assert "夜市整治专题会商纪要" in text and "城管局制定夜市摊位规范设置方案" in text

    dept = _page_for(browser, base, "d_liaison")
    dept.goto(f"{base}/meetings/")
    assert dept.locator("[data-testid=my-items]").inner_text().count("城管局制定夜市摊位规范设置方案") == 1
    dept.goto(f"{base}/meetings/{meeting.pk}/")
    dept.fill("[data-testid=item-note-1]", "方案已印发")
    dept.click("[data-testid=item-done-1]")
    dept.wait_for_selector("[data-testid=meeting-status][data-status=closed]")
    assert dept.locator("[data-testid=item-status-1][data-status=done]").count() == 1
    meeting.refresh_from_db()
    assert meeting.status == "closed"
