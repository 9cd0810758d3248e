"""Consultation meetings (会商/联席会议, R-CO-01, R-CO-03) and joint operations (联合执法, R-CO-03,
R-CASE-01): transition tables, the enforcer rule and the clocks' county-policy limits.

R-CO-01: a township or department convenes topic consultations as needed and joint meetings on a
regular schedule; decisions are minuted and followed up. Each decision becomes an action item owed
by a responsible unit by a due date; the meeting closes when every item is done. R-CO-03: a major
case clue may start a consultation and a joint operation. R-CASE-01: only officers holding an
enforcement certificate valid on the day enforce, at least two; assistants never enforce.

RULES.md sets no number of days for minutes or results: their limits are county-policy defaults
in `periods.COUNTY_POLICY` (``CP-CO-01-*``, ``CP-CO-03-*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xiezhi.rulebook.workflows import Workflow

MEETING = Workflow(
    name="meeting",
    label="会商会议",
    initial="convened",
    states={
        "convened": "已通知召开",
        "following": "纪要已印发，督办落实中",
        "closed": "议定事项已全部落实",
        "cancelled": "已取消",
    },
    actions={
        "minute": "印发会商纪要",
        "complete": "议定事项全部落实",
        "cancel": "取消会议",
    },
    transitions={
        ("convened", "minute"): "following",
        ("convened", "cancel"): "cancelled",
        ("following", "complete"): "closed",
    },
    rules={
        ("convened", "minute"): ("R-CO-01",),
        ("following", "complete"): ("R-CO-01",),
    },
)

ACTION_ITEM = Workflow(
    name="action_item",
    label="议定事项",
    initial="open",
    states={"open": "落实中", "done": "已落实"},
    actions={"finish": "报告落实情况"},
    transitions={("open", "finish"): "done"},
    rules={("open", "finish"): ("R-CO-01",)},
)

OPERATION = Workflow(
    name="joint_operation",
    label="联合执法行动",
    initial="planned",
    states={"planned": "已部署", "done": "已完成（结果已登记）", "cancelled": "已取消"},
    actions={"finish": "登记行动结果", "cancel": "取消行动"},
    transitions={("planned", "finish"): "done", ("planned", "cancel"): "cancelled"},
    rules={("planned", "finish"): ("R-CO-03", "R-CASE-01")},
)

MEETING_KINDS: dict[str, str] = {
    "topic": "专题会商",
    "joint": "联席会议",
    "clue": "重大案件线索会商",
}

# Months between regular joint meetings a schedule may use.
CADENCES: dict[int, str] = {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}

MINUTES_LIMIT = "CP-CO-01-MINUTES"
ACTION_LIMIT = "CP-CO-01-ACTION"
REGULAR_LIMIT = "CP-CO-01-REGULAR"
RESULTS_LIMIT = "CP-CO-03-RESULTS"

MIN_ENFORCERS = 2


@dataclass(frozen=True)
class Officer:
    """Who is proposed as an enforcer and whether a certificate of theirs is valid on the day."""

    name: str
    certified: bool


def enforcer_problems(officers: Sequence[Officer], day_label: str) -> list[str]:
    """Why this set of enforcers may not act (empty when it may): every one certified on the day,
    at least two of them (R-CASE-01; 行政处罚法 art. 42)."""
    problems = [
        f"{o.name}在{day_label}没有有效的执法证，不能作为执法人员，只能列为辅助人员（R-CASE-01）"
        for o in officers
        if not o.certified
    ]
    if len(officers) < MIN_ENFORCERS:
        problems.append(f"执法须由至少{MIN_ENFORCERS}名持有有效执法证的执法人员进行（R-CASE-01）")
    return problems


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1
