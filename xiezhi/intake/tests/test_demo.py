from __future__ import annotations

import pytest

from xiezhi.intake.demo import load_intake
from xiezhi.intake.models import Report, Status
from xiezhi.units.demo import DemoContext, load_units

pytestmark = pytest.mark.django_db


def test_demo_reports_cover_the_flow_and_are_idempotent() -> None:
    ctx = DemoContext(demo=True, write=lambda s: None)
    load_units(ctx)
    load_intake(ctx)
    statuses = set(Report.objects.values_list("status", flat=True))
    assert {Status.RECEIVED, Status.ACCEPTED, Status.REPLIED} <= statuses
    n = Report.objects.count()
    load_intake(ctx)
    assert Report.objects.count() == n == 4
