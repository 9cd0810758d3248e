"""verify-audit over many events on PostgreSQL: helper processes check id ranges inside the
verifier's own snapshot, and find exactly what one process finds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from xiezhi.audit import verify
from xiezhi.audit.chain import chain_pending
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.verify import DIGEST_MISMATCH, verify_chain

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="snapshots are shared on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def split(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[tuple[int | None, int | None]]:
    """Parallel from 10 events on, three processes; records the ranges this process checks."""
    monkeypatch.setattr(verify, "PARALLEL_MIN_EVENTS", 10)
    settings.XIEZHI_AUDIT_VERIFY_WORKERS = 3
    here: list[tuple[int | None, int | None]] = []
    own = verify.check_events

    def spy(lo: int | None = None, hi: int | None = None, *, limit: str) -> verify.EventCheck:
        here.append((lo, hi))
        return own(lo, hi, limit=limit)

    monkeypatch.setattr(verify, "check_events", spy)
    return here


def test_helpers_check_the_other_ranges_and_agree(
    split: list[tuple[int | None, int | None]], bypass: Any
) -> None:
    events = [record(None, "test.parallel", ("test.thing", str(i), f"对象{i}")) for i in range(30)]
    chain_pending()
    result = verify_chain()
    assert result.ok, result.message()
    assert result.count == 30 and result.algorithms == {"sha256"}
    (lo, hi), *rest = split
    assert not rest and lo == events[0].pk  # this process checked the first range only;
    assert hi is not None and hi <= events[10].pk  # the helpers, the others
    with bypass():
        AuditEvent.objects.filter(pk=events[25].pk).update(reason="事后改动")
    split.clear()
    found = verify_chain()
    assert found.problem is not None and found.problem.kind == DIGEST_MISMATCH
    assert found.problem.event_id == events[25].pk and len(split) == 1  # found by a helper
