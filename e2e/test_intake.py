"""Intake in the browser: a clerk types a complaint, picks the top suggestion, hands it to a department;
the reporter's tracking page shows it (issue 6 §7)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from e2e.conftest import sign_in
from xiezhi.intake import dispatching
from xiezhi.intake.models import Report
from xiezhi.rulebook import dispatch as rd
from xiezhi.testing.factories import PASSWORD, make_personas

ROWS = rd.load_rows(rd.BUNDLED_DEV_SET)
SAMPLE = next(r for r in ROWS if not r.is_none)


@pytest.fixture
def people(transactional_db: None, settings: Any, tmp_path: Path, monkeypatch: Any) -> Any:
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    codes = {r.matter_code for r in ROWS[:80] if not r.is_none}
    matters = [m for m in rd.load_matters(dispatching.CATALOGUE_CSV) if m.code in codes]
    monkeypatch.setattr(dispatching, "catalogue_matters", lambda: matters)
    dispatching.train_and_save(tune=False)
    return make_personas()


def test_clerk_dispatches_hands_on_and_reporter_tracks(page: Any, live_server: Any, people: Any) -> None:
    sign_in(page, live_server.url, "t_handler", PASSWORD)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/intake/new/")
    page.select_option("select[name=township]", str(people.township.pk))
    page.fill("input[name=reporter_name]", "陈小明")
    page.fill("input[name=reporter_phone]", "13812345678")
    page.locator("textarea[name=text]").press_sequentially(SAMPLE.text[:40], delay=5)
    top = page.locator("[data-testid=suggestion-1] input[type=radio]")
    top.wait_for()
    chosen = top.get_attribute("value")
    top.check()
    page.click("[data-testid=submit-report]")
    page.wait_for_url(re.compile(r"/intake/\d+/$"))
    report = Report.objects.get()
    assert report.matter_code == chosen and report.dispatch_count == 1
    assert "138****5678" in page.content() and "13812345678" not in page.content()

    page.on("dialog", lambda dialog: dialog.accept())
    page.select_option("select[name=target]", str(people.department.pk))
    page.fill("form[action$='hand-on/'] textarea[name=note]", "属城市管理局保留事项")
    page.click("[data-testid=do-hand-on]")
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.current_unit == people.department

    page.goto(f"{live_server.url}/public/track/?code={report.tracking_code}")
    text = page.locator("[data-testid=tracking]").inner_text()
    assert f"已移交{people.department.name}办理" in text
    assert "陈小明" not in text and "13812345678" not in text and "张承办" not in text
