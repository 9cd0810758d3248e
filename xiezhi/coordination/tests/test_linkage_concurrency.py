"""Racing steps on PostgreSQL: minutes issued twice at once, the last two action items done at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xiezhi.coordination.meetings import services
from xiezhi.coordination.models import ActionItem, Meeting
from xiezhi.coordination.tests.linkage_helpers import convened, minutes_data
from xiezhi.documents.models import IssuedDocument
from xiezhi.testing.factories import make_personas
from xiezhi.transfers.tests.helpers import bearer
from xiezhi.transfers.tests.test_concurrency import race

BASE = "/api/v1/meetings"


@pytest.fixture(autouse=True)
def _media_dir(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _api_minutes(p: Any) -> dict[str, Any]:
    data = minutes_data(p)
    data["decisions"] = [
        {"decision": d["decision"], "responsible_id": d["responsible"], "due_date": d["due_date"]}
        for d in data["decisions"]
    ]
    data["chair"] = "李镇长"
    return data


@pytest.mark.postgres
@pytest.mark.rule("R-CO-01")
@pytest.mark.django_db(transaction=True)
def test_minutes_issued_twice_at_once() -> None:
    p = make_personas()
    m = convened(p)
    body = _api_minutes(p)
    results = race([(bearer(p.township_handler.account), f"{BASE}/{m.pk}/minutes", body),
                    (bearer(p.township_leader.account), f"{BASE}/{m.pk}/minutes", body)])  # fmt: skip
    assert sorted(code for code, _ in results) == [200, 409], results
    assert IssuedDocument.objects.filter(doc_type="consultation_minutes").count() == 1
    assert ActionItem.objects.filter(meeting=m).count() == 2


@pytest.mark.postgres
@pytest.mark.rule("R-CO-01")
@pytest.mark.django_db(transaction=True)
def test_last_two_items_done_at_once_close_the_meeting_once() -> None:
    p = make_personas()
    m = services.issue_minutes(p.actor("township_leader"), convened(p), minutes_data(p))
    results = race(
        [
            (bearer(p.department_liaison.account), f"{BASE}/{m.pk}/items/1/done", {"note": "已完成"}),
            (bearer(p.township_handler.account), f"{BASE}/{m.pk}/items/2/done", {"note": "已完成"}),
        ]
    )
    assert [code for code, _ in results] == [200, 200], results
    m = Meeting.objects.get(pk=m.pk)
    assert m.status == "closed"
    assert m.events.filter(kind="closed").count() == 1
