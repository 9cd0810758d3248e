"""A joint operation in the browser (issue 8 §4): an assistant proposed as enforcer is refused with
a clear message; two certified officers are accepted (R-CASE-01)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.coordination.models import JointOperation
from xiezhi.coordination.tests.linkage_helpers import certified
from xiezhi.testing.factories import PASSWORD, make_personas


@pytest.fixture
def world(transactional_db: None, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    p = make_personas()
    return p, certified(p)


def test_uncertified_refused_two_certified_accepted(page: Any, live_server: Any, world: Any) -> None:
    base = live_server.url
    p, people = world
    sign_in(page, base, "t_handler", PASSWORD)
    page.goto(f"{base}/operations/new/")
    page.fill("[data-testid=field-title]", "解放路夜市联合整治")
    page.fill("[data-testid=field-plan]", "联合检查夜市摊位")
    page.fill("[data-testid=field-place]", "城关镇解放路")
    start = timezone.localtime(timezone.now() + timedelta(hours=2))
    page.fill("[data-testid=field-starts-at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[data-testid=field-ends-at]", (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("[data-testid=field-participants]", [str(p.department.pk)])
    page.select_option("[data-testid=field-enforcers]", [str(people["a"].pk), str(people["helper"].pk)])
    page.click("[data-testid=save-operation]")
    errors = page.inner_text("[data-testid=error-enforcers]")
    assert "协管丁（城关镇）" in errors and "只能列为辅助人员（R-CASE-01）" in errors
    assert JointOperation.objects.count() == 0

    page.select_option("[data-testid=field-enforcers]", [str(people["a"].pk), str(people["c"].pk)])
    page.select_option("[data-testid=field-auxiliaries]", [str(people["helper"].pk)])
    page.click("[data-testid=save-operation]")
    page.wait_for_selector("[data-testid=operation-status][data-status=planned]")
    assert page.locator("[data-testid=officers] tr[data-role=enforcer]").count() == 2
    assert page.locator(f"[data-testid=officer-{people['helper'].pk}][data-role=auxiliary]").count() == 1
    op = JointOperation.objects.get()
    assert set(op.officers.filter(role="enforcer").values_list("person_id", flat=True)) == {
        people["a"].pk,
        people["c"].pk,
    }
