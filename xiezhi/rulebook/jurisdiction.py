"""Who is competent for a matter in a township on a date, judged against the catalogue.

Rules (docs/RULES.md): R-CAT-02 the three devolution modes; R-CAT-03 granted/entrusted matters
carry the related inspection and coercive powers; R-CAT-04 once granted, the county department
may no longer penalise or coerce in that township but may still inspect; R-CAT-06 a decision is
judged against the catalogue version in force on its date; R-CAT-07 units without subject status
cannot issue decisions. R-CAT-01/05 are checked by `validate_draft` before publication.

Everything here is plain data. The Django side builds one `CatalogueSnapshot` per county, keeps
it cached, and calls `resolve`; the per-version indexes are built once, on first use.
All end dates (effective_to, valid_to) are inclusive.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Literal

from xiezhi.rulebook.zh import format_date_zh


class Mode(StrEnum):
    GRANTED = "granted"
    ENTRUSTED = "entrusted"
    RETAINED = "retained"

    @property
    def label(self) -> str:
        return MODE_LABELS[self]


MODE_LABELS: dict[Mode, str] = {Mode.GRANTED: "赋权", Mode.ENTRUSTED: "委托", Mode.RETAINED: "不下放"}

# Same values as the CATALOGUE_VERSION workflow. A superseded version was published and stays in
# force for dates before its successor took effect, so both count when resolving (R-CAT-06).
VERSION_STATUSES_IN_FORCE = frozenset({"published", "superseded"})

Action = Literal["inspect", "penalise", "coerce"]
ACTION_LABELS: dict[str, str] = {
    "inspect": "实施检查",
    "penalise": "作出行政处罚决定",
    "coerce": "采取行政强制措施",
}


# --- errors ------------------------------------------------------------------------------------


class JurisdictionError(Exception):
    """Base class; `message` is a Chinese sentence for the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NoCatalogueInForce(JurisdictionError):
    pass


class UnknownMatter(JurisdictionError):
    pass


class UnknownTownship(JurisdictionError):
    pass


class PenaltyPowerRefused(JurisdictionError):
    """The unit may not take this action for this matter here; `rule` names the rule applied."""

    def __init__(self, message: str, resolution: Resolution, unit_code: str, action: str, rule: str) -> None:
        self.resolution = resolution
        self.unit_code = unit_code
        self.action = action
        self.rule = rule
        super().__init__(message)


# --- catalogue data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str


@dataclass(frozen=True)
class MatterInfo:
    code: str
    name: str
    department_code: str
    department_name: str
    major_category: str = "none"
    legal_basis_violation: str = ""
    legal_basis_penalty: str = ""

    @property
    def department(self) -> UnitRef:
        return UnitRef(self.department_code, self.department_name)


@dataclass(frozen=True)
class EntrustmentInfo:
    """A written entrustment (行政执法委托书): scope, term and the two parties (R-CAT-02)."""

    number: str
    department_code: str
    township_code: str
    scope: frozenset[str]
    valid_from: date
    valid_to: date | None = None

    def problem(self, matter: MatterInfo, township_code: str, on_date: date) -> str | None:
        """Why this entrustment does not carry `matter` in the township on `on_date`, or None."""
        if self.department_code != matter.department_code:
            return f"委托书{self.number}不是{matter.department_name}出具的"
        if self.township_code != township_code:
            return f"委托书{self.number}的受托乡镇不是该乡镇"
        if matter.code not in self.scope:
            return f"委托书{self.number}的委托范围不包括该事项"
        if on_date < self.valid_from:
            return f"委托书{self.number}自{format_date_zh(self.valid_from)}起才生效"
        if self.valid_to is not None and on_date > self.valid_to:
            return f"委托书{self.number}已于{format_date_zh(self.valid_to)}到期"
        return None


@dataclass(frozen=True)
class DevolutionEntry:
    """The mode of one matter in one township, optionally for part of the version's life."""

    matter_code: str
    township_code: str
    mode: Mode
    effective_from: date | None = None
    effective_to: date | None = None
    entrustment: EntrustmentInfo | None = None

    def applies_on(self, on_date: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on_date) and (
            self.effective_to is None or on_date <= self.effective_to
        )


@dataclass(frozen=True)
class CatalogueVersion:
    number: int
    effective_from: date
    status: str = "published"
    effective_to: date | None = None
    matters: Mapping[str, MatterInfo] = field(default_factory=dict)
    devolutions: Sequence[DevolutionEntry] = ()

    @property
    def title(self) -> str:
        """For example 2025年6月1日施行的第3版目录."""
        return f"{format_date_zh(self.effective_from)}施行的第{self.number}版目录"

    @cached_property
    def devolution_index(self) -> dict[tuple[str, str], tuple[DevolutionEntry, ...]]:
        index: dict[tuple[str, str], list[DevolutionEntry]] = {}
        for entry in self.devolutions:
            index.setdefault((entry.matter_code, entry.township_code), []).append(entry)
        return {
            key: tuple(sorted(entries, key=lambda e: e.effective_from or date.min))
            for key, entries in index.items()
        }

    def entry_on(self, matter_code: str, township_code: str, on_date: date) -> DevolutionEntry | None:
        for entry in self.devolution_index.get((matter_code, township_code), ()):
            if entry.applies_on(on_date):
                return entry
        return None

    def mode_at_start(self, matter_code: str, township_code: str) -> Mode | None:
        entries = self.devolution_index.get((matter_code, township_code), ())
        entry = self.entry_on(matter_code, township_code, self.effective_from)
        if entry is None and entries:
            entry = entries[0]
        return Mode(entry.mode) if entry else None


@dataclass(frozen=True)
class CatalogueSnapshot:
    """All versions of one county's catalogue, with the county's townships (code → name)."""

    townships: Mapping[str, str]
    versions: Sequence[CatalogueVersion]
    county_name: str = ""

    @cached_property
    def _in_force_index(self) -> tuple[list[date], list[CatalogueVersion]]:
        ordered = sorted(
            (v for v in self.versions if v.status in VERSION_STATUSES_IN_FORCE),
            key=lambda v: (v.effective_from, v.number),
        )
        return [v.effective_from for v in ordered], ordered

    @cached_property
    def _unit_names(self) -> dict[str, str]:
        names = dict(self.townships)
        for version in self.versions:
            for matter in version.matters.values():
                names.setdefault(matter.department_code, matter.department_name)
        return names

    def unit_name(self, code: str) -> str:
        return self._unit_names.get(code, code)

    def published_versions(self) -> list[CatalogueVersion]:
        return list(self._in_force_index[1])

    def version_on(self, on_date: date) -> CatalogueVersion:
        """R-CAT-06: the latest published version whose effective date is on or before `on_date`."""
        dates, ordered = self._in_force_index
        i = bisect.bisect_right(dates, on_date) - 1
        if i < 0:
            raise NoCatalogueInForce(f"该日期（{format_date_zh(on_date)}）没有生效的事项目录")
        version = ordered[i]
        if version.effective_to is not None and on_date > version.effective_to:
            raise NoCatalogueInForce(
                f"该日期（{format_date_zh(on_date)}）没有生效的事项目录："
                f"{version.title}已于{format_date_zh(version.effective_to)}失效"
            )
        return version


# --- resolution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """Who does what for one matter in one township on one date, and why (in Chinese).

    `mode` is the effective mode; `declared_mode` is what the catalogue says (an entrusted matter
    whose entrustment has lapsed is effectively retained; None when no devolution applies).
    """

    matter: MatterInfo
    township: UnitRef
    department: UnitRef
    on_date: date
    mode: Mode
    declared_mode: Mode | None
    enforcement_subject: UnitRef
    acting_unit: UnitRef
    in_name_of: UnitRef
    department_may_inspect: bool
    department_may_penalise: bool
    department_may_coerce: bool
    township_may_inspect: bool
    township_may_penalise: bool
    township_may_coerce: bool
    version_number: int
    version_effective_from: date
    entrustment: EntrustmentInfo | None
    entrustment_problem: str | None
    explanation: str

    def permits(self, unit_code: str, action: Action) -> bool:
        if unit_code == self.department.code:
            return {
                "inspect": self.department_may_inspect,
                "penalise": self.department_may_penalise,
                "coerce": self.department_may_coerce,
            }[action]
        if unit_code == self.township.code:
            return {
                "inspect": self.township_may_inspect,
                "penalise": self.township_may_penalise,
                "coerce": self.township_may_coerce,
            }[action]
        return False


def resolve(matter_code: str, township_code: str, on_date: date, catalogue: CatalogueSnapshot) -> Resolution:
    township_name = catalogue.townships.get(township_code)
    if township_name is None:
        raise UnknownTownship(f"未知的乡镇（街道）：{township_code}")
    version = catalogue.version_on(on_date)
    matter = version.matters.get(matter_code)
    if matter is None:
        raise UnknownMatter(f"{version.title}中没有事项{matter_code}")

    township = UnitRef(township_code, township_name)
    dept = matter.department
    t, d = township.name, dept.name
    entry = version.entry_on(matter_code, township_code, on_date)
    declared = Mode(entry.mode) if entry else None
    since = ""
    if entry and entry.effective_from and entry.effective_from > version.effective_from:
        since = f"自{format_date_zh(entry.effective_from)}起"
    entrustment = entry.entrustment if entry else None
    problem: str | None = None
    if declared is Mode.ENTRUSTED:
        problem = (
            "未附行政执法委托书"
            if entrustment is None
            else entrustment.problem(matter, township_code, on_date)
        )

    if declared is Mode.GRANTED:
        mode = Mode.GRANTED
        explanation = (
            f"{version.title}将该事项{since}赋权给{t}，由{t}以自己的名义执法并行使相关的检查权和强制权；"
            f"{d}在该镇不得再行使处罚权和相关强制权，但可以检查"
        )
    elif declared is Mode.ENTRUSTED and problem is None:
        mode = Mode.ENTRUSTED
        assert entrustment is not None
        term = f"，有效期至{format_date_zh(entrustment.valid_to)}" if entrustment.valid_to else ""
        explanation = (
            f"{version.title}将该事项{since}委托给{t}（委托书{entrustment.number}{term}）；"
            f"执法主体仍是{d}，{t}以{d}的名义执法并行使相关的检查权和强制权"
        )
    elif declared is Mode.ENTRUSTED:
        mode = Mode.RETAINED
        explanation = (
            f"{version.title}将该事项{since}委托给{t}，但{problem}，委托在{format_date_zh(on_date)}不发生效力；"
            f"该事项由{d}以自己的名义执法，{t}仅可协助"
        )
    elif declared is Mode.RETAINED:
        mode = Mode.RETAINED
        explanation = f"{version.title}规定该事项不下放；执法主体是{d}，{t}仅可协助"
    else:
        mode = Mode.RETAINED
        explanation = (
            f"{version.title}在{format_date_zh(on_date)}没有将该事项下放给{t}；执法主体是{d}，{t}仅可协助"
        )

    granted = mode is Mode.GRANTED
    devolved = mode in (Mode.GRANTED, Mode.ENTRUSTED)
    return Resolution(
        matter=matter,
        township=township,
        department=dept,
        on_date=on_date,
        mode=mode,
        declared_mode=declared,
        enforcement_subject=township if granted else dept,
        acting_unit=township if devolved else dept,
        in_name_of=township if granted else dept,
        department_may_inspect=True,  # R-CAT-04: inspection stays with the department
        department_may_penalise=not granted,
        department_may_coerce=not granted,
        township_may_inspect=devolved,  # R-CAT-03
        township_may_penalise=devolved,
        township_may_coerce=devolved,
        version_number=version.number,
        version_effective_from=version.effective_from,
        entrustment=entrustment,
        entrustment_problem=problem,
        explanation=explanation,
    )


def ensure_may_penalise(
    unit_code: str,
    matter_code: str,
    township_code: str,
    on_date: date,
    catalogue: CatalogueSnapshot,
    action: Action = "penalise",
    subject_units: Collection[str] | None = None,
) -> Resolution:
    """Return the resolution if `unit_code` may take `action`; raise `PenaltyPowerRefused` if not.

    `subject_units` is the published list of lawful enforcement subjects (R-CAT-07); when given,
    the unit in whose name a penalty or coercive measure would be taken must be on it.
    """
    r = resolve(matter_code, township_code, on_date, catalogue)
    label = ACTION_LABELS[action]
    unit = catalogue.unit_name(unit_code)
    t, d = r.township.name, r.department.name

    if not r.permits(unit_code, action):
        if unit_code == r.department.code:
            message = f"{r.explanation}。因此{d}不能在{t}就该事项{label}"
            rule = "R-CAT-04"
        elif unit_code == r.township.code:
            message = f"{r.explanation}。因此{t}不能就该事项{label}"
            rule = "R-CAT-03" if action == "inspect" else "R-CAT-02"
        else:
            message = (
                f"{unit}不是该事项在{t}的执法主体，也不是受委托的乡镇，不能{label}（该事项：{r.explanation}）"
            )
            rule = "R-CAT-07"
        raise PenaltyPowerRefused(message, r, unit_code, action, rule)

    if action != "inspect" and subject_units is not None and r.in_name_of.code not in subject_units:
        message = f"{r.in_name_of.name}不在经审核公布的行政执法主体名单中，不能以其名义{label}"
        raise PenaltyPowerRefused(message, r, unit_code, action, "R-CAT-07")
    return r


# --- publishing checks -------------------------------------------------------------------------


def _period(start: date | None, end: date | None) -> str:
    a = format_date_zh(start) if start else "目录生效之日"
    b = format_date_zh(end) if end else "目录失效之日"
    return f"{a}至{b}"


def validate_draft(
    draft: CatalogueVersion, catalogue: CatalogueSnapshot, *, today: date | None = None
) -> list[str]:
    """Reasons the draft cannot be published, as Chinese sentences (empty list = publishable).

    Checks: R-CAT-06 numbering and dates after the published versions (and not retroactive when
    `today` is given); R-CAT-01 every matter has a mode in every township for the whole life of
    the version, without overlaps; R-CAT-02 modes are valid and entrusted matters carry a written
    entrustment from the right department to the right township whose scope covers the matter
    and which is valid when the devolution starts; R-CAT-05 devolved matters state their legal basis.
    """
    errors: list[str] = []
    if draft.status != "draft":
        errors.append(f"第{draft.number}版目录不是草稿，不能再次公布")
    published = [v for v in catalogue.published_versions() if v is not draft]
    if published:
        last_number = max(published, key=lambda v: v.number)
        if draft.number <= last_number.number:
            errors.append(f"版本号须大于已公布的第{last_number.number}版")
        latest = max(published, key=lambda v: v.effective_from)
        if draft.effective_from <= latest.effective_from:
            errors.append(
                f"生效日期须晚于已公布的第{latest.number}版目录的生效日期（{format_date_zh(latest.effective_from)}）"
            )
    if today is not None and draft.effective_from < today:
        errors.append(f"生效日期（{format_date_zh(draft.effective_from)}）不得早于公布之日，目录不溯及既往")
    if draft.effective_to is not None and draft.effective_to < draft.effective_from:
        errors.append("目录的失效日期早于生效日期")
    if not draft.matters:
        errors.append("目录中没有事项")

    townships = catalogue.townships

    def where(matter_code: str, township_code: str) -> str:
        matter = draft.matters.get(matter_code)
        m = f"事项{matter_code}（{matter.name}）" if matter else f"事项{matter_code}"
        return f"{m}在{townships.get(township_code, '未知乡镇')}（{township_code}）"

    devolved: set[str] = set()
    for entry in draft.devolutions:
        place = where(entry.matter_code, entry.township_code)
        if entry.matter_code not in draft.matters:
            errors.append(f"{place}：下放安排引用了目录中不存在的事项")
        if entry.township_code not in townships:
            errors.append(f"{place}：下放安排引用了未知的乡镇（街道）")
        try:
            mode = Mode(entry.mode)
        except ValueError:
            errors.append(f"{place}：下放方式“{entry.mode}”无效，只能是赋权、委托或不下放")
            continue
        if entry.effective_from and entry.effective_to and entry.effective_to < entry.effective_from:
            errors.append(f"{place}：下放安排的结束日期早于开始日期")
        if mode is not Mode.RETAINED:
            devolved.add(entry.matter_code)
        matter = draft.matters.get(entry.matter_code)
        if mode is Mode.ENTRUSTED and matter is not None:
            e = entry.entrustment
            if e is None:
                errors.append(f"{place}：委托事项未附行政执法委托书")
                continue
            start = max(draft.effective_from, entry.effective_from or draft.effective_from)
            problem = e.problem(matter, entry.township_code, start)
            if problem:
                errors.append(f"{place}：{problem}")
            if e.valid_to is None:
                errors.append(f"{place}：委托书{e.number}未载明委托期限")
        elif entry.entrustment is not None:
            errors.append(f"{place}：下放方式为{mode.label}，不应附委托书")

    for code in sorted(devolved):
        matter = draft.matters.get(code)
        if matter is None:
            continue
        if not matter.legal_basis_violation.strip():
            errors.append(f"事项{code}（{matter.name}）已下放，但缺少违法行为依据")
        if not matter.legal_basis_penalty.strip():
            errors.append(f"事项{code}（{matter.name}）已下放，但缺少处罚依据")

    index = draft.devolution_index
    for matter_code in draft.matters:
        for township_code in townships:
            entries = index.get((matter_code, township_code), ())
            if not entries:
                errors.append(f"{where(matter_code, township_code)}没有设定下放方式")
                continue
            errors.extend(_coverage_errors(draft, entries, where(matter_code, township_code)))
    return errors


def _coverage_errors(draft: CatalogueVersion, entries: Sequence[DevolutionEntry], place: str) -> list[str]:
    """Overlaps and gaps between the devolution periods of one (matter, township)."""
    errors: list[str] = []
    cursor: date | None = draft.effective_from  # first day not yet covered; None = covered for good
    previous: DevolutionEntry | None = None
    for entry in entries:  # sorted by effective_from
        start = max(entry.effective_from or draft.effective_from, draft.effective_from)
        if previous is not None and (previous.effective_to is None or start <= previous.effective_to):
            errors.append(
                f"{place}的下放期间重叠："
                f"{_period(previous.effective_from, previous.effective_to)}与"
                f"{_period(entry.effective_from, entry.effective_to)}"
            )
        elif cursor is not None and start > cursor:
            errors.append(f"{place}在{_period(cursor, start - timedelta(days=1))}没有设定下放方式")
        if entry.effective_to is None:
            cursor = None
        elif cursor is not None:
            cursor = max(cursor, entry.effective_to + timedelta(days=1))
        previous = entry
    if cursor is not None and (draft.effective_to is None or cursor <= draft.effective_to):
        errors.append(f"{place}自{format_date_zh(cursor)}起没有设定下放方式")
    return errors


# --- comparing versions ------------------------------------------------------------------------

BasisField = Literal["legal_basis_violation", "legal_basis_penalty"]
BASIS_LABELS: dict[str, str] = {"legal_basis_violation": "违法行为依据", "legal_basis_penalty": "处罚依据"}


@dataclass(frozen=True)
class ModeChange:
    matter_code: str
    township_code: str
    old: Mode | None
    new: Mode | None


@dataclass(frozen=True)
class BasisChange:
    """R-CAT-05: a legal-basis change is notified to the townships exercising the matter."""

    matter_code: str
    field: BasisField
    old: str
    new: str
    notify_townships: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentChange:
    matter_code: str
    old: UnitRef
    new: UnitRef


@dataclass(frozen=True)
class VersionDiff:
    old_number: int
    new_number: int
    added: tuple[MatterInfo, ...]
    removed: tuple[MatterInfo, ...]
    mode_changed: tuple[ModeChange, ...]
    basis_changed: tuple[BasisChange, ...]
    department_changed: tuple[DepartmentChange, ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.added or self.removed or self.mode_changed or self.basis_changed or self.department_changed
        )

    def lines(self, townships: Mapping[str, str]) -> list[str]:
        """One Chinese sentence per change, for the publication notice."""
        out = [f"新增事项{m.code}（{m.name}）" for m in self.added]
        out += [f"删除事项{m.code}（{m.name}）" for m in self.removed]
        for c in self.mode_changed:
            old = c.old.label if c.old else "未设定"
            new = c.new.label if c.new else "未设定"
            out.append(
                f"事项{c.matter_code}在{townships.get(c.township_code, c.township_code)}：由{old}改为{new}"
            )
        for b in self.basis_changed:
            out.append(f"事项{b.matter_code}的{BASIS_LABELS[b.field]}由“{b.old}”改为“{b.new}”")
        for dc in self.department_changed:
            out.append(f"事项{dc.matter_code}的主管部门由{dc.old.name}改为{dc.new.name}")
        return out


def diff_versions(a: CatalogueVersion, b: CatalogueVersion) -> VersionDiff:
    """What changed from version `a` to version `b` (modes compared at each version's start)."""
    added = tuple(b.matters[c] for c in b.matters if c not in a.matters)
    removed = tuple(a.matters[c] for c in a.matters if c not in b.matters)
    common = [c for c in b.matters if c in a.matters]

    keys = {key for key in a.devolution_index if key[0] in b.matters}
    keys |= {key for key in b.devolution_index if key[0] in a.matters}
    mode_changed = []
    for matter_code, township_code in sorted(keys):
        old, new = a.mode_at_start(matter_code, township_code), b.mode_at_start(matter_code, township_code)
        if old != new:
            mode_changed.append(ModeChange(matter_code, township_code, old, new))

    exercising: dict[str, list[str]] = {}
    for m, t in b.devolution_index:
        if b.mode_at_start(m, t) in (Mode.GRANTED, Mode.ENTRUSTED):
            exercising.setdefault(m, []).append(t)

    basis_changed = []
    department_changed = []
    for code in common:
        ma, mb = a.matters[code], b.matters[code]
        notify = tuple(sorted(exercising.get(code, ())))
        fields: tuple[BasisField, ...] = ("legal_basis_violation", "legal_basis_penalty")
        for f in fields:
            if getattr(ma, f) != getattr(mb, f):
                basis_changed.append(BasisChange(code, f, getattr(ma, f), getattr(mb, f), notify))
        if ma.department_code != mb.department_code:
            department_changed.append(DepartmentChange(code, ma.department, mb.department))

    return VersionDiff(
        a.number,
        b.number,
        added,
        removed,
        tuple(mode_changed),
        tuple(basis_changed),
        tuple(department_changed),
    )
