"""Which time limit a transfer runs under (R-TR-02/03/04). Plain data in, plain data out.

Urgency decides the deadline counted from the time of discovery: normal 3 working days
(R-TR-02), urgent 24 hours (R-TR-03), immediate (R-TR-04). Immediate is not a choice the handler
may take at will: it follows from the matter's major category (安全生产, 食品药品安全, 生态环境)
or from the handler flagging a risk of major loss of life or property or major social impact.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezhi.rulebook.periods import Period, RuleLimit, get_limit

NORMAL, URGENT, IMMEDIATE = "normal", "urgent", "immediate"
LEVELS: dict[str, str] = {NORMAL: "一般", URGENT: "紧急", IMMEDIATE: "立即移送"}
RULES: dict[str, str] = {NORMAL: "R-TR-02", URGENT: "R-TR-03", IMMEDIATE: "R-TR-04"}
# The major categories of R-TR-04 (catalogue.MajorCategory values).
MAJOR_CATEGORIES = frozenset({"安全生产", "食品药品安全", "生态环境"})


class UrgencyError(ValueError):
    """The requested urgency is not allowed; ``message`` is Chinese."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Urgency:
    level: str
    rule_id: str
    automatic: bool
    reason: str

    @property
    def limit(self) -> RuleLimit:
        return get_limit(self.rule_id)

    @property
    def period(self) -> Period:
        return self.limit.period

    @property
    def label(self) -> str:
        return LEVELS[self.level]


def decide(requested: str, major_category: str, major_risk: bool) -> Urgency:
    """The urgency a transfer runs under. Raises `UrgencyError` for an unknown level, or for
    "immediate" asked for without a major category or a flagged major risk."""
    if requested not in LEVELS:
        raise UrgencyError(f"紧急程度“{requested}”无效，可选：{'、'.join(LEVELS.values())}")
    if major_category in MAJOR_CATEGORIES:
        return Urgency(
            IMMEDIATE,
            RULES[IMMEDIATE],
            True,
            f"事项属于{major_category}类重大违法行为，依规立即移送（R-TR-04）",
        )
    if major_risk:
        return Urgency(
            IMMEDIATE,
            RULES[IMMEDIATE],
            True,
            "承办人标注可能造成重大人身财产损失或重大社会影响，依规立即移送（R-TR-04）",
        )
    if requested == IMMEDIATE:
        raise UrgencyError(
            "立即移送适用于安全生产、食品药品安全、生态环境类重大违法行为，或可能造成重大人身财产损失、"
            "重大社会影响的情形；请勾选“存在重大风险”或选择“一般”“紧急”"
        )
    if requested == URGENT:
        return Urgency(URGENT, RULES[URGENT], False, "承办人认定为紧急案件，24小时内移送（R-TR-03）")
    return Urgency(NORMAL, RULES[NORMAL], False, "自发现之日起3个工作日内移送（R-TR-02）")
