"""Assisting-unit steps racing each other on PostgreSQL: one wins, the other gets 409, nothing doubles."""

from __future__ import annotations

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.assistance import hazards, services
from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.documents.models import IssuedDocument
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import bearer
from xiezhi.transfers.tests.test_concurrency import race

from .assist_helpers import dispatch_data, hazard_data, request_data


@pytest.mark.postgres
@pytest.mark.rule("R-CO-05")
@pytest.mark.django_db(transaction=True)
def test_answer_and_refusal_at_the_same_moment(
    personas: Personas, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    r = services.create_request(personas.actor("township_handler"), request_data(personas))
    liaison, leader = bearer(personas.department_liaison.account), bearer(personas.department_leader.account)
    results = race([
        (liaison, f"/api/v1/assistance/{r.pk}/answer", {"answer": "已检测"}),
        (leader, f"/api/v1/assistance/{r.pk}/refuse", {"reason": "不属本局"}),
    ])  # fmt: skip
    assert sorted(code for code, _ in results) == [200, 409], results
    final = AssistanceRequest.objects.get(pk=r.pk)
    loser = next(body for code, body in results if code == 409)
    assert loser["details"]["status"] == final.status
    replies = IssuedDocument.objects.filter(doc_type="assistance_reply", subject_id=str(r.pk)).count()
    assert replies == (1 if final.status == "answered" else 0)
    assert AuditEvent.objects.filter(action__in=["assistance.answered", "assistance.refused"]).count() == 1


@pytest.mark.postgres
@pytest.mark.rule("R-CO-02")
@pytest.mark.django_db(transaction=True)
def test_dispatch_and_refusal_at_the_same_moment(personas: Personas) -> None:
    h = hazards.notify_hazard(personas.actor("township_handler"), hazard_data(personas))
    liaison, leader = bearer(personas.department_liaison.account), bearer(personas.department_leader.account)
    results = race([
        (liaison, f"/api/v1/hazards/{h.pk}/dispatch", dispatch_data(personas)),
        (leader, f"/api/v1/hazards/{h.pk}/refuse", {"reason": "不属本局"}),
    ])  # fmt: skip
    assert sorted(code for code, _ in results) == [200, 409], results
    final = HazardNotice.objects.get(pk=h.pk)
    assert final.status in ("onsite", "refused")
    assert (final.reported_at is not None) == (final.status == "refused")
