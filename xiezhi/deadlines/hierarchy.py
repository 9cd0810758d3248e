"""Who supervises whom, for scoping and escalation, read from `units` without adding to it.

A township's justice office is found by name: the county's `justice_office` units whose name
starts with the township's name (城关镇 → 城关镇司法所). The units app has no explicit link, and
this convention is how every justice office in the seed data is named; a county whose names
differ would need that link (say so in the units app, not here).
"""

from __future__ import annotations

from django.db.models import Q

from xiezhi.units.models import Unit, UnitKind


def justice_offices_for(township: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            kind=UnitKind.JUSTICE_OFFICE,
            county_id=township.county_id,
            active=True,
            name__startswith=township.name,
        )
    )


def townships_of(office: Unit) -> list[int]:
    """Ids of the townships a justice office supervises (its name starts with theirs)."""
    if office.kind != UnitKind.JUSTICE_OFFICE:
        return []
    townships = Unit.objects.filter(kind=UnitKind.TOWNSHIP, county_id=office.county_id).values_list(
        "pk", "name"
    )
    return [pk for pk, name in townships if name and office.name.startswith(name)]


def _county_units(unit: Unit, *kinds: str) -> list[Unit]:
    return list(Unit.objects.filter(county_id=unit.county_id, kind__in=kinds, active=True).order_by("code"))


def escalation_targets(unit: Unit) -> list[Unit]:
    """The units an overdue duty of ``unit`` is escalated to (督办).

    township → its justice office(s) and the command centre; department → the justice bureau;
    justice office → the justice bureau; command centre and justice bureau → the county
    government; police → the procuratorate (立案监督). Other kinds have no supervisor here.
    """
    kind = unit.kind
    targets: list[Unit]
    if kind == UnitKind.TOWNSHIP:
        targets = justice_offices_for(unit) + _county_units(unit, UnitKind.COMMAND_CENTRE)
    elif kind in (UnitKind.DEPARTMENT, UnitKind.JUSTICE_OFFICE):
        targets = _county_units(unit, UnitKind.JUSTICE_BUREAU)
    elif kind in (UnitKind.COMMAND_CENTRE, UnitKind.JUSTICE_BUREAU):
        targets = _county_units(unit, UnitKind.COUNTY_GOVERNMENT)
    elif kind == UnitKind.POLICE:
        targets = _county_units(unit, UnitKind.PROCURATORATE)
    else:
        targets = []
    return [t for t in targets if t.pk != unit.pk]


def supervised_unit_filter(office: Unit) -> Q:
    """Units whose obligations a justice office sees besides its own."""
    return Q(unit_id__in=townships_of(office))
