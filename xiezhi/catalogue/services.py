"""Catalogue writes and THE jurisdiction guard.

`resolve` answers who is competent for a matter in a township on a date, against the catalogue
version in force on that date (R-CAT-06). `ensure_may_penalise` is the one guard that case,
transfer and linkage services call before a penalty or coercive measure: a refusal is audited
("catalogue.penalty_refused") and raised as a 403 with the Chinese explanation (R-CAT-04).
Call it before opening your own transaction: the refusal's audit event is written in a
transaction of its own, and would be rolled back with yours if you called it inside one.

Versions, devolutions and publication live in `versions.py`; this module holds the resolver
glue, matters, entrustments and the enforcement-subject list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.catalogue import access
from xiezhi.catalogue.models import (
    CatalogueVersion,
    Devolution,
    Entrustment,
    MajorCategory,
    Matter,
    SubjectList,
    VersionMatter,
    VersionStatus,
)
from xiezhi.catalogue.snapshot import IN_FORCE_STATUSES, cached_snapshot, cached_township
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.rulebook import jurisdiction as jr
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.cleaning import Cleaner, final
from xiezhi.units.models import Unit, UnitKind

# --- jurisdiction --------------------------------------------------------------------------------

MATTER_OWNER_KINDS = (UnitKind.DEPARTMENT, UnitKind.COUNTY_GOVERNMENT, UnitKind.POLICE)


def no_catalogue_message(on_date: date) -> str:
    return f"该日期没有生效的事项目录（截至{format_date_zh(on_date)}尚无公布施行的目录版本）"


def find_township(township: Unit | str | int, county_id: int | None = None) -> Unit:
    """A township by Unit, id, code or name (optionally within one county)."""
    if isinstance(township, Unit):
        if township.kind != UnitKind.TOWNSHIP or (county_id is not None and township.county_id != county_id):
            raise ValidationFailed.field("township", f"{township.name}不是本县的乡镇（街道）")
        return township
    qs = Unit.objects.filter(kind=UnitKind.TOWNSHIP)
    if county_id is not None:
        qs = qs.filter(county_id=county_id)
    if isinstance(township, int):
        found = list(qs.filter(pk=township)[:2])
    else:
        text = str(township).strip()
        found = list(qs.filter(Q(code=text) | Q(name=text))[:2])
    if len(found) != 1:
        problem = "未知的乡镇（街道）" if not found else "乡镇（街道）名称不唯一，请使用单位编码"
        raise ValidationFailed.field("township", f"{problem}：{township}")
    return found[0]


def _matter_code(matter: Matter | str) -> str:
    return matter.code if isinstance(matter, Matter) else str(matter).strip()


def resolve(
    matter: Matter | str, township: Unit | str | int, on_date: date, *, county_id: int | None = None
) -> jr.Resolution:
    """The resolution for `matter` in `township` on `on_date` (cached snapshot; see snapshot.py)."""
    hit = cached_township(township.strip(), county_id) if isinstance(township, str) else None
    if hit is not None:
        county, town_code = hit
        snapshot = cached_snapshot(county)
        if town_code not in snapshot.townships:  # the cached name was stale: ask the database
            hit = None
    if hit is None:
        unit = find_township(township, county_id)
        county, town_code = unit.county_id, unit.code
        snapshot = cached_snapshot(county)
        if town_code not in snapshot.townships:  # a township created since the snapshot was built
            snapshot = cached_snapshot(county, refresh=True)
    code = _matter_code(matter)
    try:
        return jr.resolve(code, town_code, on_date, snapshot)
    except jr.NoCatalogueInForce:
        raise ValidationFailed.field("date", no_catalogue_message(on_date)) from None
    except jr.UnknownMatter as exc:
        if not Matter.objects.filter(county_id=county, code=code).exists():
            raise ValidationFailed.field("matter", f"未知的事项编码：{code}") from None
        raise ValidationFailed.field("matter", exc.message) from None
    except jr.UnknownTownship as exc:
        raise ValidationFailed.field("township", exc.message) from None


def resolution_dict(r: jr.Resolution) -> dict[str, Any]:
    """The public shape of a resolution (CLI --json, API), keys fixed by issue 5 §7."""
    return {
        "mode": r.mode.value,
        "subject": r.enforcement_subject.name,
        "acting_unit": r.acting_unit.name,
        "in_name_of": r.in_name_of.name,
        "department_may_inspect": r.department_may_inspect,
        "department_may_penalise": r.department_may_penalise,
        "version": r.version_number,
        "explanation": r.explanation,
    }


def ensure_may_penalise(
    actor_or_unit: Actor | Unit,
    matter: Matter | str,
    township: Unit | str | int,
    on_date: date,
    action: jr.Action = "penalise",
) -> jr.Resolution:
    """Return the resolution if the unit may take `action`; otherwise audit and raise a 403.

    Refuses a county department penalising or coercing on a matter granted to the township
    (R-CAT-04), a township acting on a matter it was not given (R-CAT-02/03), any other unit,
    and acting in the name of a unit that is not a lawful enforcement subject (R-CAT-07).
    """
    actor = actor_or_unit if isinstance(actor_or_unit, Actor) else None
    unit = actor.unit if actor is not None else actor_or_unit
    if not isinstance(unit, Unit):
        raise PermissionDenied("只有执法单位可以实施行政执法行为")
    town = find_township(township, unit.county_id)
    resolution = resolve(matter, town, on_date)
    subjects = set(
        Unit.objects.filter(county_id=unit.county_id, is_enforcement_subject=True, active=True).values_list(
            "code", flat=True
        )
    )
    snapshot = cached_snapshot(unit.county_id)
    try:
        return jr.ensure_may_penalise(
            unit.code, resolution.matter.code, town.code, on_date, snapshot, action, subject_units=subjects
        )
    except jr.PenaltyPowerRefused as exc:
        details = {
            "rule": exc.rule,
            "action": action,
            "mode": exc.resolution.mode.value,
            "version": exc.resolution.version_number,
            "explanation": exc.resolution.explanation,
        }
        with transaction.atomic():
            record(
                actor,
                "catalogue.penalty_refused",
                ("catalogue.matter", resolution.matter.code, resolution.matter.name),
                after={"unit": unit.name, "township": town.name, "date": on_date.isoformat(), **details},
                reason=exc.message,
                success=False,
                actor_name=None if actor is not None else unit.name,
            )
        raise PermissionDenied(exc.message, code="penalty_refused", details=details) from None


# --- matters -------------------------------------------------------------------------------------

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
TEXT_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("legal_basis_violation", "违法行为依据", 2000),
    ("legal_basis_penalty", "处罚依据", 2000),
    ("penalty", "处罚种类和幅度", 2000),
    ("related_inspection_powers", "相关检查权", 2000),
    ("related_coercive_powers", "相关行政强制权", 2000),
    ("discretion_benchmark", "裁量基准文件", 2000),
    ("procedure_notes", "办理程序", 4000),
    ("standard_notes", "执法标准", 4000),
    ("source", "条文出处", 1000),
)
# What the owning department may edit itself (R-CAT-05).
DEPARTMENT_FIELDS = (
    "legal_basis_violation",
    "legal_basis_penalty",
    "penalty",
    "min_fine",
    "max_fine",
    "related_inspection_powers",
    "related_coercive_powers",
    "discretion_benchmark",
    "procedure_notes",
    "standard_notes",
)
MATTER_AUDIT_FIELDS = (
    "code",
    "name",
    "field",
    "department_id",
    "township_statutory",
    "legal_basis_violation",
    "legal_basis_penalty",
    "penalty",
    "min_fine",
    "max_fine",
    "major_category",
    "related_inspection_powers",
    "related_coercive_powers",
    "discretion_benchmark",
    "procedure_notes",
    "standard_notes",
)


def _state(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _clean_matter(data: Mapping[str, Any], county_id: int, matter: Matter | None) -> dict[str, Any]:
    c = Cleaner(data, creating=matter is None)
    c.text("code", "事项编码", max_length=40, required=True)
    c.text("name", "事项名称", max_length=300, required=True)
    c.text("field", "领域", max_length=60, required=True)
    c.integer("department_id", "主管部门", required=True)
    c.boolean("township_statutory", "乡镇法定职权")
    for name, label, length in TEXT_FIELDS:
        c.text(name, label, max_length=length)
    c.integer("min_fine", "最低罚款")
    c.integer("max_fine", "最高罚款")
    c.choice("major_category", "重大违法类别", MajorCategory.choices)
    cleaned = c.cleaned
    code = cleaned.get("code")
    if code is not None and not CODE_RE.match(code):
        c.error("code", "事项编码只能由字母、数字、连字符、下划线和点组成，且不超过40个字符")
    elif code is not None:
        clash = Matter.objects.filter(county_id=county_id, code=code)
        if matter is not None:
            clash = clash.exclude(pk=matter.pk)
        other = clash.first()
        if other is not None:
            c.error("code", f"事项编码{code}已被事项“{other.name}”使用，同一县内事项编码不能重复")
    if (
        cleaned.get("department_id") is not None
        and not Unit.objects.filter(
            pk=cleaned["department_id"], county_id=county_id, kind__in=MATTER_OWNER_KINDS
        ).exists()
    ):
        c.error("department_id", "主管部门须是本县的县级部门")
    for name, label in (("min_fine", "最低罚款"), ("max_fine", "最高罚款")):
        value = cleaned.get(name)
        if value is not None and value < 0:
            c.error(name, f"{label}不能为负数")
    low, high = final(cleaned, matter, "min_fine"), final(cleaned, matter, "max_fine")
    if low is not None and high is not None and low > high:
        c.error("max_fine", "最高罚款不能低于最低罚款")
    if "major_category" in cleaned and not cleaned["major_category"]:
        cleaned["major_category"] = MajorCategory.NONE
    c.raise_if_errors()
    return cleaned


def create_matter(actor: Actor, data: Mapping[str, Any]) -> Matter:
    county_id = access.require_reader(actor)
    cleaned = _clean_matter(data, county_id, None)
    matter = Matter(county_id=county_id, **cleaned)
    if not access.can_edit_matter(actor, matter):
        raise PermissionDenied("只有事项清单维护人员或主管部门可以新增事项")
    try:
        with transaction.atomic():
            matter.save()
            record(actor, "catalogue.matter_created", matter, after=_state(matter, MATTER_AUDIT_FIELDS))
    except IntegrityError:
        raise ValidationFailed.field(
            "code", f"事项编码{matter.code}已被使用，同一县内事项编码不能重复"
        ) from None
    return matter


def update_matter(actor: Actor, matter: Matter, data: Mapping[str, Any]) -> Matter:
    """Edit the working definition; drafts that contain the matter follow, published versions don't.

    The owning department keeps what R-CAT-05 gives it (legal basis, penalty, powers, benchmark,
    procedure, standard); code, name, field and owner are the catalogue managers' to change."""
    if not access.can_edit_matter(actor, matter):
        raise PermissionDenied("只有主管部门或事项清单维护人员可以修改该事项")
    if not access.can_manage(actor):
        outside = sorted(set(data) - set(DEPARTMENT_FIELDS))
        if outside:
            raise PermissionDenied(
                "主管部门可以修改法律依据、处罚、相关权力、裁量基准、程序和标准；"
                f"以下项目须由事项清单维护人员办理：{'、'.join(outside)}"
            )
    cleaned = _clean_matter(data, matter.county_id, matter)
    before = _state(matter, MATTER_AUDIT_FIELDS)
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(matter, name, value)
        try:
            with transaction.atomic():
                matter.save()
        except IntegrityError:
            raise ValidationFailed.field("code", f"事项编码{matter.code}已被使用") from None
        VersionMatter.objects.filter(matter=matter, version__status=VersionStatus.DRAFT).update(
            **matter.content()
        )
        old, new = _changes(before, _state(matter, MATTER_AUDIT_FIELDS))
        if new:
            record(actor, "catalogue.matter_updated", matter, before=old, after=new)
    return matter


def delete_matter(actor: Actor, matter: Matter) -> None:
    if not access.can_manage(actor):
        raise PermissionDenied("只有事项清单维护人员可以删除事项")
    if matter.entries.filter(version__status__in=IN_FORCE_STATUSES).exists():
        raise Conflict("该事项载于已公布的目录版本，不能删除；如需取消，请在新草稿中移除该事项")
    with transaction.atomic():
        record(actor, "catalogue.matter_deleted", matter, before=_state(matter, MATTER_AUDIT_FIELDS))
        Devolution.objects.filter(matter=matter).delete()
        VersionMatter.objects.filter(matter=matter).delete()
        matter.entrustments.clear()
        matter.delete()


# --- entrustments --------------------------------------------------------------------------------

ENTRUSTMENT_AUDIT_FIELDS = (
    "number",
    "department_id",
    "township_id",
    "authority",
    "valid_from",
    "valid_to",
    "responsibility",
    "signed_on",
)


def entrustment_in_published_use(entrustment: Entrustment) -> bool:
    return entrustment.devolutions.filter(version__status__in=IN_FORCE_STATUSES).exists()


def _clean_entrustment(
    actor: Actor, data: Mapping[str, Any], county_id: int, entrustment: Entrustment | None
) -> tuple[dict[str, Any], list[Matter] | None]:
    c = Cleaner(data, creating=entrustment is None)
    c.text("number", "委托书编号", max_length=60, required=True)
    c.integer("department_id", "委托机关", required=True)
    c.integer("township_id", "受委托乡镇", required=True)
    c.text("authority", "委托权限", max_length=2000, required=True)
    c.date("valid_from", "委托期限起", required=True)
    c.date("valid_to", "委托期限止", required=True)
    c.text("responsibility", "法律责任", max_length=2000, required=True)
    c.date("signed_on", "签署日期")
    cleaned = c.cleaned
    for name in ("valid_from", "valid_to"):
        if any(m.startswith("请填写") for m in c.errors.get(name, [])):
            c.errors[name] = ["委托书必须载明委托期限（起止日期）"]
    number = cleaned.get("number")
    if number:
        clash = Entrustment.objects.filter(county_id=county_id, number=number)
        if entrustment is not None:
            clash = clash.exclude(pk=entrustment.pk)
        if clash.exists():
            c.error("number", f"委托书编号{number}已被使用")
    dept_id = final(cleaned, entrustment, "department_id")
    if "department_id" in cleaned and cleaned["department_id"] is not None:
        if not Unit.objects.filter(pk=dept_id, county_id=county_id, kind=UnitKind.DEPARTMENT).exists():
            c.error("department_id", "委托机关须是本县的县级部门")
        elif not access.can_manage_entrustments_of(actor, dept_id):
            raise PermissionDenied("部门只能以本部门名义出具委托书")
    if (
        "township_id" in cleaned
        and cleaned["township_id"] is not None
        and not Unit.objects.filter(
            pk=cleaned["township_id"], county_id=county_id, kind=UnitKind.TOWNSHIP
        ).exists()
    ):
        c.error("township_id", "受委托单位须是本县的乡镇（街道）")
    start, end = final(cleaned, entrustment, "valid_from"), final(cleaned, entrustment, "valid_to")
    if start and end and end < start:
        c.error("valid_to", "委托期限的结束日期早于开始日期")
    matters: list[Matter] | None = None
    if "matter_ids" in data or entrustment is None:
        raw = data.get("matter_ids") or []
        try:
            ids = sorted({int(x) for x in raw})
        except (TypeError, ValueError):
            ids = []
            c.error("matter_ids", "委托事项格式有误")
        if not ids:
            c.error("matter_ids", "委托书必须载明委托范围（至少一个事项）")
        matters = list(Matter.objects.filter(county_id=county_id, pk__in=ids))
        if len(matters) != len(ids):
            c.error("matter_ids", "委托事项中有不存在的事项")
        foreign = [m.code for m in matters if dept_id is not None and m.department_id != dept_id]
        if foreign:
            c.error("matter_ids", f"以下事项不属于委托机关，不能委托：{'、'.join(foreign[:10])}")
    c.raise_if_errors()
    return cleaned, matters


def create_entrustment(actor: Actor, data: Mapping[str, Any]) -> Entrustment:
    county_id = access.require_reader(actor)
    if not access.can_issue_entrustments(actor):
        raise PermissionDenied("只有县级部门负责人、联络员或事项清单维护人员可以出具委托书")
    cleaned, matters = _clean_entrustment(actor, data, county_id, None)
    with transaction.atomic():
        entrustment = Entrustment.objects.create(county_id=county_id, created_by=actor.person, **cleaned)
        entrustment.matters.set(matters or [])
        record(
            actor,
            "catalogue.entrustment_created",
            entrustment,
            after={
                **_state(entrustment, ENTRUSTMENT_AUDIT_FIELDS),
                "matters": [m.code for m in matters or []],
            },
        )
    return entrustment


def update_entrustment(actor: Actor, entrustment: Entrustment, data: Mapping[str, Any]) -> Entrustment:
    if not access.can_manage_entrustments_of(actor, entrustment.department_id):
        raise PermissionDenied("只有委托机关的负责人、联络员或事项清单维护人员可以修改委托书")
    if entrustment_in_published_use(entrustment):
        raise Conflict("该委托书已被已公布的目录引用，不能修改；如需变更，请出具新的委托书并在新草稿中引用")
    cleaned, matters = _clean_entrustment(actor, data, entrustment.county_id, entrustment)
    before = {
        **_state(entrustment, ENTRUSTMENT_AUDIT_FIELDS),
        "matters": sorted(entrustment.matters.values_list("code", flat=True)),
    }
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(entrustment, name, value)
        entrustment.save()
        if matters is not None:
            entrustment.matters.set(matters)
        after = {
            **_state(entrustment, ENTRUSTMENT_AUDIT_FIELDS),
            "matters": sorted(entrustment.matters.values_list("code", flat=True)),
        }
        old, new = _changes(before, after)
        if new:
            record(actor, "catalogue.entrustment_updated", entrustment, before=old, after=new)
    return entrustment


def delete_entrustment(actor: Actor, entrustment: Entrustment) -> None:
    if not access.can_manage_entrustments_of(actor, entrustment.department_id):
        raise PermissionDenied("只有委托机关的负责人、联络员或事项清单维护人员可以删除委托书")
    if entrustment.devolutions.exists():
        raise Conflict("该委托书已被目录版本引用，不能删除")
    with transaction.atomic():
        record(
            actor,
            "catalogue.entrustment_deleted",
            entrustment,
            before=_state(entrustment, ENTRUSTMENT_AUDIT_FIELDS),
        )
        entrustment.delete()


# --- the list of enforcement subjects (R-CAT-07) -------------------------------------------------

SUBJECT_REVIEW_DAYS = 366


def subject_entries(county_id: int) -> list[dict[str, Any]]:
    units = Unit.objects.filter(county_id=county_id, is_enforcement_subject=True, active=True).order_by(
        "kind", "code"
    )
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.get_kind_display(),
            "legal_basis": u.subject_legal_basis,
            "review_date": u.subject_review_date.isoformat() if u.subject_review_date else "",
        }
        for u in units
    ]


def publish_subject_list(actor: Actor, *, year: int | None = None, note: str = "") -> SubjectList:
    """Publish this year's reviewed list; every subject must have been reviewed within a year."""
    county_id = access.require_manager(actor)
    today = timezone.localdate()
    year = year or today.year
    entries = subject_entries(county_id)
    errors: list[str] = []
    if not entries:
        errors.append("本县没有具有执法主体资格的单位，不能公布空名单")
    for e in entries:
        reviewed = date.fromisoformat(e["review_date"]) if e["review_date"] else None
        if reviewed is None or (today - reviewed).days > SUBJECT_REVIEW_DAYS:
            errors.append(f"{e['name']}的主体资格超过一年未审核，请先审核")
        if not e["legal_basis"]:
            errors.append(f"{e['name']}没有载明主体资格依据")
    if errors:
        raise ValidationFailed(errors[0], details={"__all__": errors})
    with transaction.atomic():
        published = SubjectList.objects.create(
            county_id=county_id,
            year=year,
            published_at=timezone.now(),
            published_by=actor.person,
            entries=entries,
            note=note,
        )
        record(actor, "catalogue.subjects_published", published, after={"year": year, "count": len(entries)})
    return published


# --- shared helpers for versions.py ----------------------------------------------------------------


def version_conflict(version: CatalogueVersion) -> Conflict:
    """Editing anything but a draft: the answer is always a new draft (R-CAT-06)."""
    state = version.get_status_display()
    return Conflict(
        f"第{version.number}版目录{state}，不能修改；如需调整，请新建草稿",
        code="version_not_draft",
        details={"status": version.status},
    )
