"""Obligations in a known state, opened and settled through the deadlines services (the same rows
the workflows write), about real shared records so the overdue list has something to link to."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from xiezhi.accounts.testing import sign_in
from xiezhi.coordination.sharing.models import SharedRecord
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines import sweep
from xiezhi.deadlines.models import Obligation
from xiezhi.testing.factories import Personas, actor_of
from xiezhi.units.models import Unit

# Old enough that a 10-working-day limit has passed, recent enough to stay inside the default range.
PAST = timedelta(days=40)


def record_for(unit: Unit, title: str = "共享信息") -> SharedRecord:
    return SharedRecord.objects.create(
        county=unit.county, category=4, sender=unit, title=title, content="统计分析数据", formed_at=timezone.now()
    )


def make_obligation(
    p: Personas, rule: str, unit: Unit, outcome: str, *, start: datetime | None = None, title: str = "共享信息",
    period: str = "3WD",
) -> Obligation:
    """``outcome``: open, on_time, late, overdue (marked by `finish_sweep`) or waived."""
    actor = actor_of(p.dispatcher)
    begin = start or (timezone.now() if outcome == "open" else timezone.now() - PAST)
    ob = deadlines.open_obligation(
        rule_id=rule, unit=unit, subject=record_for(unit, title), start=begin, actor=actor, period=period
    )
    if outcome == "on_time":
        deadlines.settle(ob, actor, met_at=ob.opened_at)
    elif outcome == "late":
        deadlines.settle(ob, actor, met_at=ob.due_at + timedelta(hours=1))
    elif outcome == "waived":
        deadlines.waive(actor, ob, "业务已撤回", by_process=True)
    ob.refresh_from_db()
    return ob


def finish_sweep() -> None:
    """Mark every open obligation past its due time overdue, as the scheduled sweep does."""
    sweep.run()


def client_for(p: Personas, who: str) -> Client:
    return sign_in(Client(), getattr(p, who))


def month_key(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"
