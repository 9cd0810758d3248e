"""Reads of the catalogue: scoped lists for signed-in pages and the public catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from xiezhi.catalogue.models import (
    CatalogueVersion,
    Devolution,
    Entrustment,
    Matter,
    SubjectList,
    VersionMatter,
    VersionStatus,
)
from xiezhi.catalogue.snapshot import cached_snapshot
from xiezhi.core.actor import Actor
from xiezhi.rulebook import jurisdiction as jr
from xiezhi.units.models import County, Unit, UnitKind


def matters_visible_to(actor: Actor) -> QuerySet[Matter]:
    if not actor.can_act_in_business or actor.county_id is None:
        return Matter.objects.none()
    return Matter.objects.filter(county_id=actor.county_id).select_related("department")


def search_matters(
    qs: QuerySet[Any], q: str = "", field: str = "", department: str = "", major: str = ""
) -> QuerySet[Any]:
    """Filters shared by working matters and version entries (entries reach the code through `matter`)."""
    code_field = "code" if qs.model is Matter else "matter__code"
    if q:
        qs = qs.filter(
            Q(**{f"{code_field}__icontains": q}) | Q(name__icontains=q) | Q(legal_basis_penalty__icontains=q)
        )
    if field:
        qs = qs.filter(field=field)
    if department:
        qs = (
            qs.filter(department_id=department)
            if str(department).isdigit()
            else qs.filter(department__name=department)
        )
    if major:
        qs = qs.filter(major_category=major)
    return qs


def fields_of(county_id: int) -> list[str]:
    return list(
        Matter.objects.filter(county_id=county_id)
        .order_by("field")
        .values_list("field", flat=True)
        .distinct()
    )


def versions_of(county_id: int) -> QuerySet[CatalogueVersion]:
    return (
        CatalogueVersion.objects.filter(county_id=county_id)
        .select_related("approved_by", "created_by")
        .order_by("-number")
    )


def entrustments_visible_to(actor: Actor) -> QuerySet[Entrustment]:
    if not actor.can_act_in_business or actor.county_id is None:
        return Entrustment.objects.none()
    return (
        Entrustment.objects.filter(county_id=actor.county_id)
        .select_related("department", "township")
        .prefetch_related("matters")
    )


def townships_of(county_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(county_id=county_id, kind=UnitKind.TOWNSHIP, active=True).order_by("code")
    )


@dataclass
class MatrixRow:
    entry: VersionMatter
    cells: list[list[Devolution]]


def version_matrix(
    version: CatalogueVersion, entries: list[VersionMatter], townships: list[Unit]
) -> list[MatrixRow]:
    """For one page of entries: each township's devolution periods."""
    found: dict[tuple[int, int], list[Devolution]] = {}
    devolutions = Devolution.objects.filter(
        version=version, matter_id__in=[e.matter_id for e in entries]
    ).select_related("entrustment")
    for d in devolutions.order_by("effective_from"):
        found.setdefault((d.matter_id, d.township_id), []).append(d)
    return [MatrixRow(e, [found.get((e.matter_id, t.pk), []) for t in townships]) for e in entries]


# --- public --------------------------------------------------------------------------------------


@dataclass
class PublicRow:
    entry: VersionMatter
    resolution: jr.Resolution


def version_in_force(county_id: int, on_date: date) -> CatalogueVersion | None:
    try:
        number = cached_snapshot(county_id).version_on(on_date).number
    except jr.NoCatalogueInForce:
        return None
    return CatalogueVersion.objects.filter(county_id=county_id, number=number).first()


def public_rows(
    township: Unit, version: CatalogueVersion, entries: list[VersionMatter], on_date: date
) -> list[PublicRow]:
    snapshot = cached_snapshot(township.county_id)
    return [PublicRow(e, jr.resolve(e.matter.code, township.code, on_date, snapshot)) for e in entries]


def public_entries(version: CatalogueVersion, q: str = "", field: str = "") -> QuerySet[VersionMatter]:
    qs = (
        VersionMatter.objects.filter(version=version)
        .select_related("matter", "department")
        .order_by("matter__code")
    )
    return search_matters(qs, q, field)


def public_townships() -> list[Unit]:
    return list(
        Unit.objects.filter(
            kind=UnitKind.TOWNSHIP,
            active=True,
            county__catalogue_versions__status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED],
        )
        .select_related("county")
        .distinct()
        .order_by("county__code", "code")
    )


def latest_subject_list(county: County) -> SubjectList | None:
    return SubjectList.objects.filter(county=county).order_by("-published_at").first()


def counties_with_lists() -> list[County]:
    return list(
        County.objects.filter(Q(subject_lists__isnull=False) | Q(units__is_enforcement_subject=True))
        .distinct()
        .order_by("code")
    )
