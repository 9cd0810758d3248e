"""Enforcement disputes (执法争议): the transition table and the time limit of each step.

R-DIS-01: disputes over legal basis, duties, joint enforcement, assistance or transfer are first
negotiated between the parties; an agreement recorded in minutes binds them and closes the
dispute. R-DIS-02: failing agreement, either party applies to the justice bureau (司法局) for
coordination; failing that, the bureau's proposal goes to the county government, whose decision
closes it; a matter beyond the government's power is referred to the competent authority.
R-DIS-03: while a dispute is open a provisional handler keeps the statutory duty.

RULES.md sets no number of days for these steps: each step's limit is a county-policy default in
`periods.COUNTY_POLICY` (``CP-DIS-*``), so a county changes it there, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezhi.rulebook.periods import Period, get_limit
from xiezhi.rulebook.workflows import Workflow

DISPUTE = Workflow(
    name="dispute",
    label="执法争议",
    initial="negotiating",
    states={
        "negotiating": "双方协商中",
        "coordinating": "司法局协调中",
        "proposed": "待县政府决定",
        "agreed": "协商一致（已结）",
        "coordinated": "协调一致（已结）",
        "decided": "县政府已决定（已结）",
        "referred": "已移送有权机关（已结）",
        "withdrawn": "已撤回",
    },
    actions={
        "negotiate": "记录协商（未达成一致）",
        "agree": "协商一致",
        "withdraw": "撤回争议",
        "apply": "申请司法局协调",
        "coordinate": "协调一致",
        "propose": "提出处理建议报县政府",
        "decide": "县政府决定",
        "refer": "移送有权机关",
    },
    transitions={
        ("negotiating", "negotiate"): "negotiating",
        ("negotiating", "agree"): "agreed",
        ("negotiating", "withdraw"): "withdrawn",
        ("negotiating", "apply"): "coordinating",
        ("coordinating", "coordinate"): "coordinated",
        ("coordinating", "propose"): "proposed",
        ("proposed", "decide"): "decided",
        ("proposed", "refer"): "referred",
    },
    rules={
        ("negotiating", "negotiate"): ("R-DIS-01",),
        ("negotiating", "agree"): ("R-DIS-01",),
        ("negotiating", "apply"): ("R-DIS-02",),
        ("coordinating", "coordinate"): ("R-DIS-01", "R-DIS-02"),
        ("coordinating", "propose"): ("R-DIS-02",),
        ("proposed", "decide"): ("R-DIS-02",),
        ("proposed", "refer"): ("R-DIS-02",),
    },
)

OPEN_STATES = frozenset({"negotiating", "coordinating", "proposed"})
CLOSED_STATES = frozenset(DISPUTE.states) - OPEN_STATES

# The kinds of dispute R-DIS-01 names.
KINDS: dict[str, str] = {
    "legal_basis": "法律依据争议",
    "duties": "职责争议",
    "joint_enforcement": "联合执法争议",
    "assistance": "协助争议",
    "transfer": "案件移送争议",
}


@dataclass(frozen=True)
class Step:
    """One time-limited step: who owes it (``party`` = the applicant, ``handler`` = the provisional
    handler, ``justice_bureau``, ``county_government``), under which county-policy limit, and
    which state it belongs to."""

    key: str
    limit_id: str
    owner: str
    state: str
    label: str

    @property
    def period(self) -> Period:
        return get_limit(self.limit_id).period

    @property
    def description(self) -> str:
        return get_limit(self.limit_id).description_zh


NEGOTIATION = Step("negotiation", "CP-DIS-NEGOTIATE", "party", "negotiating", "双方协商")
PROVISIONAL = Step("provisional", "CP-DIS-PROVISIONAL", "handler", "negotiating", "临时承办单位接手")
COORDINATION = Step("coordination", "CP-DIS-COORDINATE", "justice_bureau", "coordinating", "司法局协调")
DECISION = Step("decision", "CP-DIS-DECIDE", "county_government", "proposed", "县政府决定")
STEPS: dict[str, Step] = {s.key: s for s in (NEGOTIATION, PROVISIONAL, COORDINATION, DECISION)}


def step_entered(state: str) -> Step | None:
    """The step whose clock starts when a dispute enters ``state`` (the provisional handler's
    step starts with the dispute itself, alongside the negotiation)."""
    for step in (NEGOTIATION, COORDINATION, DECISION):
        if step.state == state:
            return step
    return None


def is_open(state: str) -> bool:
    return state in OPEN_STATES
