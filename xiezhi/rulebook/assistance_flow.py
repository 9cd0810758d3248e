"""Assistance requests (协助请求, R-CO-04/05) and hazard notices (隐患通报, R-CO-02): the
transition tables, the kinds, and which time limit each duty runs under.

R-CO-05: a request for identification, appraisal or testing (认定/鉴定/检测) is answered in
writing within 3 WD; urgent or evidence at risk → officers on site at once; a long procedure →
the requester is told in advance (an extension of the duty, with the expected date). R-CO-04 sets
no limit for other assistance: the county default ``CP-CO-04-REPLY`` applies. "At once" has no
number in the seeds: ``CP-CO-05-ONSITE`` and ``CP-CO-02-DISPATCH`` are the county's short limits.

R-CO-02: a township that finds a major public-order or safety hazard notifies the competent
department (or reports to the county government with proposals); the department sends officers
at once; a refusal (which must give a reason) or a missed dispatch is reported to the government.
"""

from __future__ import annotations

from xiezhi.rulebook.periods import Period, get_limit
from xiezhi.rulebook.workflows import Workflow

ASSISTANCE = Workflow(
    name="assistance",
    label="协助请求",
    initial="pending",
    states={
        "pending": "待答复",
        "answered": "已书面答复",
        "refused": "已拒绝协助",
        "withdrawn": "已撤回",
    },
    actions={
        "dispatch": "派员到场",
        "delay": "告知需较长时间",
        "answer": "书面答复",
        "refuse": "拒绝协助",
        "withdraw": "撤回请求",
    },
    transitions={
        ("pending", "dispatch"): "pending",
        ("pending", "delay"): "pending",
        ("pending", "answer"): "answered",
        ("pending", "refuse"): "refused",
        ("pending", "withdraw"): "withdrawn",
    },
    rules={
        ("pending", "dispatch"): ("R-CO-05",),
        ("pending", "delay"): ("R-CO-05",),
        ("pending", "answer"): ("R-CO-04", "R-CO-05"),
        ("pending", "refuse"): ("R-CO-04",),
    },
)

# 认定/鉴定/检测 fall under R-CO-05's 3 WD; other assistance under R-CO-04 and the county default.
KINDS: dict[str, str] = {
    "identification": "认定",
    "appraisal": "鉴定",
    "testing": "检测",
    "other": "其他协助",
}
TECHNICAL_KINDS = frozenset({"identification", "appraisal", "testing"})

HAZARD = Workflow(
    name="hazard",
    label="隐患通报",
    initial="notified",
    states={
        "notified": "待派员处置",
        "onsite": "已派员到场",
        "refused": "拒绝派员（已报县政府）",
        "reported": "已报县政府",
        "closed": "处置完毕",
    },
    actions={
        "dispatch": "派员到场",
        "refuse": "拒绝派员",
        "close": "处置完毕",
    },
    transitions={
        ("notified", "dispatch"): "onsite",
        ("notified", "refuse"): "refused",
        ("onsite", "close"): "closed",
        ("reported", "close"): "closed",
        ("refused", "close"): "closed",
    },
    rules={
        ("notified", "dispatch"): ("R-CO-02",),
        ("notified", "refuse"): ("R-CO-02",),
    },
)

HAZARD_CATEGORIES: dict[str, str] = {
    "public_order": "重大治安隐患",
    "safety": "重大安全隐患",
}


def reply_rule(kind: str) -> str:
    """The rule ID of the written-answer duty for an assistance request of ``kind``."""
    return "R-CO-05" if kind in TECHNICAL_KINDS else "R-CO-04"


def reply_period(kind: str) -> Period:
    return get_limit("R-CO-05" if kind in TECHNICAL_KINDS else "CP-CO-04-REPLY").period


# The duty keeps its rule ID (so the dashboards count it under R-CO-05:urgent / R-CO-02) while
# its length is the county's "at once" limit.
ONSITE_RULE = "R-CO-05:urgent"
DISPATCH_RULE = "R-CO-02"


def onsite_period() -> Period:
    return get_limit("CP-CO-05-ONSITE").period


def dispatch_period() -> Period:
    return get_limit("CP-CO-02-DISPATCH").period
