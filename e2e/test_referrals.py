"""A criminal referral in the browser (issue 8 §6): a township case team reports the suspicion, the
head approves, an officer transfers with the materials (the 移送书 is generated), the police sign
the receipt and file the case; another police unit gets 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from e2e.conftest import sign_in
from xiezhi.coordination.models import Referral
from xiezhi.coordination.tests.referral_helpers import MATERIALS, build_cr_world
from xiezhi.testing.factories import PASSWORD, make_personas


@pytest.fixture
def world(transactional_db: None, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_cr_world(make_personas())


def _page_for(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, username, PASSWORD)
    page.wait_for_load_state()
    return page


def test_team_reports_head_approves_police_sign_and_file(browser: Any, live_server: Any, world: Any) -> None:
    base = live_server.url
    officer = _page_for(browser, base, "t_officer1")
    officer.goto(f"{base}/referrals/new/")
    officer.fill("[data-testid=field-party]", "某化工有限公司")
    officer.fill("[data-testid=field-offence]", "污染环境罪")
    officer.fill("[data-testid=field-facts]", "该公司通过暗管向河道排放含重金属废水，经检测超标10倍以上。")
    officer.fill("[data-testid=field-report]", "达到刑事追诉标准，建议移送公安机关。")
    # A team of one is refused and nothing is saved.
    officer.select_option("[data-testid=field-team]", [str(world.officer1.pk)])
    officer.click("[data-testid=submit-referral]")
    assert "至少2名" in officer.inner_text("[data-testid=error-team]")
    assert Referral.objects.count() == 0
    officer.select_option("[data-testid=field-team]", [str(world.officer1.pk), str(world.officer2.pk)])
    officer.click("[data-testid=submit-referral]")
    officer.wait_for_selector("[data-testid=referral-status][data-status=reported]")
    referral = Referral.objects.get()

    leader = _page_for(browser, base, "t_leader")
    leader.goto(f"{base}/referrals/{referral.pk}/")
    leader.click("[data-testid=action-approve]")
    leader.wait_for_selector("[data-testid=referral-status][data-status=approved]")

    officer.goto(f"{base}/referrals/{referral.pk}/")
    officer.fill("[data-testid=material-investigation_report]", MATERIALS["investigation_report"])
    officer.click("[data-testid=action-transfer]")
    assert "缺少移送材料" in officer.inner_text("[data-testid=error-message]")
    for key, value in MATERIALS.items():
        officer.fill(f"[data-testid=material-{key}]", value)
    officer.click("[data-testid=action-transfer]")
    officer.wait_for_selector("[data-testid=referral-status][data-status=transferred]")

    police = _page_for(browser, base, "ga_police")
    police.goto(f"{base}/referrals/")
    assert police.locator(f"[data-testid=referral-row-{referral.pk}]").count() == 1
    police.goto(f"{base}/referrals/{referral.pk}/")
    for link in police.locator("[data-testid=documents] a").all():  # the 移送书, PDF and DOCX
        response = police.request.get(urljoin(police.url, link.get_attribute("href")))
        assert response.status == 200 and response.body()[:4] in (b"%PDF", b"PK\x03\x04")
    police.click("[data-testid=action-receive]")
    police.wait_for_selector("[data-testid=referral-status][data-status=received]")
    police.fill("[data-testid=case-number-input]", "示公（刑）立字〔2025〕8号")
    police.click("[data-testid=action-file]")
    police.wait_for_selector("[data-testid=referral-status][data-status=filed]")

    other = _page_for(browser, base, "ga_other")
    response = other.goto(f"{base}/referrals/{referral.pk}/")
    assert response.status == 404

    referral.refresh_from_db()
    assert referral.status == "filed" and referral.police_case_number == "示公（刑）立字〔2025〕8号"
