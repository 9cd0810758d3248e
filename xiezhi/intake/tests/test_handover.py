"""A township's hand-on with a confirmed matter produces a draft transfer (R-IN-02, via the transfers app)."""

from __future__ import annotations

import pytest

from xiezhi.intake import services
from xiezhi.intake.models import Report
from xiezhi.intake.tests.conftest import PNG, report_data
from xiezhi.testing.factories import Personas
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import build_world

pytestmark = pytest.mark.django_db


@pytest.mark.rule("R-IN-02")
def test_township_hand_on_drafts_a_transfer_with_the_material(personas: Personas) -> None:
    world = build_world(personas)
    town = personas.actor("township_handler")
    report = services.create_report(town, report_data(personas.township), [("photo.png", PNG)])
    services.dispatch(town, report, world.plan.code, world.plan.name)
    services.hand_on(town, report, personas.department.pk, "属规划许可保留事项", party="王某某")
    report = Report.objects.get(pk=report.pk)
    # The report stays the township's until the department accepts the transfer (R-TR-08).
    assert report.transfer_id is not None and report.current_unit == personas.township
    t = Transfer.objects.get(pk=report.transfer_id)
    assert t.sender == personas.township and t.receiver == personas.department and t.party == "王某某"
    assert t.source_reference == f"投诉举报{report.pk}" and t.facts == report.text
    assert t.materials.filter(kind="complaint").count() == 1  # type: ignore[attr-defined]


def test_township_hand_on_without_matter_is_recorded_only(personas: Personas) -> None:
    town = personas.actor("township_handler")
    report = services.create_report(town, report_data(personas.township))
    services.hand_on(town, report, personas.department.pk, "属部门")
    assert Report.objects.get(pk=report.pk).transfer_id is None
    assert "未生成移送函草稿" in report.events.get(kind="transferred").note
    assert not Transfer.objects.exists()


def test_detail_shows_the_competent_unit_from_the_catalogue(personas: Personas) -> None:
    from django.test import Client

    world = build_world(personas)
    town = personas.actor("township_handler")
    report = services.create_report(town, report_data(personas.township))
    services.dispatch(town, report, world.city.code, world.city.name)
    c = Client()
    c.force_login(personas.township_handler.account)  # type: ignore[attr-defined]
    page = c.get(f"/intake/{report.pk}/").content.decode()
    assert 'data-testid="competent-unit">城关镇' in page
    services.dispatch(town, report, world.plan.code, world.plan.name)
    page = c.get(f"/intake/{report.pk}/").content.decode()
    assert f'data-testid="competent-unit">{personas.department.name}' in page
