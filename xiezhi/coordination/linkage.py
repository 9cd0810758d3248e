"""Helpers shared by consultations (`meetings/`) and joint operations (`operations/`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone

from xiezhi.notifications.services import notify
from xiezhi.rulebook.periods import DAYS, Period
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.models import Person, Unit

__all__ = [
    "days_until",
    "ids",
    "people_of",
    "tell",
    "units_of",
]


def days_until(due: date) -> Period:
    """A calendar-day period from today that ends at 24:00 of ``due`` (a date a meeting decided)."""
    return Period(DAYS, max((due - timezone.localdate()).days, 0))


def tell(unit: Unit, key: str, title: str, url: str, *, body: str = "", kind: str = "coordination") -> None:
    notify(
        title=title[:200], body=body or title, dedupe_key=f"{key}:u{unit.pk}", unit=unit, url=url, kind=kind
    )


def ids(data: Mapping[str, Any], name: str) -> list[Any]:
    """A list of ids from JSON (a list) or a form (getlist, each item possibly "3, 5" or "3 5")."""
    raw = data.get(name)
    if raw in (None, ""):
        return []
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    out: list[Any] = []
    for item in items:
        if isinstance(item, str):
            out += [x for x in item.replace("，", ",").replace(",", " ").split() if x]
        elif item not in (None, ""):
            out.append(item)
    return out


def units_of(
    county_id: int, raw: list[Any], label: str, errors: dict[str, list[str]], name: str
) -> list[Unit]:
    """Active units of the county by id; unknown ids are reported under ``name``."""
    wanted: list[int] = []
    for value in raw:
        pk = value.pk if isinstance(value, Unit) else value
        try:
            wanted.append(int(pk))
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(f"{label}“{value}”无效")
    found = {u.pk: u for u in Unit.objects.filter(county_id=county_id, active=True, pk__in=wanted)}
    for pk in wanted:
        if pk not in found:
            errors.setdefault(name, []).append(f"{label}不存在或已停用：{pk}")
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def people_of(raw: list[Any], label: str, errors: dict[str, list[str]], name: str) -> list[Person]:
    wanted: list[int] = []
    for value in raw:
        pk = value.pk if isinstance(value, Person) else value
        try:
            wanted.append(int(pk))
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(f"{label}“{value}”无效")
    found = {p.pk: p for p in Person.objects.filter(active=True, pk__in=wanted).select_related("unit")}
    for pk in wanted:
        if pk not in found:
            errors.setdefault(name, []).append(f"{label}不存在或已离岗：{pk}")
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def day_label(day: date) -> str:
    return format_date_zh(day)
