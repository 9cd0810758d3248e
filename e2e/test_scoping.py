from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.deadlines.services import open_obligation
from xiezhi.testing.factories import PASSWORD, actor_of, make_personas


@pytest.fixture
def people(transactional_db: None) -> Any:
    return make_personas()


def test_a_township_user_gets_404_for_another_townships_obligation(page: Any, live_server: Any, people: Any) -> None:
    mine = open_obligation(rule_id="R-TR-02", unit=people.township, subject=people.township,
                           start=timezone.now() - timedelta(hours=1), actor=actor_of(people.township_handler))
    theirs = open_obligation(rule_id="R-TR-02", unit=people.other_township, subject=people.other_township,
                             start=timezone.now() - timedelta(hours=1), actor=actor_of(people.other_township_handler))
    sign_in(page, live_server.url, "t_handler", PASSWORD)
    page.wait_for_url(f"{live_server.url}/deadlines/")
    assert "我的待办" in page.content()

    own = page.goto(f"{live_server.url}/deadlines/obligations/{mine.pk}/")
    assert own is not None and own.status == 200
    other = page.goto(f"{live_server.url}/deadlines/obligations/{theirs.pk}/")
    missing = page.goto(f"{live_server.url}/deadlines/obligations/{theirs.pk + 1000}/")
    assert other is not None and missing is not None
    assert other.status == missing.status == 404
    assert "对象不存在或您无权访问" in page.content()
    assert "河西镇" not in page.content()
