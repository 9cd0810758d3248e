"""The urgency decision table (no database)."""

from __future__ import annotations

import pytest

from xiezhi.rulebook.periods import PeriodKind
from xiezhi.transfers.urgency import UrgencyError, decide


@pytest.mark.rule("R-TR-02")
@pytest.mark.rule("R-TR-03")
@pytest.mark.rule("R-TR-04")
@pytest.mark.parametrize(
    ("requested", "category", "risk", "level", "rule", "automatic"),
    [
        ("normal", "none", False, "normal", "R-TR-02", False),
        ("urgent", "none", False, "urgent", "R-TR-03", False),
        ("normal", "安全生产", False, "immediate", "R-TR-04", True),
        ("urgent", "食品药品安全", False, "immediate", "R-TR-04", True),
        ("normal", "生态环境", False, "immediate", "R-TR-04", True),
        ("normal", "none", True, "immediate", "R-TR-04", True),
        ("immediate", "none", True, "immediate", "R-TR-04", True),
    ],
)
def test_urgency_table(
    requested: str, category: str, risk: bool, level: str, rule: str, automatic: bool
) -> None:
    u = decide(requested, category, risk)
    assert (u.level, u.rule_id, u.automatic) == (level, rule, automatic)
    assert rule in u.reason


def test_periods_come_from_the_rulebook() -> None:
    assert decide("normal", "none", False).period.code == "3WD"
    assert decide("urgent", "none", False).period.code == "24h"
    assert decide("normal", "安全生产", False).period.kind is PeriodKind.IMMEDIATE


@pytest.mark.rule("R-TR-04")
def test_immediate_needs_a_major_category_or_risk() -> None:
    with pytest.raises(UrgencyError, match="重大"):
        decide("immediate", "none", False)
    with pytest.raises(UrgencyError, match="无效"):
        decide("soon", "none", False)


@pytest.mark.parametrize(
    ("name", "violation"),
    [
        ("对随地吐痰、便溺的处罚", "随地吐痰、便溺"),
        ("对未取得建设工程规划许可证进行建设的行政处罚", "未取得建设工程规划许可证进行建设"),
        ("违法排污", "违法排污"),
    ],
)
def test_violation_read_from_the_matter_name(name: str, violation: str) -> None:
    from xiezhi.transfers.models import violation_of

    assert violation_of(name) == violation
