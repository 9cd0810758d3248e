"""Jurisdiction against a dated catalogue (R-CAT-01..07)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import cast

import pytest

from xiezhi.rulebook.jurisdiction import (
    CatalogueSnapshot,
    CatalogueVersion,
    DevolutionEntry,
    EntrustmentInfo,
    MatterInfo,
    Mode,
    NoCatalogueInForce,
    PenaltyPowerRefused,
    UnknownMatter,
    UnknownTownship,
    diff_versions,
    ensure_may_penalise,
    resolve,
    validate_draft,
)

CGZ, XDZ, CKZ = "330183100", "330183101", "330183102"
TOWNSHIPS = {CGZ: "城关镇", XDZ: "新登镇", CKZ: "场口镇"}
CGJ, SJJ, ZJJ = "D-CGJ", "D-SJJ", "D-ZJJ"

SR1 = MatterInfo(
    "DEMO-SR-001",
    "对随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物的处罚",
    CGJ,
    "县城市管理局",
    legal_basis_violation="《城市市容和环境卫生管理条例》第三十二条",
    legal_basis_penalty="《城市市容和环境卫生管理条例》第三十四条第（一）项",
)
SR2 = MatterInfo(
    "DEMO-SR-002",
    "对在城市建筑物、设施以及树木上涂写、刻画的处罚",
    CGJ,
    "县城市管理局",
    legal_basis_violation="《城市市容和环境卫生管理条例》第十七条第一款",
    legal_basis_penalty="《城市市容和环境卫生管理条例》第三十四条第（二）项",
)
SP2 = MatterInfo(
    "DEMO-SP-002",
    "对明知从事无证食品生产经营活动，仍为其提供生产经营场所或者其他条件的处罚",
    SJJ,
    "县市场监督管理局",
    major_category="食品药品安全",
    legal_basis_violation="《中华人民共和国食品安全法》第一百二十二条第二款",
    legal_basis_penalty="《中华人民共和国食品安全法》第一百二十二条第二款",
)
SZ8 = MatterInfo(
    "DEMO-SZ-008",
    "对未对设在城市道路上的各种管线的检查井、箱盖或者城市道路附属设施的缺损及时补缺或者修复的处罚",
    ZJJ,
    "县住房和城乡建设局",
    legal_basis_violation="《城市道路管理条例》第二十三条",
    legal_basis_penalty="《城市道路管理条例》第四十二条第（一）项",
)
MATTERS = {m.code: m for m in (SR1, SR2, SP2, SZ8)}

ENTRUST_2024 = EntrustmentInfo(
    "富城管委〔2024〕1号", CGJ, CGZ, frozenset({SR1.code, SR2.code}), date(2024, 1, 1), date(2025, 9, 30)
)
ENTRUST_SP = EntrustmentInfo(
    "富市监委〔2025〕3号", SJJ, XDZ, frozenset({SP2.code}), date(2025, 7, 1), date(2027, 6, 30)
)
ENTRUST_WRONG_SCOPE = EntrustmentInfo(
    "富建委〔2025〕2号", ZJJ, XDZ, frozenset({"DEMO-SZ-009"}), date(2025, 1, 1), date(2027, 12, 31)
)


def _entries(
    matter: MatterInfo,
    default: Mode,
    overrides: dict[str, Mode] | None = None,
    entrustments: dict[str, EntrustmentInfo] | None = None,
) -> list[DevolutionEntry]:
    overrides = overrides or {}
    entrustments = entrustments or {}
    return [
        DevolutionEntry(matter.code, t, overrides.get(t, default), entrustment=entrustments.get(t))
        for t in TOWNSHIPS
    ]


def _version(number: int, start: date, entries: Iterable[DevolutionEntry], **kw: object) -> CatalogueVersion:
    return CatalogueVersion(number, start, matters=dict(MATTERS), devolutions=list(entries), **kw)  # type: ignore[arg-type]


V1 = _version(
    1,
    date(2024, 1, 1),
    [
        *_entries(SR1, Mode.RETAINED, {CGZ: Mode.ENTRUSTED}, {CGZ: ENTRUST_2024}),
        *_entries(SR2, Mode.RETAINED, {CGZ: Mode.ENTRUSTED}, {CGZ: ENTRUST_2024}),
        *_entries(SP2, Mode.RETAINED),
        *_entries(SZ8, Mode.RETAINED),
    ],
    status="superseded",
)
V2 = _version(
    2,
    date(2025, 1, 1),
    [
        *_entries(SR1, Mode.RETAINED, {CGZ: Mode.GRANTED}),
        *_entries(SR2, Mode.RETAINED, {CGZ: Mode.ENTRUSTED}, {CGZ: ENTRUST_2024}),
        *_entries(SP2, Mode.RETAINED),
        *_entries(SZ8, Mode.RETAINED),
    ],
    status="superseded",
)
V3 = _version(
    3,
    date(2025, 6, 1),
    [
        *_entries(SR1, Mode.RETAINED, {CGZ: Mode.GRANTED, XDZ: Mode.GRANTED}),
        *_entries(SR2, Mode.RETAINED, {CGZ: Mode.ENTRUSTED}, {CGZ: ENTRUST_2024}),
        # Market supervision entrusts DEMO-SP-002 to 新登镇 only from 1 July, inside version 3.
        DevolutionEntry(SP2.code, XDZ, Mode.RETAINED, effective_to=date(2025, 6, 30)),
        DevolutionEntry(SP2.code, XDZ, Mode.ENTRUSTED, date(2025, 7, 1), entrustment=ENTRUST_SP),
        DevolutionEntry(SP2.code, CGZ, Mode.RETAINED),
        DevolutionEntry(SP2.code, CKZ, Mode.RETAINED),
        *_entries(SZ8, Mode.RETAINED, {XDZ: Mode.ENTRUSTED}, {XDZ: ENTRUST_WRONG_SCOPE}),
    ],
)
V4_DRAFT = _version(4, date(2026, 1, 1), _entries(SR1, Mode.GRANTED), status="draft")

CATALOGUE = CatalogueSnapshot(TOWNSHIPS, [V3, V1, V4_DRAFT, V2], county_name="富阳区")


# --- R-CAT-06: the version in force on the date ----------------------------------------------------


@pytest.mark.rule("R-CAT-06")
@pytest.mark.parametrize(
    ("on", "version", "mode"),
    [
        (date(2024, 1, 1), 1, Mode.ENTRUSTED),
        (date(2024, 12, 31), 1, Mode.ENTRUSTED),
        (date(2025, 1, 1), 2, Mode.GRANTED),
        (date(2025, 5, 31), 2, Mode.GRANTED),
        (date(2025, 6, 1), 3, Mode.GRANTED),
        (date(2026, 2, 1), 3, Mode.GRANTED),  # the draft version 4 is not in force
    ],
)
def test_decision_is_judged_against_the_version_in_force(on: date, version: int, mode: Mode) -> None:
    r = resolve(SR1.code, CGZ, on, CATALOGUE)
    assert r.version_number == version
    assert (
        r.version_effective_from == {1: date(2024, 1, 1), 2: date(2025, 1, 1), 3: date(2025, 6, 1)}[version]
    )
    assert r.mode is mode


@pytest.mark.rule("R-CAT-06")
def test_same_matter_and_place_change_with_the_date() -> None:
    # 新登镇 received DEMO-SR-001 only in version 3.
    assert resolve(SR1.code, XDZ, date(2025, 5, 31), CATALOGUE).mode is Mode.RETAINED
    assert resolve(SR1.code, XDZ, date(2025, 6, 1), CATALOGUE).mode is Mode.GRANTED


@pytest.mark.rule("R-CAT-06")
def test_no_catalogue_before_the_first_version() -> None:
    with pytest.raises(NoCatalogueInForce) as exc:
        resolve(SR1.code, CGZ, date(2023, 12, 31), CATALOGUE)
    assert "没有生效的事项目录" in exc.value.message
    assert "2023年12月31日" in exc.value.message


@pytest.mark.rule("R-CAT-06")
def test_no_catalogue_after_the_last_version_expired() -> None:
    ended = CatalogueSnapshot(TOWNSHIPS, [V1, V2, replace(V3, effective_to=date(2025, 12, 31))])
    assert resolve(SR1.code, CGZ, date(2025, 12, 31), ended).version_number == 3
    with pytest.raises(NoCatalogueInForce, match="已于2025年12月31日失效"):
        resolve(SR1.code, CGZ, date(2026, 1, 1), ended)


@pytest.mark.rule("R-CAT-06")
def test_discarded_and_draft_versions_never_apply() -> None:
    only_draft = CatalogueSnapshot(TOWNSHIPS, [replace(V1, status="draft"), replace(V2, status="discarded")])
    with pytest.raises(NoCatalogueInForce):
        resolve(SR1.code, CGZ, date(2025, 3, 1), only_draft)


def test_unknown_matter_and_township() -> None:
    with pytest.raises(UnknownTownship, match="330183999"):
        resolve(SR1.code, "330183999", date(2025, 6, 1), CATALOGUE)
    with pytest.raises(UnknownMatter) as exc:
        resolve("DEMO-XX-999", CGZ, date(2025, 6, 1), CATALOGUE)
    assert exc.value.message == "2025年6月1日施行的第3版目录中没有事项DEMO-XX-999"


# --- R-CAT-02 / R-CAT-03: the three modes --------------------------------------------------------------


@pytest.mark.rule("R-CAT-02")
@pytest.mark.rule("R-CAT-03")
def test_granted_township_is_the_subject_and_acts_in_its_own_name() -> None:
    r = resolve(SR1.code, CGZ, date(2025, 6, 1), CATALOGUE)
    assert r.mode is Mode.GRANTED and r.declared_mode is Mode.GRANTED
    assert r.enforcement_subject.name == "城关镇"
    assert r.acting_unit.code == CGZ and r.in_name_of.code == CGZ
    assert (r.township_may_inspect, r.township_may_penalise, r.township_may_coerce) == (True, True, True)
    assert (r.department_may_inspect, r.department_may_penalise, r.department_may_coerce) == (
        True,
        False,
        False,
    )
    assert r.explanation.startswith("2025年6月1日施行的第3版目录将该事项赋权给城关镇")
    assert r.explanation.endswith("县城市管理局在该镇不得再行使处罚权和相关强制权，但可以检查")


@pytest.mark.rule("R-CAT-02")
@pytest.mark.rule("R-CAT-03")
def test_entrusted_department_stays_subject_and_township_acts_in_its_name() -> None:
    r = resolve(SR2.code, CGZ, date(2025, 6, 1), CATALOGUE)
    assert r.mode is Mode.ENTRUSTED
    assert r.enforcement_subject.code == CGJ and r.in_name_of.code == CGJ
    assert r.acting_unit.code == CGZ
    assert r.entrustment == ENTRUST_2024 and r.entrustment_problem is None
    assert (r.township_may_inspect, r.township_may_penalise, r.township_may_coerce) == (True, True, True)
    # Entrusting does not give the power away: the department may still act itself.
    assert r.department_may_penalise and r.department_may_coerce
    assert "委托书富城管委〔2024〕1号，有效期至2025年9月30日" in r.explanation
    assert "城关镇以县城市管理局的名义执法" in r.explanation


@pytest.mark.rule("R-CAT-02")
@pytest.mark.rule("R-CAT-03")
def test_retained_department_acts_and_township_only_assists() -> None:
    r = resolve(SR1.code, CKZ, date(2025, 6, 1), CATALOGUE)
    assert r.mode is Mode.RETAINED
    assert r.enforcement_subject.code == CGJ and r.acting_unit.code == CGJ and r.in_name_of.code == CGJ
    assert not (r.township_may_inspect or r.township_may_penalise or r.township_may_coerce)
    assert r.department_may_penalise
    assert (
        r.explanation == "2025年6月1日施行的第3版目录规定该事项不下放；执法主体是县城市管理局，场口镇仅可协助"
    )


@pytest.mark.rule("R-CAT-02")
def test_expired_entrustment_returns_the_matter_to_the_department() -> None:
    r = resolve(SR2.code, CGZ, date(2025, 10, 1), CATALOGUE)
    assert r.declared_mode is Mode.ENTRUSTED and r.mode is Mode.RETAINED
    assert r.enforcement_subject.code == CGJ and r.acting_unit.code == CGJ
    assert not r.township_may_penalise
    assert r.entrustment_problem == "委托书富城管委〔2024〕1号已于2025年9月30日到期"
    assert "已于2025年9月30日到期" in r.explanation and "城关镇仅可协助" in r.explanation
    # The last day of the term is still covered.
    assert resolve(SR2.code, CGZ, date(2025, 9, 30), CATALOGUE).mode is Mode.ENTRUSTED


@pytest.mark.rule("R-CAT-02")
def test_entrustment_not_covering_the_matter_does_not_carry_it() -> None:
    r = resolve(SZ8.code, XDZ, date(2025, 6, 1), CATALOGUE)
    assert r.mode is Mode.RETAINED
    assert r.entrustment_problem == "委托书富建委〔2025〕2号的委托范围不包括该事项"


@pytest.mark.rule("R-CAT-02")
def test_entrustment_not_yet_valid_and_missing_entrustment() -> None:
    early = EntrustmentInfo("X委〔2025〕9号", SJJ, CKZ, frozenset({SP2.code}), date(2025, 8, 1), None)
    version = _version(
        9,
        date(2025, 6, 1),
        [
            DevolutionEntry(SP2.code, CKZ, Mode.ENTRUSTED, entrustment=early),
            DevolutionEntry(SP2.code, CGZ, Mode.ENTRUSTED),
        ],
    )
    cat = CatalogueSnapshot(TOWNSHIPS, [version])
    r = resolve(SP2.code, CKZ, date(2025, 7, 1), cat)
    assert r.mode is Mode.RETAINED and r.entrustment_problem == "委托书X委〔2025〕9号自2025年8月1日起才生效"
    assert resolve(SP2.code, CKZ, date(2025, 8, 1), cat).mode is Mode.ENTRUSTED
    missing = resolve(SP2.code, CGZ, date(2025, 7, 1), cat)
    assert missing.mode is Mode.RETAINED and missing.entrustment_problem == "未附行政执法委托书"


@pytest.mark.rule("R-CAT-02")
def test_devolution_period_inside_a_version_is_honoured() -> None:
    before = resolve(SP2.code, XDZ, date(2025, 6, 30), CATALOGUE)
    after = resolve(SP2.code, XDZ, date(2025, 7, 1), CATALOGUE)
    assert before.mode is Mode.RETAINED and before.version_number == 3
    assert after.mode is Mode.ENTRUSTED and after.version_number == 3
    assert "将该事项自2025年7月1日起委托给新登镇" in after.explanation


@pytest.mark.rule("R-CAT-02")
def test_matter_without_devolution_on_the_date_stays_with_the_department() -> None:
    version = _version(9, date(2025, 6, 1), [])
    r = resolve(SR1.code, CGZ, date(2025, 6, 1), CatalogueSnapshot(TOWNSHIPS, [version]))
    assert r.mode is Mode.RETAINED and r.declared_mode is None
    assert "没有将该事项下放给城关镇" in r.explanation


# --- R-CAT-04: the department may inspect but no longer penalise a granted matter ----------------------


@pytest.mark.rule("R-CAT-04")
@pytest.mark.parametrize("action", ["penalise", "coerce"])
def test_department_cannot_penalise_or_coerce_a_granted_matter(action: str) -> None:
    with pytest.raises(PenaltyPowerRefused) as exc:
        ensure_may_penalise(CGJ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, action=action)  # type: ignore[arg-type]
    err = exc.value
    assert err.rule == "R-CAT-04" and err.unit_code == CGJ and err.action == action
    assert err.resolution.mode is Mode.GRANTED
    assert "县城市管理局在该镇不得再行使处罚权和相关强制权，但可以检查" in err.message
    assert "因此县城市管理局不能在城关镇就该事项" in err.message


@pytest.mark.rule("R-CAT-04")
def test_department_may_still_inspect_a_granted_matter() -> None:
    r = ensure_may_penalise(CGJ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, action="inspect")
    assert r.mode is Mode.GRANTED


@pytest.mark.rule("R-CAT-04")
def test_department_may_penalise_where_and_when_not_granted() -> None:
    # Another township where the matter is retained, and the same township before the grant.
    assert ensure_may_penalise(CGJ, SR1.code, CKZ, date(2025, 6, 1), CATALOGUE).mode is Mode.RETAINED
    assert ensure_may_penalise(CGJ, SR1.code, CGZ, date(2024, 6, 1), CATALOGUE).mode is Mode.ENTRUSTED


def test_granted_township_may_penalise_and_coerce() -> None:
    for action in ("inspect", "penalise", "coerce"):
        r = ensure_may_penalise(CGZ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, action=action)  # type: ignore[arg-type]
        assert r.in_name_of.code == CGZ


@pytest.mark.rule("R-CAT-02")
def test_township_cannot_penalise_a_retained_matter() -> None:
    with pytest.raises(PenaltyPowerRefused) as exc:
        ensure_may_penalise(CKZ, SR1.code, CKZ, date(2025, 6, 1), CATALOGUE)
    assert exc.value.rule == "R-CAT-02"
    assert exc.value.message.endswith("因此场口镇不能就该事项作出行政处罚决定")


@pytest.mark.rule("R-CAT-03")
def test_township_cannot_inspect_a_retained_matter_on_its_own() -> None:
    with pytest.raises(PenaltyPowerRefused) as exc:
        ensure_may_penalise(CKZ, SR1.code, CKZ, date(2025, 6, 1), CATALOGUE, action="inspect")
    assert exc.value.rule == "R-CAT-03"


@pytest.mark.rule("R-CAT-02")
def test_township_with_expired_entrustment_cannot_penalise() -> None:
    with pytest.raises(PenaltyPowerRefused, match="已于2025年9月30日到期"):
        ensure_may_penalise(CGZ, SR2.code, CGZ, date(2025, 10, 1), CATALOGUE)


# --- R-CAT-07: only lawful subjects decide -------------------------------------------------------------


@pytest.mark.rule("R-CAT-07")
def test_unrelated_unit_cannot_penalise() -> None:
    with pytest.raises(PenaltyPowerRefused) as exc:
        ensure_may_penalise(SJJ, SR1.code, CKZ, date(2025, 6, 1), CATALOGUE)
    assert exc.value.rule == "R-CAT-07"
    assert exc.value.message.startswith("县市场监督管理局不是该事项在场口镇的执法主体")
    with pytest.raises(PenaltyPowerRefused):
        ensure_may_penalise(XDZ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE)  # a neighbouring township


@pytest.mark.rule("R-CAT-07")
def test_unit_missing_from_the_subject_list_cannot_issue_decisions() -> None:
    with pytest.raises(PenaltyPowerRefused) as exc:
        ensure_may_penalise(CGZ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, subject_units={CGJ, SJJ})
    assert exc.value.rule == "R-CAT-07"
    assert exc.value.message == "城关镇不在经审核公布的行政执法主体名单中，不能以其名义作出行政处罚决定"
    # Once listed, the same act is allowed.
    ensure_may_penalise(CGZ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, subject_units={CGZ})


@pytest.mark.rule("R-CAT-07")
def test_entrusted_township_acts_under_the_departments_subject_status() -> None:
    # The township is not itself a subject; the decision is in the department's name.
    r = ensure_may_penalise(CGZ, SR2.code, CGZ, date(2025, 6, 1), CATALOGUE, subject_units={CGJ})
    assert r.in_name_of.code == CGJ
    with pytest.raises(PenaltyPowerRefused, match="县城市管理局不在"):
        ensure_may_penalise(CGZ, SR2.code, CGZ, date(2025, 6, 1), CATALOGUE, subject_units={CGZ})
    # Inspection is not a decision: no subject-list check.
    ensure_may_penalise(
        CGJ, SR1.code, CGZ, date(2025, 6, 1), CATALOGUE, action="inspect", subject_units=set()
    )


# --- validate_draft (R-CAT-01, R-CAT-02, R-CAT-05, R-CAT-06) -------------------------------------------


def _good_draft() -> CatalogueVersion:
    entrust = EntrustmentInfo(
        "富城管委〔2026〕1号", CGJ, XDZ, frozenset({SR2.code}), date(2026, 1, 1), date(2027, 12, 31)
    )
    return _version(
        4,
        date(2026, 1, 1),
        [
            *_entries(SR1, Mode.GRANTED),
            *_entries(SR2, Mode.RETAINED, {XDZ: Mode.ENTRUSTED}, {XDZ: entrust}),
            *_entries(SP2, Mode.RETAINED),
            *_entries(SZ8, Mode.RETAINED),
        ],
        status="draft",
    )


@pytest.mark.rule("R-CAT-01")
def test_complete_draft_is_publishable() -> None:
    assert validate_draft(_good_draft(), CATALOGUE, today=date(2025, 12, 1)) == []


@pytest.mark.rule("R-CAT-01")
def test_every_matter_needs_a_mode_in_every_township() -> None:
    draft = _good_draft()
    draft = replace(
        draft,
        devolutions=[
            e for e in draft.devolutions if not (e.matter_code == SP2.code and e.township_code == CKZ)
        ],
    )
    assert validate_draft(draft, CATALOGUE) == [
        "事项DEMO-SP-002（对明知从事无证食品生产经营活动，仍为其提供生产经营场所或者其他条件的处罚）"
        "在场口镇（330183102）没有设定下放方式"
    ]


@pytest.mark.rule("R-CAT-02")
def test_entrusted_matter_needs_a_covering_valid_entrustment() -> None:
    stale = EntrustmentInfo(
        "旧委〔2023〕1号", CGJ, CGZ, frozenset({SR1.code}), date(2023, 1, 1), date(2025, 12, 31)
    )
    other_dept = EntrustmentInfo("市监委〔2026〕1号", SJJ, CKZ, frozenset({SR2.code}), date(2026, 1, 1), None)
    draft = _version(
        4,
        date(2026, 1, 1),
        [
            *_entries(SR1, Mode.RETAINED, {CGZ: Mode.ENTRUSTED, XDZ: Mode.ENTRUSTED}, {CGZ: stale}),
            *_entries(SR2, Mode.RETAINED, {CKZ: Mode.ENTRUSTED}, {CKZ: other_dept}),
            *_entries(SP2, Mode.RETAINED, entrustments={CGZ: ENTRUST_SP}),
            *_entries(SZ8, Mode.RETAINED, {XDZ: Mode.ENTRUSTED}, {XDZ: ENTRUST_WRONG_SCOPE}),
        ],
        status="draft",
    )
    errors = validate_draft(draft, CATALOGUE)
    joined = "\n".join(errors)
    assert (
        "事项DEMO-SR-001（对随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物的处罚）在城关镇（330183100）：委托书旧委〔2023〕1号已于2025年12月31日到期"
        in errors
    )
    assert any(
        e.startswith("事项DEMO-SR-001") and "新登镇（330183101）：委托事项未附行政执法委托书" in e
        for e in errors
    )
    assert "场口镇（330183102）：委托书市监委〔2026〕1号不是县城市管理局出具的" in joined
    assert "场口镇（330183102）：委托书市监委〔2026〕1号未载明委托期限" in joined
    assert "城关镇（330183100）：下放方式为不下放，不应附委托书" in joined
    assert "新登镇（330183101）：委托书富建委〔2025〕2号的委托范围不包括该事项" in joined
    assert len(errors) == 6


@pytest.mark.rule("R-CAT-01")
def test_overlapping_and_gapped_periods_are_reported() -> None:
    base = [e for e in _good_draft().devolutions if e.matter_code != SP2.code]
    draft = replace(
        _good_draft(),
        devolutions=[
            *base,
            # 城关镇: two periods overlap on 2026-06-30.
            DevolutionEntry(SP2.code, CGZ, Mode.RETAINED, effective_to=date(2026, 6, 30)),
            DevolutionEntry(SP2.code, CGZ, Mode.GRANTED, date(2026, 6, 30)),
            # 新登镇: nothing between 1 March and 31 March, nothing after 31 December.
            DevolutionEntry(SP2.code, XDZ, Mode.RETAINED, effective_to=date(2026, 2, 28)),
            DevolutionEntry(SP2.code, XDZ, Mode.RETAINED, date(2026, 4, 1), date(2026, 12, 31)),
            # 场口镇: starts late.
            DevolutionEntry(SP2.code, CKZ, Mode.RETAINED, date(2026, 1, 2)),
        ],
    )
    errors = [e.split("处罚）")[1] for e in validate_draft(draft, CATALOGUE)]
    assert errors == [
        "在城关镇（330183100）的下放期间重叠：目录生效之日至2026年6月30日与2026年6月30日至目录失效之日",
        "在新登镇（330183101）在2026年3月1日至2026年3月31日没有设定下放方式",
        "在新登镇（330183101）自2027年1月1日起没有设定下放方式",
        "在场口镇（330183102）在2026年1月1日至2026年1月1日没有设定下放方式",
    ]


def test_invalid_mode_unknown_references_and_missing_basis() -> None:
    bare = replace(SR1, legal_basis_penalty=" ")
    draft = replace(
        _good_draft(),
        matters={**MATTERS, SR1.code: bare},
        devolutions=[
            *_good_draft().devolutions,
            DevolutionEntry("DEMO-XX-404", CGZ, Mode.RETAINED),
            DevolutionEntry(SP2.code, "330183999", Mode.RETAINED),
            DevolutionEntry(SZ8.code, CKZ, cast(Mode, "delegated")),
        ],
    )
    errors = validate_draft(draft, CATALOGUE)
    joined = "\n".join(errors)
    assert "事项DEMO-XX-404在城关镇（330183100）：下放安排引用了目录中不存在的事项" in joined
    assert "在未知乡镇（330183999）：下放安排引用了未知的乡镇（街道）" in joined
    assert "在场口镇（330183102）：下放方式“delegated”无效，只能是赋权、委托或不下放" in joined
    assert (
        "事项DEMO-SR-001（对随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物的处罚）已下放，但缺少处罚依据"
        in errors
    )


@pytest.mark.rule("R-CAT-06")
def test_draft_must_follow_the_published_versions_and_not_be_retroactive() -> None:
    draft = replace(_good_draft(), number=3, effective_from=date(2025, 6, 1))
    errors = validate_draft(draft, CATALOGUE, today=date(2025, 12, 1))
    assert "版本号须大于已公布的第3版" in errors
    assert "生效日期须晚于已公布的第3版目录的生效日期（2025年6月1日）" in errors
    assert "生效日期（2025年6月1日）不得早于公布之日，目录不溯及既往" in errors
    assert "第3版目录不是草稿，不能再次公布" in validate_draft(V3, CATALOGUE)


# --- diff_versions ---------------------------------------------------------------------------------


def test_diff_reports_mode_changes_per_township() -> None:
    diff = diff_versions(V2, V3)
    assert [(c.matter_code, c.township_code, c.old, c.new) for c in diff.mode_changed] == [
        (SR1.code, XDZ, Mode.RETAINED, Mode.GRANTED),
        (SZ8.code, XDZ, Mode.RETAINED, Mode.ENTRUSTED),
    ]
    assert diff.added == () and diff.removed == () and diff.basis_changed == ()
    assert "事项DEMO-SR-001在新登镇：由不下放改为赋权" in diff.lines(TOWNSHIPS)


@pytest.mark.rule("R-CAT-05")
def test_diff_reports_added_removed_and_basis_changes_with_townships_to_notify() -> None:
    new_sr1 = replace(SR1, legal_basis_penalty="《某省城市市容和环境卫生管理条例》第四十条")
    sp3 = MatterInfo("DEMO-SP-003", "对用非食品原料生产食品的处罚", SJJ, "县市场监督管理局")
    b = replace(
        V3,
        number=4,
        matters={
            SR1.code: new_sr1,
            SR2.code: replace(SR2, department_code=SJJ, department_name="县市场监督管理局"),
            sp3.code: sp3,
            SP2.code: SP2,
        },
    )
    diff = diff_versions(V3, b)
    assert [m.code for m in diff.added] == ["DEMO-SP-003"]
    assert [m.code for m in diff.removed] == [SZ8.code]
    assert len(diff.basis_changed) == 1
    change = diff.basis_changed[0]
    assert change.field == "legal_basis_penalty" and change.new.startswith("《某省")
    assert change.notify_townships == (CGZ, XDZ)  # the townships exercising DEMO-SR-001
    assert [d.new.name for d in diff.department_changed] == ["县市场监督管理局"]
    lines = diff.lines(TOWNSHIPS)
    assert "新增事项DEMO-SP-003（对用非食品原料生产食品的处罚）" in lines
    assert any(line.startswith("删除事项DEMO-SZ-008") for line in lines)
    assert any("处罚依据由“《城市市容和环境卫生管理条例》第三十四条第（一）项”改为" in line for line in lines)
    assert not diff.is_empty and diff_versions(V3, V3).is_empty
