"""Which obligations belong to which linkage workflow (协作联动), by rule ID.

The rule IDs are read from the rulebook modules the workflows' services open their obligations
with, so a renamed limit moves here too instead of silently dropping out of the figures."""

from __future__ import annotations

from dataclasses import dataclass

from xiezhi.rulebook import assistance_flow, corrections_flow, dispute_flow, linkage_flow, referral_flow
from xiezhi.rulebook.sharing import SHARE_RULE


@dataclass(frozen=True)
class LinkageWorkflow:
    key: str
    label: str
    rules: tuple[str, ...]
    list_url: str  # the workflow's own list page (URL name)


WORKFLOWS: tuple[LinkageWorkflow, ...] = (
    LinkageWorkflow(
        "disputes", "执法争议", tuple(s.limit_id for s in dispute_flow.STEPS.values()), "disputes:list"
    ),
    LinkageWorkflow(
        "assistance",
        "协助请求",
        # R-CO-04 (other assistance), R-CO-05 (identification/appraisal/testing), on-site attendance.
        ("R-CO-04", "R-CO-05", assistance_flow.ONSITE_RULE),
        "assistance:list",
    ),
    LinkageWorkflow("hazards", "隐患通报", (assistance_flow.DISPATCH_RULE,), "hazards:list"),
    LinkageWorkflow("meetings", "会商会议", (
        linkage_flow.MINUTES_LIMIT, linkage_flow.ACTION_LIMIT, linkage_flow.REGULAR_LIMIT,
    ), "meetings:list"),
    LinkageWorkflow("operations", "联合执法", (linkage_flow.RESULTS_LIMIT,), "operations:list"),
    LinkageWorkflow("sharing", "信息共享", (SHARE_RULE,), "sharing:list"),
    LinkageWorkflow("corrections", "纠错意见", (corrections_flow.CORRECTION_RULE,), "corrections:list"),
    LinkageWorkflow("feedback", "监管执法反馈", (corrections_flow.FEEDBACK_RULE,), "corrections:feedback_list"),
    LinkageWorkflow(
        "referrals",
        "行刑衔接",
        (*(s.limit_id for s in referral_flow.STEPS.values()), referral_flow.SUPPORT.limit_id),
        "referrals:list",
    ),
)

BY_KEY: dict[str, LinkageWorkflow] = {w.key: w for w in WORKFLOWS}
BY_RULE: dict[str, LinkageWorkflow] = {rule: w for w in WORKFLOWS for rule in w.rules}
ALL_RULES: tuple[str, ...] = tuple(BY_RULE)
