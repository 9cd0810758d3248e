"""Building the rulebook's `CatalogueSnapshot` from the database, and keeping it cached in-process.

Cache validity is checked on every call (not once per request, because services that call the
guard have no request): one indexed aggregate over the county's in-force versions — count, highest
id and latest publication time. Publishing a version (or superseding one) changes that stamp, so
every process sees a publication on its next resolve without any message passing; the publishing
process also drops its entry when the transaction commits. Where a database round trip is costly,
XIEZHI_CATALOGUE_STAMP_TTL (seconds, default 0 = check every call) lets a process trust a check
that recent: other processes then see a publication within that many seconds. A published
version and its frozen matters and devolutions never change (R-CAT-06) and entrustments referenced
by a published version are immutable too, so the stamp covers everything the snapshot contains.
A township created after the snapshot was built triggers one rebuild when it is first asked for.
Renaming a unit shows in explanations after the next publication.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from xiezhi.catalogue.models import (
    CatalogueVersion,
    Devolution,
    Entrustment,
    VersionMatter,
    VersionStatus,
)
from xiezhi.rulebook import jurisdiction as jr
from xiezhi.units.models import Unit, UnitKind

IN_FORCE_STATUSES = (VersionStatus.PUBLISHED.value, VersionStatus.SUPERSEDED.value)
Stamp = tuple[int, int, str]


@dataclass(frozen=True)
class UnitIndex:
    """The county's units by id, for turning foreign keys into the rulebook's codes and names."""

    by_id: dict[int, tuple[str, str]]
    townships: dict[str, str]  # code -> name, active townships only
    township_ids: dict[str, int]


def unit_index(county_id: int) -> UnitIndex:
    by_id: dict[int, tuple[str, str]] = {}
    townships: dict[str, str] = {}
    township_ids: dict[str, int] = {}
    rows = Unit.objects.filter(county_id=county_id).values_list("id", "code", "name", "kind", "active")
    for pk, code, name, kind, active in rows:
        by_id[pk] = (code, name)
        if kind == UnitKind.TOWNSHIP and active:
            townships[code] = name
            township_ids[code] = pk
    return UnitIndex(by_id, dict(sorted(townships.items())), township_ids)


def _entrustments(
    county_id: int, ids: Iterable[int] | None, units: UnitIndex
) -> dict[int, jr.EntrustmentInfo]:
    qs = Entrustment.objects.filter(county_id=county_id)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    scope: dict[int, set[str]] = defaultdict(set)
    through = Entrustment.matters.through.objects.filter(entrustment__in=qs)
    for entrustment_id, code in through.values_list("entrustment_id", "matter__code"):
        scope[entrustment_id].add(code)
    out: dict[int, jr.EntrustmentInfo] = {}
    for pk, number, dept_id, town_id, valid_from, valid_to in qs.values_list(
        "id", "number", "department_id", "township_id", "valid_from", "valid_to"
    ):
        out[pk] = jr.EntrustmentInfo(
            number=number,
            department_code=units.by_id[dept_id][0],
            township_code=units.by_id[town_id][0],
            scope=frozenset(scope.get(pk, ())),
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return out


def build_versions(
    county_id: int, versions: list[CatalogueVersion], units: UnitIndex
) -> dict[int, jr.CatalogueVersion]:
    """The rulebook form of each given version (frozen matters and devolutions), keyed by id."""
    ids = [v.pk for v in versions]
    matters: dict[int, dict[str, jr.MatterInfo]] = defaultdict(dict)
    codes: dict[int, str] = {}
    rows = VersionMatter.objects.filter(version_id__in=ids).values_list(
        "version_id",
        "matter_id",
        "matter__code",
        "name",
        "department_id",
        "major_category",
        "legal_basis_violation",
        "legal_basis_penalty",
    )
    for version_id, matter_id, code, name, dept_id, major, lbv, lbp in rows:
        codes[matter_id] = code
        dept_code, dept_name = units.by_id[dept_id]
        matters[version_id][code] = jr.MatterInfo(code, name, dept_code, dept_name, major, lbv, lbp)

    entries: dict[int, list[jr.DevolutionEntry]] = defaultdict(list)
    dev_rows = list(
        Devolution.objects.filter(version_id__in=ids).values_list(
            "version_id",
            "matter_id",
            "township_id",
            "mode",
            "effective_from",
            "effective_to",
            "entrustment_id",
        )
    )
    entrustments = _entrustments(county_id, {row[6] for row in dev_rows if row[6]}, units)
    mode_of = {m.value: m for m in jr.Mode}
    for version_id, matter_id, town_id, mode, start, end, entrustment_id in dev_rows:
        # A devolution for a matter the version does not contain gets a placeholder; validation reports it.
        code = codes.get(matter_id) or f"#{matter_id}"
        entries[version_id].append(
            jr.DevolutionEntry(
                code,
                units.by_id[town_id][0],
                mode_of.get(mode, mode),  # type: ignore[arg-type]
                start,
                end,
                entrustments.get(entrustment_id) if entrustment_id else None,
            )
        )
    return {
        v.pk: jr.CatalogueVersion(
            number=v.number,
            effective_from=v.effective_from,
            status=v.status,
            matters=matters.get(v.pk, {}),
            devolutions=tuple(entries.get(v.pk, ())),
        )
        for v in versions
    }


def build_snapshot(county_id: int, extra: Iterable[CatalogueVersion] = ()) -> jr.CatalogueSnapshot:
    """All in-force-kind versions of the county (plus `extra`, e.g. a draft to validate or compare)."""
    units = unit_index(county_id)
    versions = list(CatalogueVersion.objects.filter(county_id=county_id, status__in=IN_FORCE_STATUSES))
    known = {v.pk for v in versions}
    versions += [v for v in extra if v.pk not in known]
    built = build_versions(county_id, versions, units)
    return jr.CatalogueSnapshot(
        townships=units.townships,
        versions=[built[v.pk] for v in versions],
        county_name=_county_name(county_id),
    )


def _county_name(county_id: int) -> str:
    from xiezhi.units.models import County

    return County.objects.filter(pk=county_id).values_list("name", flat=True).first() or ""


# --- the in-process cache ------------------------------------------------------------------------

_STAMP_SQL = (
    "SELECT COUNT(*), COALESCE(MAX(id), 0), MAX(published_at) FROM {table} "
    "WHERE county_id = %s AND status IN (%s, %s)"
)
_cache: dict[int, tuple[Stamp, jr.CatalogueSnapshot]] = {}
_checked: dict[int, float] = {}  # county → time.monotonic() of its last stamp check
_lock = threading.Lock()


def current_stamp(county_id: int) -> Stamp:
    sql = _STAMP_SQL.format(table=CatalogueVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [county_id, *IN_FORCE_STATUSES])
        count, top, last = cursor.fetchone()
    return int(count), int(top), str(last)


def cached_snapshot(county_id: int, *, refresh: bool = False) -> jr.CatalogueSnapshot:
    """The county's snapshot; the stamp is checked on every call unless XIEZHI_CATALOGUE_STAMP_TTL
    (seconds, default 0) allows trusting a check that recent. A publication in this process drops
    the entry at once (`invalidate`); other processes see it within the TTL."""
    hit = _cache.get(county_id)
    ttl = float(getattr(settings, "XIEZHI_CATALOGUE_STAMP_TTL", 0) or 0)
    now = time.monotonic()
    if hit is not None and not refresh and ttl > 0 and now - _checked.get(county_id, float("-inf")) < ttl:
        return hit[1]
    stamp = current_stamp(county_id)
    _checked[county_id] = now
    if hit is not None and hit[0] == stamp and not refresh:
        return hit[1]
    with _lock:
        hit = _cache.get(county_id)
        if hit is not None and hit[0] == stamp and not refresh:
            return hit[1]
        snapshot = build_snapshot(county_id)
        # Build the lookup indexes now, under the lock, rather than on some caller's first resolve.
        snapshot.published_versions()
        for version in snapshot.versions:
            _ = version.devolution_index
        _cache[county_id] = (stamp, snapshot)
        return snapshot


def cached_township(text: str, county_id: int | None = None) -> tuple[int, str] | None:
    """(county id, township code) for a code or name found in exactly one cached snapshot, else None.

    Saves the unit query when callers pass a township as text; anything not cached (or ambiguous)
    goes to the database instead."""
    found: list[tuple[int, str]] = []
    for cid, (_, snap) in list(_cache.items()):
        if county_id is not None and cid != county_id:
            continue
        if text in snap.townships:
            found.append((cid, text))
        else:
            found += [(cid, code) for code, name in snap.townships.items() if name == text]
    return found[0] if len(found) == 1 else None


def invalidate(county_id: int) -> None:
    _cache.pop(county_id, None)
    _checked.pop(county_id, None)


def clear_cache() -> None:
    _cache.clear()
    _checked.clear()
