"""A correction opinion in the browser (issue 8 §7, R-CO-08): a department issues it (a past
deadline is refused), the township answers with its rectification, the department confirms."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from e2e.test_assistance import _page_for
from xiezhi.coordination.corrections.models import CorrectionOpinion
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.testing.factories import Personas, make_personas

pytestmark = pytest.mark.e2e


@pytest.fixture
def personas(transactional_db: None, settings: Any, tmp_path: Path) -> Personas:
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_personas()


def test_issue_answer_confirm(browser: Any, live_server: Any, personas: Personas) -> None:
    base, p = live_server.url, personas
    dept = _page_for(browser, base, "d_liaison")
    dept.goto(f"{base}/corrections/new/")
    dept.select_option("[data-testid=field-township]", str(p.township.pk))
    dept.fill("[data-testid=field-subject]", "占道经营案处罚幅度不当")
    dept.fill("[data-testid=field-findings]", "未适用首违不罚条款。")
    dept.fill("[data-testid=field-requirements]", "复查并依法纠正。")
    dept.fill("[data-testid=field-due-on]", (timezone.localdate() - timedelta(days=1)).isoformat())
    dept.click("[data-testid=submit-opinion]")
    assert "不能是过去的日期" in dept.inner_text("[data-testid=form-errors]") + dept.content()
    assert CorrectionOpinion.objects.count() == 0
    due = WorkCalendar.default().add_workdays(timezone.localdate(), 5)
    dept.fill("[data-testid=field-due-on]", due.isoformat())
    dept.click("[data-testid=submit-opinion]")
    dept.wait_for_selector("[data-testid=status]")
    o = CorrectionOpinion.objects.get()
    assert o.justice_bureau_id == p.justice_bureau.pk

    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/corrections/")
    town.click(f"[data-testid=opinion-row-{o.pk}] a >> nth=1")
    town.fill("[data-testid=rectification-text]", "已撤销原决定并重新作出不予处罚决定。")
    town.click("[data-testid=action-answer]")
    town.wait_for_selector("[data-testid=rectification]")
    assert town.get_attribute("[data-testid=status]", "data-status") == "answered"

    dept.reload()
    dept.click("[data-testid=action-confirm]")
    dept.wait_for_selector("[data-testid=status][data-status=confirmed]")
    assert town.locator("[data-testid=obligations] .tag").all_inner_texts() == ["已完成"]
