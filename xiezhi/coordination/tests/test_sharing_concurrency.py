"""Two officers sharing the same record at once, two colleagues confirming reading at once:
exactly one of each succeeds, the other gets 409, and nothing is written twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.models import SharedEvent, SharedRecord, ShareRecipient
from xiezhi.coordination.sharing import services
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict
from xiezhi.testing.factories import actor_of, make_person, make_personas
from xiezhi.transfers.tests.helpers import build_world


def race(actors: list[Actor], step: Callable[[Actor, SharedRecord], object], pk: int) -> list[str]:
    barrier = threading.Barrier(len(actors))
    outcomes: list[str] = []

    def run(actor: Actor) -> None:
        try:
            mine = SharedRecord.objects.get(pk=pk)
            barrier.wait()
            step(actor, mine)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.rule("R-SH-02")
@pytest.mark.django_db(transaction=True)
def test_concurrent_share_and_read() -> None:
    w = build_world(make_personas())
    second = actor_of(make_person(w.town, "陈承办", ("handler",), username="t_handler2"))
    data = {
        "category": 3, "title": "处罚决定", "content": "决定书", "matters": [w.plan.pk],
        "formed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }  # fmt: skip
    r = services.form_record(w.actor("township_handler"), data)
    assert race([w.actor("township_handler"), second], services.share, r.pk) == ["conflict", "ok"]
    assert SharedEvent.objects.filter(record=r, kind="shared").count() == 1
    assert ShareRecipient.objects.filter(record=r).count() == 1
    assert AuditEvent.objects.filter(action="sharing.shared", target_id=str(r.pk)).count() == 1
    readers = [w.actor("department_liaison"), w.actor("department_leader")]
    assert race(readers, services.mark_read, r.pk) == ["conflict", "ok"]
    assert SharedEvent.objects.filter(record=r, kind="read").count() == 1
