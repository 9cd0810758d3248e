"""Police deciding twice at the same moment on PostgreSQL: one decision wins, the other gets 409 with
the winner's state, and only the winner's next clock opens."""

from __future__ import annotations

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.models import Referral
from xiezhi.coordination.tests.referral_helpers import CrWorld, build_cr_world, received
from xiezhi.deadlines.models import Obligation
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import bearer
from xiezhi.transfers.tests.test_concurrency import race


@pytest.fixture
def w(personas: Personas) -> CrWorld:
    return build_cr_world(personas)


@pytest.mark.postgres
@pytest.mark.rule("R-CR-02")
@pytest.mark.django_db(transaction=True)
def test_file_and_decline_at_the_same_moment(w: CrWorld) -> None:
    r = received(w)
    police = w.police_officer.account  # type: ignore[attr-defined]
    base = f"/api/v1/referrals/{r.pk}"
    results = race(
        [
            (bearer(police), f"{base}/file", {"case_number": "立字8号"}),
            (bearer(police), f"{base}/decline", {"reasons": "未达追诉标准"}),
        ]
    )
    assert sorted(code for code, _ in results) == [200, 409], results
    winner = next(body for code, body in results if code == 200)
    loser = next(body for code, body in results if code == 409)
    final = Referral.objects.get(pk=r.pk)
    assert final.status == winner["status"] == loser["details"]["status"]
    opened = set(
        Obligation.objects.filter(subject_id=str(r.pk), subject_type__model="referral").values_list(
            "rule_id", flat=True
        )
    )
    assert ("LAW-310-12" in opened) != ("LAW-310-9" in opened)  # only the winner's next step
    decided = AuditEvent.objects.filter(target_id=str(r.pk), action__in=["referral.file", "referral.decline"])
    assert decided.count() == 1
