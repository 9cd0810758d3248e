"""Correction opinions (纠错意见, R-CO-08), supervision–enforcement feedback (监管执法反馈,
R-CO-09) and evidence mutual recognition (证据互认, R-CO-07).

R-CO-08: a department that finds a township's enforcement wrong issues a correction opinion,
copied to the justice bureau; the township answers with its rectification by the deadline the
opinion sets (an obligation of the township); the department confirms or asks again.

R-CO-09: after a decision the enforcing unit feeds the outcome and any management loophole back to
the licensing/managing department, which answers within a set time (``CP-CO-09-REPLY``); a
managing department sends a matter needing enforcement and receives the result
(``CP-CO-09-RESULT``). Both directions are duties of the receiving unit.
"""

from __future__ import annotations

from xiezhi.rulebook.periods import Period, get_limit
from xiezhi.rulebook.workflows import Workflow

CORRECTION = Workflow(
    name="correction",
    label="纠错意见",
    initial="issued",
    states={
        "issued": "待整改答复",
        "answered": "已答复整改情况",
        "confirmed": "整改已确认（已结）",
        "withdrawn": "已撤回",
    },
    actions={
        "answer": "答复整改情况",
        "confirm": "确认整改",
        "reopen": "要求继续整改",
        "withdraw": "撤回纠错意见",
    },
    transitions={
        ("issued", "answer"): "answered",
        ("issued", "withdraw"): "withdrawn",
        ("answered", "confirm"): "confirmed",
        ("answered", "reopen"): "issued",
    },
    rules={
        ("issued", "answer"): ("R-CO-08",),
        ("answered", "confirm"): ("R-CO-08",),
        ("answered", "reopen"): ("R-CO-08",),
    },
)

FEEDBACK = Workflow(
    name="feedback",
    label="监管执法反馈",
    initial="sent",
    states={"sent": "待答复", "answered": "已答复（已结）"},
    actions={"answer": "答复"},
    transitions={("sent", "answer"): "answered"},
    rules={("sent", "answer"): ("R-CO-09",)},
)

# outcome: the enforcer tells the managing department the outcome and any loophole;
# matter: the managing department sends a matter needing enforcement to the enforcer.
FEEDBACK_DIRECTIONS: dict[str, str] = {
    "outcome": "执法结果及监管漏洞反馈",
    "matter": "需执法处理的事项",
}
FEEDBACK_LIMITS: dict[str, str] = {"outcome": "CP-CO-09-REPLY", "matter": "CP-CO-09-RESULT"}
CORRECTION_RULE = "R-CO-08"
FEEDBACK_RULE = "R-CO-09"


def feedback_period(direction: str) -> Period:
    return get_limit(FEEDBACK_LIMITS[direction]).period
