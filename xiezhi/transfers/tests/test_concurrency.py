"""Replies racing each other on PostgreSQL: exactly one wins, the other gets 409 with the winner's state.

Each thread sends a real HTTP request through the test client with its own database connection;
a barrier releases them together.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection

from xiezhi.documents.models import IssuedDocument
from xiezhi.intake.models import Report, ReportEvent
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import World, api, handed_on_report, make_sent

BASE = "/api/v1/transfers"


def race(requests: list[tuple[Any, str, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    barrier = threading.Barrier(len(requests))
    results: list[tuple[int, dict[str, Any]] | None] = [None] * len(requests)
    errors: list[BaseException] = []

    def run(i: int, client: Any, path: str, body: dict[str, Any]) -> None:
        try:
            barrier.wait()
            r = client.post(path, data=json.dumps(body), content_type="application/json")
            results[i] = (r.status_code, r.json())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *req)) for i, req in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return [r for r in results if r is not None]


@pytest.mark.postgres
@pytest.mark.rule("R-TR-08")
@pytest.mark.django_db(transaction=True)
def test_accept_and_decline_at_the_same_moment(world: World) -> None:
    for _ in range(3):
        t = make_sent(world)
        liaison, leader = api(world, "department_liaison"), api(world, "department_leader")
        results = race(
            [
                (liaison, f"{BASE}/{t.pk}/accept", {"handling": "立案"}),
                (leader, f"{BASE}/{t.pk}/decline", {"reason": "not_competent", "detail": "不属于本局"}),
            ]
        )
        codes = sorted(code for code, _ in results)
        assert codes == [200, 409], results
        winner = next(body for code, body in results if code == 200)
        loser = next(body for code, body in results if code == 409)
        final = Transfer.objects.get(pk=t.pk)
        assert final.status == winner["status"] == loser["details"]["status"]
        assert loser["code"] == "conflict"
        replies = IssuedDocument.objects.filter(doc_type="acceptance_reply", subject_id=str(t.pk))
        assert replies.count() == 1


@pytest.mark.postgres
@pytest.mark.rule("R-TR-08")
@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_the_same_moment(world: World) -> None:
    t = make_sent(world)
    clients = [
        api(world, "department_liaison"),
        api(world, "department_leader"),
        api(world, "department_liaison"),
    ]
    results = race([(c, f"{BASE}/{t.pk}/accept", {}) for c in clients])
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409, 409], results
    assert all(body["details"]["status"] == "accepted" for code, body in results if code == 409)
    assert Transfer.objects.get(pk=t.pk).status == "accepted"
    assert IssuedDocument.objects.filter(doc_type="acceptance_reply", subject_id=str(t.pk)).count() == 1
    # Numbers stay gapless: one reply was issued, so the department's sequence stands at 1.
    assert IssuedDocument.objects.get(doc_type="acceptance_reply", subject_id=str(t.pk)).serial == 1


@pytest.mark.postgres
@pytest.mark.rule("R-TR-08")
@pytest.mark.django_db(transaction=True)
def test_the_source_report_follows_only_the_reply_that_won(world: World) -> None:
    """The report moves inside the accepting transaction: a lost accept moves nothing, a won
    decline leaves the report with the township, and it never moves twice."""
    outcomes = set()
    for _ in range(3):
        report, t = handed_on_report(world)
        liaison, leader = api(world, "department_liaison"), api(world, "department_leader")
        results = race(
            [
                (liaison, f"{BASE}/{t.pk}/accept", {}),
                (leader, f"{BASE}/{t.pk}/decline", {"reason": "not_competent", "detail": "不属于本局"}),
                (leader, f"{BASE}/{t.pk}/accept", {}),
            ]
        )
        assert sorted(code for code, _ in results) == [200, 409, 409], results
        status = Transfer.objects.get(pk=t.pk).status
        outcomes.add(status)
        report = Report.objects.get(pk=report.pk)
        followed = ReportEvent.objects.filter(report=report, kind="followed_transfer").count()
        if status == "accepted":
            assert (report.current_unit_id, followed) == (world.dept.pk, 1)
        else:
            assert (report.current_unit_id, followed) == (world.town.pk, 0)
    assert outcomes <= {"accepted", "declined"}
