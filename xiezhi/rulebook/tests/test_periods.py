"""The period grammar and the registry of every time limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xiezhi.rulebook.periods import (
    ANNUAL_DEADLINES,
    COUNTY_POLICY,
    LIMITS,
    MONTH_LIMITS,
    AnnualDeadline,
    MonthLimit,
    Period,
    PeriodKind,
    RuleLimit,
    get_limit,
    parse_period,
)

RULES_MD = Path(__file__).resolve().parents[3] / "docs" / "RULES.md"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3WD", Period(PeriodKind.WORKDAYS, 3)),
        ("3wd", Period(PeriodKind.WORKDAYS, 3)),
        (" 3 Wd ", Period(PeriodKind.WORKDAYS, 3)),
        ("24h", Period(PeriodKind.HOURS, 24)),
        ("24 H", Period(PeriodKind.HOURS, 24)),
        ("15d", Period(PeriodKind.CALENDAR_DAYS, 15)),
        ("0WD", Period(PeriodKind.WORKDAYS, 0)),
        ("immediate", Period(PeriodKind.IMMEDIATE)),
        (" IMMEDIATE ", Period(PeriodKind.IMMEDIATE)),
    ],
)
def test_parse_period(text: str, expected: Period) -> None:
    assert parse_period(text) == expected
    assert parse_period(expected.code) == expected


@pytest.mark.parametrize(
    "text", ["", "3", "WD", "3 weeks", "3.5WD", "immediately", "3WDs", "三个工作日", "h24"]
)
def test_unparsable_period_names_the_grammar(text: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_period(text)
    assert str(err.value) == (
        f"无法识别的时限“{text}”，格式应为 3WD（工作日）、24h（小时）、15d（自然日）或 immediate（立即）"
    )


def test_negative_counts_refused() -> None:
    with pytest.raises(ValueError, match="不能为负数"):
        parse_period("-3WD")
    with pytest.raises(ValueError, match="不能为负数"):
        Period(PeriodKind.HOURS, -1)
    with pytest.raises(ValueError):
        Period(PeriodKind.IMMEDIATE, 2)


def test_chinese_rendering() -> None:
    assert [str(parse_period(t)) for t in ("3WD", "24h", "15d", "immediate")] == [
        "3个工作日",
        "24小时",
        "15日",
        "立即",
    ]


def test_registry_keys_and_id_scheme() -> None:
    pattern = re.compile(
        r"^(R-[A-Z]+-\d{2}|LAW-(APL|310|ACL|ARL|ALL|OGI|CSL)-\d+|LAW-118|LAW-SAMR45)(:[a-z]+)?$"
    )
    registries: list[dict[str, RuleLimit] | dict[str, MonthLimit] | dict[str, AnnualDeadline]]
    registries = [LIMITS, MONTH_LIMITS, ANNUAL_DEADLINES]
    for registry in registries:
        for key, entry in registry.items():
            assert key == entry.rule_id
            assert pattern.match(key), key
    for key, limit in LIMITS.items():
        assert limit.category == ("rule" if key.startswith("R-") else "law")
        assert limit.description_zh and limit.source
    for key, limit in COUNTY_POLICY.items():
        assert key.startswith("CP-") and limit.category == "policy"
        assert "县级" in limit.description_zh
    assert not set(LIMITS) & set(COUNTY_POLICY)
    assert get_limit("R-TR-02") is LIMITS["R-TR-02"]
    assert get_limit("CP-INTAKE-REPLY").period == parse_period("15WD")
    with pytest.raises(KeyError):
        get_limit("R-XX-99")


_BOLD_LIMIT = re.compile(r"\*\*(\d+) WD\*\*|\*\*(\d+) hours\*\*|\*\*(immediately)\*\*")


def _rules_md_limits() -> dict[str, list[Period]]:
    """Every bold time limit of docs/RULES.md, per rule ID."""
    found: dict[str, list[Period]] = {}
    current = None
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"- \*\*(R-[A-Z]+-\d{2})\*\*", line)
        if m:
            current = m.group(1)
        elif not line.startswith("  "):
            current = None
        if current is None:
            continue
        for wd, hours, _imm in _BOLD_LIMIT.findall(line):
            if wd:
                p = Period(PeriodKind.WORKDAYS, int(wd))
            elif hours:
                p = Period(PeriodKind.HOURS, int(hours))
            else:
                p = Period(PeriodKind.IMMEDIATE)
            found.setdefault(current, []).append(p)
    return found


def test_every_limit_of_rules_md_is_registered_with_its_period() -> None:
    documented = _rules_md_limits()
    # R-PER-03 "40 hours" is a yearly training quota, not a time limit.
    documented.pop("R-PER-03", None)
    assert set(documented) >= {
        "R-TR-02",
        "R-TR-03",
        "R-TR-04",
        "R-TR-07",
        "R-TR-08",
        "R-CO-05",
        "R-SH-02",
        "R-SUP-04",
    }
    for rule_id, periods in documented.items():
        registered = [lim.period for lim in LIMITS.values() if lim.provision == rule_id]
        assert set(periods) <= set(registered), rule_id
    assert "**31 December**" in RULES_MD.read_text(encoding="utf-8")
    assert (ANNUAL_DEADLINES["R-SUP-07"].month, ANNUAL_DEADLINES["R-SUP-07"].day) == (12, 31)


def test_registered_rule_ids_exist_in_rules_md() -> None:
    text = RULES_MD.read_text(encoding="utf-8")
    for limit in LIMITS.values():
        if limit.rule_id.startswith("R-"):
            assert f"**{limit.provision}**" in text, limit.rule_id


@pytest.mark.parametrize(
    ("rule_id", "code"),
    [
        ("LAW-APL-48", "3WD"),
        ("LAW-APL-56", "7WD"),
        ("LAW-APL-60", "90d"),
        ("LAW-APL-61", "7WD"),
        ("LAW-APL-64", "5WD"),
        ("LAW-APL-64:notice", "7WD"),
        ("LAW-APL-67", "15d"),
        ("LAW-APL-71", "2WD"),
        ("LAW-310-5", "3d"),
        ("LAW-310-5:transfer", "24h"),
        ("LAW-310-7", "24h"),
        ("LAW-310-8", "3d"),
        ("LAW-310-12", "3d"),
        ("LAW-ACL-19", "24h"),
        ("LAW-ACL-25", "30d"),
        ("LAW-ARL-20", "60d"),
        ("LAW-ALL-45", "15d"),
    ],
)
def test_statutory_limits(rule_id: str, code: str) -> None:
    # 行政处罚法 art. 85: its 二/三/五/七日 are working days; other counts are calendar days.
    assert LIMITS[rule_id].period == parse_period(code)
