"""The Django side of `WorkCalendar.default()`: the bundled notices plus `CalendarOverride` rows.

The calendar is cached per process and rebuilt when `CalendarStamp.token` differs from the
token it was built from. Every override change writes a fresh random token in its own
transaction, so other processes notice on their next call, and a rolled-back change (or a
test's rolled-back transaction) can never be mistaken for the cached state.
"""

from __future__ import annotations

import logging
import threading
import uuid

from django.db import DatabaseError
from django.utils import timezone

from xiezhi.deadlines.models import CalendarOverride, CalendarStamp
from xiezhi.rulebook import workdays
from xiezhi.rulebook.workdays import HolidayRow, WorkCalendar

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cached: tuple[str, WorkCalendar] | None = None


def _token() -> str:
    return CalendarStamp.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def override_rows() -> list[HolidayRow]:
    return [
        HolidayRow(o.date, o.kind, o.name, o.source)
        for o in CalendarOverride.objects.order_by("date").only("date", "kind", "name", "source")
    ]


def database_calendar() -> WorkCalendar:
    """Bundled data plus the database overrides; registered as the rulebook's default provider."""
    global _cached
    try:
        token = _token()
        cached = _cached
        if cached is not None and cached[0] == token:
            return cached[1]
        with _lock:
            calendar = WorkCalendar.from_rows(override_rows())
            _cached = (token, calendar)
        return calendar
    except (DatabaseError, RuntimeError):
        # No database (not migrated yet, or a context that forbids queries such as the pure
        # rulebook tests): the bundled calendar is the right answer there.
        log.debug("calendar overrides unavailable; using the bundled calendar", exc_info=True)
        return workdays._bundled_calendar()


def lock() -> None:
    """Serialise calendar changes: lock the stamp row for the rest of the enclosing transaction."""
    CalendarStamp.objects.get_or_create(pk=1, defaults={"token": "", "changed_at": timezone.now()})
    CalendarStamp.objects.select_for_update().get(pk=1)


def touch() -> str:
    """Mark the overrides changed; call after `lock()`, inside the transaction that changed them."""
    token = uuid.uuid4().hex
    CalendarStamp.objects.filter(pk=1).update(token=token, changed_at=timezone.now())
    return token
