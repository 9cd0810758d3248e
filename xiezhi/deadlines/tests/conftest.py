"""Fixtures for the deadlines tests: a settable clock, subjects to hang obligations on, clients."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import User
from xiezhi.core.actor import Actor
from xiezhi.deadlines import services
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.workcalendar import database_calendar
from xiezhi.rulebook.workdays import register_default_provider
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.units.models import Person, Section, Unit

_seq = itertools.count(1)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Beijing-time datetime: sh(2024, 9, 27, 10) = 2024-09-27 10:00 +08:00."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def db_calendar() -> Iterator[None]:
    # Another test module may have swapped the rulebook's provider; these tests need the real one.
    register_default_provider(database_calendar)
    yield
    register_default_provider(database_calendar)


@dataclass
class Clock:
    now: datetime

    def set(self, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        self.now = sh(year, month, day, hour, minute)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Pins `timezone.now()` (what the services use as "now") to a settable instant."""
    state = Clock(sh(2024, 9, 27, 10))
    monkeypatch.setattr(timezone, "now", lambda: state.now)
    return state


def subject(unit: Unit, label: str | None = None) -> Section:
    """A saved row to hang an obligation on (any model will do: the link is generic)."""
    return Section.objects.create(unit=unit, name=label or f"案件{next(_seq)}")


def open_ob(
    unit: Unit,
    actor: Actor,
    start: datetime,
    rule_id: str = "R-TR-02",
    period: str | None = None,
    label: str | None = None,
) -> Obligation:
    thing = subject(unit, label)
    return services.open_obligation(
        rule_id=rule_id,
        unit=unit,
        subject=thing,
        start=start,
        period=period,
        actor=actor,
        label=label or f"移送：{thing.name}",
        url=f"/cases/{thing.pk}/",
    )


def client_for(who: Person | User) -> Client:
    user = who if isinstance(who, User) else who.account
    client = Client()
    client.force_login(user)
    if user.admin_role:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
