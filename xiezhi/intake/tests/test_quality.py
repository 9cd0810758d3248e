from __future__ import annotations

import pytest
from django.test import Client

from xiezhi.intake import quality, services
from xiezhi.intake.models import Report
from xiezhi.intake.tests.conftest import report_data
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def test_first_time_right_and_redispatches(personas: Personas) -> None:
    town = personas.actor("township_handler")
    right = services.create_report(town, report_data(personas.township))
    services.dispatch(town, right, "M001")
    services.accept(town, right)
    wrong = services.create_report(
        town, report_data(personas.township, channel="hotline_12345", text="另一件事情完全不同的内容")
    )
    services.dispatch(town, wrong, "M001")
    services.dispatch(town, wrong, "M002")
    services.hand_on(town, wrong, personas.department.pk, "属部门")
    total, by_unit, by_channel = quality.measure(Report.objects.all())
    assert (total.reports, total.first_time_right, total.redispatches) == (2, 1, 2)
    assert total.rate == 0.5 and len(total.hours_to_accept) == 1
    assert [(r.label, r.first_time_right) for r in by_channel] == [("12345热线", 0), ("来访", 1)]
    assert [r.label for r in by_unit] == [personas.township.name]
    c = Client()
    c.force_login(personas.township_handler.account)  # type: ignore[attr-defined]
    page = c.get("/intake/quality/").content.decode()
    assert "50%" in page and "12345热线" in page
