"""§4 duplicates: flagged on registration, merged on a handler's decision, every reporter replied to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiezhi.core.errors import Conflict
from xiezhi.deadlines.models import Obligation
from xiezhi.intake import duplicates, services
from xiezhi.intake.models import Report, Status
from xiezhi.intake.tests.conftest import report_data
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db

FIRST = "人民路菜市场门口每天早上有人占道摆摊卖菜，堵塞交通。"
SECOND = "人民路菜市场门口天天早上占道摆摊卖菜，车都过不去。"
OTHER = "河道里有人倾倒建筑垃圾，气味难闻。"


def test_similarity_is_meaningful() -> None:
    assert duplicates.similarity(FIRST, SECOND) > duplicates.TEXT_THRESHOLD
    assert duplicates.similarity(FIRST, OTHER) < duplicates.TEXT_THRESHOLD


def test_flagged_only_when_same_township_near_and_recent(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    a = services.create_report(actor, report_data(personas.township, text=FIRST, address="人民路18号"))
    b = services.create_report(actor, report_data(personas.township, text=SECOND, address="人民路18号菜市场"))
    assert Report.objects.get(pk=b.pk).possible_duplicate_of_id == a.pk
    c = services.create_report(actor, report_data(personas.township, text=OTHER))
    d = services.create_report(actor, report_data(personas.other_township, text=SECOND))
    e = services.create_report(
        actor, report_data(personas.township, text=SECOND, address="青石镇解放路200号")
    )
    assert [Report.objects.get(pk=x.pk).possible_duplicate_of_id for x in (c, d, e)] == [None, None, None]
    Report.objects.filter(pk__in=[a.pk, b.pk]).update(created_at=timezone.now() - timedelta(days=31))
    f = services.create_report(actor, report_data(personas.township, text=SECOND, address="人民路18号"))
    assert Report.objects.get(pk=f.pk).possible_duplicate_of_id is None


def test_merge_keeps_every_reporter_and_replies_to_all(personas: Personas) -> None:
    actor = personas.actor("township_handler")
    a = services.create_report(actor, report_data(personas.township, text=FIRST))
    b = services.create_report(
        actor,
        report_data(personas.township, text=SECOND, reporter_name="林女士", reporter_phone="13912345678"),
    )
    services.merge(actor, b, a.pk)
    b.refresh_from_db()
    assert b.status == Status.MERGED and b.merged_into_id == a.pk and b.reporter_name == "林女士"
    assert not Obligation.objects.filter(subject_id=str(b.pk), status="open").exists()
    with pytest.raises(Conflict):
        services.merge(actor, a, b.pk)
    a = Report.objects.get(pk=a.pk)
    services.accept(actor, a)
    services.reply_no_violation(actor, a, "已清理占道摊点。")
    b.refresh_from_db()
    assert b.status == Status.REPLIED and b.reply == "已清理占道摊点。"
    assert b.events.filter(kind="replied").exists()
