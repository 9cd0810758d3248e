"""The source report follows an accepted transfer (issue 7 §1, R-TR-08): a township hands on a report
as a transfer, the department's liaison accepts it in the browser, and the reporter's tracking page
then names the department as the handling unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from e2e.conftest import sign_in
from xiezhi.intake.models import Report
from xiezhi.testing.factories import PASSWORD, make_personas
from xiezhi.transfers.tests.helpers import build_world, handed_on_report


@pytest.fixture
def world(transactional_db: None, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(make_personas())


def test_accepting_the_transfer_moves_the_report_and_the_tracking_page_says_so(
    browser: Any, live_server: Any, world: Any
) -> None:
    base = live_server.url
    report, transfer = handed_on_report(world)
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/public/track/?code={report.tracking_code}")
    assert public.inner_text("[data-testid=public-unit]") == world.town.name

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    liaison = context.new_page()
    liaison.set_default_timeout(15_000)
    liaison.on("dialog", lambda dialog: dialog.accept())
    sign_in(liaison, base, "d_liaison", PASSWORD)
    liaison.wait_for_load_state()
    liaison.goto(f"{base}/transfers/{transfer.pk}/")
    liaison.fill("[data-testid=accept-handling]", "立案调查")
    liaison.click("[data-testid=action-accept]")
    liaison.wait_for_selector("[data-testid=transfer-status][data-status=accepted]")

    assert Report.objects.get(pk=report.pk).current_unit_id == world.dept.pk
    liaison.goto(f"{base}/intake/{report.pk}/")
    assert f"案件移送{transfer.pk}" in liaison.content()

    public.goto(f"{base}/public/track/?code={report.tracking_code}")
    assert public.inner_text("[data-testid=public-unit]") == world.dept.name
    assert f"已由{world.dept.name}受理办理" in public.inner_text("[data-testid=tracking]")
