"""Catalogue versions: drafts, devolutions, publication, comparison (R-CAT-01, -02, -05, -06).

A draft is edited freely by the catalogue managers; publishing needs a leader of the county
government, validates the draft with the rulebook and freezes it. Publishing a version supersedes
the previously published one (which stays in force for dates before the new effective date), and
tells every affected township and department what changed for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.catalogue import access, notices
from xiezhi.catalogue import snapshot as snapshot_cache
from xiezhi.catalogue.bulk import insert_devolutions
from xiezhi.catalogue.models import (
    CatalogueVersion,
    Devolution,
    DevolutionMode,
    Entrustment,
    Matter,
    VersionMatter,
    VersionStatus,
)
from xiezhi.catalogue.services import version_conflict
from xiezhi.catalogue.snapshot import IN_FORCE_STATUSES, build_versions, unit_index
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed
from xiezhi.rulebook import jurisdiction as jr
from xiezhi.rulebook.workflows import CATALOGUE_VERSION, TransitionNotAllowed
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.cleaning import Cleaner, final
from xiezhi.units.models import Unit, UnitKind

MODE_BY_LABEL = {m.label: m.value for m in DevolutionMode} | {m.value: m.value for m in DevolutionMode}


def latest_published(county_id: int) -> CatalogueVersion | None:
    return (
        CatalogueVersion.objects.filter(county_id=county_id, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def _next_number(county_id: int) -> int:
    top = CatalogueVersion.objects.filter(county_id=county_id).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def _require_draft(version: CatalogueVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise version_conflict(version)


def _clean_version(data: Mapping[str, Any], version: CatalogueVersion | None) -> dict[str, Any]:
    c = Cleaner(data, creating=version is None)
    c.date("effective_from", "施行日期", required=True)
    c.text("title", "标题", max_length=200)
    c.text("decision_document", "决定文件", max_length=300)
    c.text("notes", "说明", max_length=4000)
    c.raise_if_errors()
    return c.cleaned


# --- drafts --------------------------------------------------------------------------------------


def create_draft(
    actor: Actor | None,
    county_id: int,
    data: Mapping[str, Any],
    *,
    based_on: CatalogueVersion | None = None,
    copy_latest: bool = True,
) -> CatalogueVersion:
    """A new draft, copying the matters and devolutions of `based_on` (default: the latest published)."""
    if actor is not None:
        access.require_manager(actor)
    cleaned = _clean_version(data, None)
    source = based_on if based_on is not None else (latest_published(county_id) if copy_latest else None)
    if source is not None and source.county_id != county_id:
        raise ValidationFailed.field("based_on", "只能基于本县的目录版本起草")
    if source is not None and not cleaned.get("decision_document"):
        # The province's decision usually still covers the next version; the approver may change it.
        cleaned["decision_document"] = source.decision_document
    with transaction.atomic():
        version = CatalogueVersion.objects.create(
            county_id=county_id,
            number=_next_number(county_id),
            based_on=source,
            created_by=actor.person if actor else None,
            **cleaned,
        )
        if source is not None:
            _copy_contents(source, version)
        record(
            actor,
            "catalogue.draft_created",
            version,
            after={
                "number": version.number,
                "effective_from": version.effective_from,
                "based_on": source.number if source else None,
            },
        )
    return version


def _copy_contents(source: CatalogueVersion, target: CatalogueVersion) -> None:
    """Entries follow the working matters (a draft always does); devolutions are copied as they are."""
    matters = Matter.objects.filter(entries__version=source)
    VersionMatter.objects.bulk_create(
        [VersionMatter(version=target, matter=m, **m.content()) for m in matters], batch_size=1000
    )
    rows = source.devolutions.values_list(
        "matter_id", "township_id", "mode", "effective_from", "effective_to", "entrustment_id"
    )
    insert_devolutions([(target.pk, *row) for row in rows])


def update_draft(actor: Actor, version: CatalogueVersion, data: Mapping[str, Any]) -> CatalogueVersion:
    access.require_manager(actor)
    _require_draft(version)
    cleaned = _clean_version(data, version)
    before = {k: getattr(version, k) for k in cleaned}
    with transaction.atomic():
        if not CatalogueVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(**cleaned):
            raise version_conflict(CatalogueVersion.objects.get(pk=version.pk))
        for name, value in cleaned.items():
            setattr(version, name, value)
        record(actor, "catalogue.draft_updated", version, before=before, after=cleaned)
    return version


def discard_draft(actor: Actor, version: CatalogueVersion, reason: str = "") -> CatalogueVersion:
    access.require_manager(actor)
    _transition(version, "discard")
    with transaction.atomic():
        if not CatalogueVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
            status=VersionStatus.DISCARDED
        ):
            raise Conflict("该草稿状态已变化，请刷新后重试")
        version.status = VersionStatus.DISCARDED
        record(actor, "catalogue.draft_discarded", version, reason=reason, after={"number": version.number})
    return version


def _transition(version: CatalogueVersion, action: str) -> str:
    try:
        return CATALOGUE_VERSION.next_state(version.status, action)
    except TransitionNotAllowed as exc:
        if version.status != VersionStatus.DRAFT:
            raise version_conflict(version) from None
        raise Conflict(exc.message) from None


def _townships(county_id: int) -> list[Unit]:
    return list(
        Unit.objects.filter(county_id=county_id, kind=UnitKind.TOWNSHIP, active=True).order_by("code")
    )


def add_matter(
    actor: Actor, version: CatalogueVersion, matter: Matter, mode: str | None = None
) -> VersionMatter:
    """Put a matter into a draft, with one mode for every township (statutory ones granted, else retained)."""
    access.require_manager(actor)
    _require_draft(version)
    if matter.county_id != version.county_id:
        raise ValidationFailed.field("matter_id", "只能加入本县的事项")
    if version.entries.filter(matter=matter).exists():
        raise ValidationFailed.field("matter_id", f"事项{matter.code}已在第{version.number}版目录中")
    chosen = MODE_BY_LABEL.get(mode or "") or (
        DevolutionMode.GRANTED if matter.township_statutory else DevolutionMode.RETAINED
    )
    if chosen == DevolutionMode.ENTRUSTED:
        raise ValidationFailed.field("mode", "委托事项须逐个乡镇指定委托书，请先加入事项再设置委托")
    with transaction.atomic():
        entry = VersionMatter.objects.create(version=version, matter=matter, **matter.content())
        Devolution.objects.bulk_create(
            [
                Devolution(version=version, matter=matter, township=t, mode=chosen)
                for t in _townships(version.county_id)
            ]
        )
        record(actor, "catalogue.draft_matter_added", version, after={"matter": matter.code, "mode": chosen})
    return entry


def remove_matter(actor: Actor, version: CatalogueVersion, matter: Matter) -> None:
    access.require_manager(actor)
    _require_draft(version)
    with transaction.atomic():
        deleted, _ = VersionMatter.objects.filter(version=version, matter=matter).delete()
        if not deleted:
            raise ValidationFailed.field("matter_id", f"事项{matter.code}不在第{version.number}版目录中")
        Devolution.objects.filter(version=version, matter=matter).delete()
        record(actor, "catalogue.draft_matter_removed", version, before={"matter": matter.code})


# --- devolutions ---------------------------------------------------------------------------------


@dataclass
class _DevolutionInput:
    matter: Matter
    township: Unit
    mode: str
    effective_from: date | None
    effective_to: date | None
    entrustment: Entrustment | None


def _period_text(start: date | None, end: date | None) -> str:
    a = format_date_zh(start) if start else "目录施行之日"
    b = format_date_zh(end) if end else "目录失效之日"
    return f"{a}至{b}"


def _clean_devolution(
    version: CatalogueVersion, data: Mapping[str, Any], devolution: Devolution | None
) -> _DevolutionInput:
    c = Cleaner(data, creating=devolution is None)
    c.integer("matter_id", "事项", required=True)
    c.integer("township_id", "乡镇（街道）", required=True)
    c.text("mode", "下放方式", max_length=20, required=True)
    c.date("effective_from", "起始日期")
    c.date("effective_to", "结束日期")
    c.integer("entrustment_id", "委托书")
    cleaned = c.cleaned
    mode = final(cleaned, devolution, "mode")
    if "mode" in cleaned:
        mode = MODE_BY_LABEL.get(cleaned["mode"])
        if mode is None:
            c.error(
                "mode",
                f"下放方式“{cleaned['mode']}”无效，只能是赋权（granted）、委托（entrusted）或不下放（retained）",
            )
    c.raise_if_errors()
    matter_id = final(cleaned, devolution, "matter_id")
    township_id = final(cleaned, devolution, "township_id")
    matter = Matter.objects.filter(pk=matter_id, county_id=version.county_id).first()
    if matter is None or not version.entries.filter(matter=matter).exists():
        c.error("matter_id", "该事项不在本版目录中，请先加入事项")
    township = Unit.objects.filter(
        pk=township_id, county_id=version.county_id, kind=UnitKind.TOWNSHIP
    ).first()
    if township is None:
        c.error("township_id", "须是本县的乡镇（街道）")
    start, end = final(cleaned, devolution, "effective_from"), final(cleaned, devolution, "effective_to")
    if start and end and end < start:
        c.error("effective_to", "结束日期早于起始日期")
    entrustment_id = final(cleaned, devolution, "entrustment_id")
    entrustment = None
    if mode == DevolutionMode.ENTRUSTED:
        if not entrustment_id:
            c.error("entrustment_id", "委托事项必须附行政执法委托书")
        else:
            entrustment = Entrustment.objects.filter(pk=entrustment_id, county_id=version.county_id).first()
            if entrustment is None:
                c.error("entrustment_id", "委托书不存在")
            elif matter is not None and township is not None:
                info = jr.EntrustmentInfo(
                    entrustment.number,
                    entrustment.department.code,
                    entrustment.township.code,
                    frozenset(entrustment.matters.values_list("code", flat=True)),
                    entrustment.valid_from,
                    entrustment.valid_to,
                )
                m_info = jr.MatterInfo(
                    matter.code, matter.name, matter.department.code, matter.department.name
                )
                problem = info.problem(
                    m_info, township.code, max(version.effective_from, start or version.effective_from)
                )
                if problem:
                    c.error("entrustment_id", problem)
    elif entrustment_id:
        c.error("entrustment_id", "只有委托事项才附委托书")
    c.raise_if_errors()
    assert matter is not None and township is not None and mode is not None
    overlapping = Devolution.objects.filter(version=version, matter=matter, township=township)
    if devolution is not None:
        overlapping = overlapping.exclude(pk=devolution.pk)
    for other in overlapping:
        if (other.effective_to is None or start is None or start <= other.effective_to) and (
            end is None or other.effective_from is None or other.effective_from <= end
        ):
            raise ValidationFailed.field(
                "effective_from",
                f"事项{matter.code}在{township.name}的下放期间重叠："
                f"已有{_period_text(other.effective_from, other.effective_to)}为{other.get_mode_display()}，"
                f"与{_period_text(start, end)}重叠",
            )
    return _DevolutionInput(matter, township, mode, start, end, entrustment)


def _devolution_state(d: Devolution) -> dict[str, Any]:
    return {
        "matter": d.matter.code,
        "township": d.township.name,
        "mode": d.mode,
        "effective_from": d.effective_from,
        "effective_to": d.effective_to,
        "entrustment": d.entrustment.number if d.entrustment else None,
    }


def create_devolution(actor: Actor, version: CatalogueVersion, data: Mapping[str, Any]) -> Devolution:
    access.require_manager(actor)
    _require_draft(version)
    clean = _clean_devolution(version, data, None)
    with transaction.atomic():
        devolution = Devolution.objects.create(version=version, **clean.__dict__)
        record(actor, "catalogue.devolution_created", version, after=_devolution_state(devolution))
    return devolution


def update_devolution(actor: Actor, devolution: Devolution, data: Mapping[str, Any]) -> Devolution:
    access.require_manager(actor)
    version = devolution.version
    _require_draft(version)
    before = _devolution_state(devolution)
    clean = _clean_devolution(version, data, devolution)
    with transaction.atomic():
        for name, value in clean.__dict__.items():
            setattr(devolution, name, value)
        devolution.save()
        record(
            actor, "catalogue.devolution_updated", version, before=before, after=_devolution_state(devolution)
        )
    return devolution


def delete_devolution(actor: Actor, devolution: Devolution) -> None:
    access.require_manager(actor)
    _require_draft(devolution.version)
    with transaction.atomic():
        record(
            actor, "catalogue.devolution_deleted", devolution.version, before=_devolution_state(devolution)
        )
        devolution.delete()


def set_mode(
    actor: Actor,
    version: CatalogueVersion,
    matter: Matter,
    township: Unit,
    mode: str,
    entrustment_id: int | None = None,
) -> Devolution:
    """Replace every period of (matter, township) in a draft by one mode for the whole version."""
    access.require_manager(actor)
    _require_draft(version)
    with transaction.atomic():
        existing = list(Devolution.objects.filter(version=version, matter=matter, township=township))
        before = [_devolution_state(d) for d in existing]
        Devolution.objects.filter(pk__in=[d.pk for d in existing]).delete()
        clean = _clean_devolution(
            version,
            {
                "matter_id": matter.pk,
                "township_id": township.pk,
                "mode": mode,
                "entrustment_id": entrustment_id,
            },
            None,
        )
        devolution = Devolution.objects.create(version=version, **clean.__dict__)
        record(
            actor,
            "catalogue.devolution_set",
            version,
            before={"periods": before},
            after=_devolution_state(devolution),
        )
    return devolution


# --- validation, publication, comparison ---------------------------------------------------------


def rulebook_views(
    county_id: int, versions: Iterable[CatalogueVersion]
) -> tuple[jr.CatalogueSnapshot, dict[int, jr.CatalogueVersion]]:
    """The county's in-force versions as a snapshot, plus the rulebook form of `versions` by id."""
    units = unit_index(county_id)
    published = list(CatalogueVersion.objects.filter(county_id=county_id, status__in=IN_FORCE_STATUSES))
    wanted = {v.pk: v for v in [*published, *versions]}
    built = build_versions(county_id, list(wanted.values()), units)
    snapshot = jr.CatalogueSnapshot(townships=units.townships, versions=[built[v.pk] for v in published])
    return snapshot, built


def draft_problems(version: CatalogueVersion, *, today: date | None = None) -> list[str]:
    """Why the draft cannot be published (empty: it can). Rulebook checks plus the decision document."""
    snapshot, built = rulebook_views(version.county_id, [version])
    problems = jr.validate_draft(built[version.pk], snapshot, today=today)
    granted = version.devolutions.filter(mode=DevolutionMode.GRANTED).exclude(matter__township_statutory=True)
    if granted.exists() and not version.decision_document.strip():
        problems.insert(0, "目录中有赋权事项，须载明省级人民政府的赋权决定（决定文件）")
    return problems


def publish(
    actor: Actor | None,
    version: CatalogueVersion,
    *,
    decision_document: str | None = None,
    today: date | None = None,
    check_retroactive: bool = True,
) -> CatalogueVersion:
    """Approve and publish a draft. `actor` must be a county-government leader (None only for demo data)."""
    if actor is not None:
        access.require_approver(actor)
    version.refresh_from_db(fields=["status"])
    _transition(version, "publish")
    if decision_document is not None:
        version.decision_document = decision_document.strip()[:300]
    today = today or timezone.localdate()
    problems = draft_problems(version, today=today if check_retroactive else None)
    if problems:
        message = f"第{version.number}版目录草稿未通过校验，不能公布：{problems[0]}"
        if len(problems) > 1:
            message += f"（共{len(problems)}个问题）"
        raise ValidationFailed(message, details={"__all__": problems[:200]})
    previous = latest_published(version.county_id)
    now = timezone.now()
    with transaction.atomic():
        approver = actor.person if actor is not None else None
        updated = CatalogueVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
            status=VersionStatus.PUBLISHED,
            approved_by=approver,
            published_at=now,
            decision_document=version.decision_document,
        )
        if not updated:
            raise Conflict("该草稿状态已变化（可能已被公布或废弃），请刷新后重试")
        version.status, version.approved_by, version.published_at = VersionStatus.PUBLISHED, approver, now
        superseded = list(
            CatalogueVersion.objects.filter(
                county_id=version.county_id, status=VersionStatus.PUBLISHED
            ).exclude(pk=version.pk)
        )
        CatalogueVersion.objects.filter(pk__in=[v.pk for v in superseded]).update(
            status=VersionStatus.SUPERSEDED
        )
        change = compare(previous, version) if previous is not None else None
        record(
            actor,
            "catalogue.version_published",
            version,
            after={
                "number": version.number,
                "effective_from": version.effective_from,
                "decision_document": version.decision_document,
                "changes": len(change.lines({})) if change else None,
            },
        )
        for old in superseded:
            record(actor, "catalogue.version_superseded", old, after={"superseded_by": version.number})
        notices.publication(version, previous, change)
        transaction.on_commit(lambda: snapshot_cache.invalidate(version.county_id))
    return version


def compare(a: CatalogueVersion, b: CatalogueVersion) -> jr.VersionDiff:
    """Matters added, removed, mode changed, legal basis changed, from `a` to `b`."""
    if a.county_id != b.county_id:
        raise ValidationFailed.field("against", "只能比较同一县的目录版本")
    built = build_versions(a.county_id, [a, b], unit_index(a.county_id))
    return jr.diff_versions(built[a.pk], built[b.pk])
