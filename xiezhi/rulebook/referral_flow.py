"""Criminal referrals (行刑衔接): the transition table and the time limit of each step.

国务院令第310号 (LAW.md §B rules 33–42), RULES.md R-CR-01..03:

* art. 5: a case team of at least two officers reports in writing to the principal head, who
  decides within 3 days; approved → transfer to the same-level public security organ within 24
  hours; not approved → the reasons are recorded.
* art. 6: the materials transferred (``MATERIALS``).
* art. 7: the police sign the receipt; not competent → forward within 24 hours and tell the
  transferring body in writing.
* art. 8: the police review within 3 days of acceptance and file or decline in writing.
* art. 9: the transferring body may ask for reconsideration within 3 days; the police decide
  within 3 days; still disagreeing → ask the procuratorate for filing supervision within 3 days.
* art. 10–12: a refused case goes on as an administrative case; after filing, items and materials
  are handed over within 3 days.

The "3 days" of 310号 are natural days (日, not 工作日: neither 310号 nor 行政处罚法 says working
days for them; LAW.md rule 51–52 counting, last day rolled over a non-working day), the "24
hours" a clock period. The limits themselves live in `periods.LIMITS` (``LAW-310-*``); R-CR-03's
"immediately" is county policy (``CP-CR-03-SUPPORT``).
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezhi.rulebook.periods import Period, get_limit
from xiezhi.rulebook.workflows import Workflow

REFERRAL = Workflow(
    name="referral",
    label="涉嫌犯罪案件移送",
    initial="reported",
    states={
        "reported": "待负责人审批",
        "approved": "已批准，待移送",
        "not_approved": "负责人不批准移送（已结）",
        "transferred": "已移送，待公安机关接收",
        "received": "公安机关审查中",
        "forwarded": "已转送有管辖权机关（已结）",
        "declined": "公安机关不予立案",
        "reconsidering": "复议中",
        "upheld": "复议维持不予立案",
        "supervision": "检察院立案监督中",
        "filed": "公安机关已立案，待移交物品",
        "handed_over": "已移交涉案物品及材料（已结）",
        "closed_declined": "不予立案，行政处理继续（已结）",
    },
    actions={
        "approve": "批准移送",
        "reject": "不批准移送",
        "transfer": "移送公安机关",
        "receive": "签收",
        "forward": "转送有管辖权机关",
        "file": "立案",
        "decline": "不予立案",
        "accept_decline": "接受不予立案决定",
        "reconsider": "提请复议",
        "reconsider_file": "复议后立案",
        "reconsider_uphold": "复议维持不予立案",
        "supervise": "建议检察院立案监督",
        "supervision_file": "检察院通知立案",
        "supervision_close": "检察院认为不立案理由成立",
        "hand_over": "移交涉案物品及材料",
    },
    transitions={
        ("reported", "approve"): "approved",
        ("reported", "reject"): "not_approved",
        ("approved", "transfer"): "transferred",
        ("transferred", "receive"): "received",
        ("received", "forward"): "forwarded",
        ("received", "file"): "filed",
        ("received", "decline"): "declined",
        ("declined", "accept_decline"): "closed_declined",
        ("declined", "reconsider"): "reconsidering",
        ("reconsidering", "reconsider_file"): "filed",
        ("reconsidering", "reconsider_uphold"): "upheld",
        ("upheld", "accept_decline"): "closed_declined",
        ("upheld", "supervise"): "supervision",
        ("supervision", "supervision_file"): "filed",
        ("supervision", "supervision_close"): "closed_declined",
        ("filed", "hand_over"): "handed_over",
    },
    rules={
        ("reported", "approve"): ("R-CR-01",),
        ("reported", "reject"): ("R-CR-01",),
        ("approved", "transfer"): ("R-CR-01",),
        ("transferred", "receive"): ("R-CR-02",),
        ("received", "forward"): ("R-CR-02",),
        ("received", "file"): ("R-CR-02",),
        ("received", "decline"): ("R-CR-02",),
        ("declined", "reconsider"): ("R-CR-02",),
        ("upheld", "supervise"): ("R-CR-02",),
        ("supervision", "supervision_file"): ("R-CR-02",),
        ("filed", "hand_over"): ("R-CR-01",),
    },
)

# Who acts in each state: the transferring unit ("unit"), the police, the procuratorate.
ACTORS: dict[str, str] = {
    "approve": "unit_head",
    "reject": "unit_head",
    "transfer": "unit",
    "receive": "police",
    "forward": "police",
    "file": "police",
    "decline": "police",
    "accept_decline": "unit",
    "reconsider": "unit",
    "reconsider_file": "police",
    "reconsider_uphold": "police",
    "supervise": "unit",
    "supervision_file": "procuratorate",
    "supervision_close": "procuratorate",
    "hand_over": "unit",
}

CLOSED_STATES = frozenset({"not_approved", "forwarded", "handed_over", "closed_declined"})
OPEN_STATES = frozenset(REFERRAL.states) - CLOSED_STATES
# The police see a referral only once it has been sent to them.
SENT_STATES = frozenset(REFERRAL.states) - {"reported", "approved", "not_approved"}
# States after which the police have decided (the court is told; R-CR-02).
OUTCOME_STATES = frozenset({"filed", "handed_over", "forwarded", "closed_declined"})
# Recording an administrative penalty against the party while a referral is in one of these
# states is 以罚代刑 (R-CR-01, 310号 art. 11): the referral is pending or was never made.
PENDING_STATES = frozenset(
    {"reported", "approved", "transferred", "received", "declined", "reconsidering", "upheld", "supervision"}
)
NEVER_REFERRED_STATES = frozenset({"not_approved"})

# 310号 art. 6 materials; the 移送书 is issued by the platform when the case is transferred.
MATERIALS: dict[str, str] = {
    "referral_letter": "涉嫌犯罪案件移送书",
    "investigation_report": "涉嫌犯罪案件调查报告",
    "item_list": "涉案物品清单",
    "inspection_report": "有关检验报告或者鉴定结论",
    "other": "其他有关涉嫌犯罪的材料",
}
SUPPLIED_MATERIALS = tuple(k for k in MATERIALS if k != "referral_letter")
MIN_TEAM = 2  # 310号 art. 5 and 行政处罚法 art. 42 (R-CASE-01)


def missing_materials(supplied: dict[str, str]) -> list[str]:
    """Labels of the art. 6 materials not described in ``supplied`` (the 移送书 is generated)."""
    return [MATERIALS[k] for k in SUPPLIED_MATERIALS if not str(supplied.get(k) or "").strip()]


@dataclass(frozen=True)
class Step:
    """One time-limited step: its limit ID, who owes it and the state whose entry starts it."""

    key: str
    limit_id: str
    owner: str  # "unit" (transferring body), "police"
    label: str

    @property
    def period(self) -> Period:
        return get_limit(self.limit_id).period

    @property
    def description(self) -> str:
        return get_limit(self.limit_id).description_zh


HEAD_DECISION = Step("head_decision", "LAW-310-5", "unit", "负责人审批移送")
TRANSFER = Step("transfer", "LAW-310-5:transfer", "unit", "移送公安机关")
POLICE_FORWARD = Step("forward", "LAW-310-7", "police", "转送有管辖权机关")
POLICE_REVIEW = Step("review", "LAW-310-8", "police", "公安机关审查立案")
RECONSIDER_ASK = Step("reconsider_ask", "LAW-310-9", "unit", "提请复议")
RECONSIDER_DECIDE = Step("reconsider_decide", "LAW-310-9:decide", "police", "复议决定")
SUPERVISION_ASK = Step("supervision_ask", "LAW-310-9:procuratorate", "unit", "建议立案监督")
HANDOVER = Step("handover", "LAW-310-12", "unit", "移交涉案物品及材料")
SUPPORT = Step("support", "CP-CR-03-SUPPORT", "police", "公安机关出警支援")
STEPS: dict[str, Step] = {
    s.key: s
    for s in (
        HEAD_DECISION,
        TRANSFER,
        POLICE_FORWARD,
        POLICE_REVIEW,
        RECONSIDER_ASK,
        RECONSIDER_DECIDE,
        SUPERVISION_ASK,
        HANDOVER,
    )
}
# The step whose clock starts when a referral enters the state.
STEP_ON_ENTRY: dict[str, Step] = {
    "reported": HEAD_DECISION,
    "approved": TRANSFER,
    "received": POLICE_REVIEW,
    "declined": RECONSIDER_ASK,
    "reconsidering": RECONSIDER_DECIDE,
    "upheld": SUPERVISION_ASK,
    "filed": HANDOVER,
}

# Police support (R-CR-03): obstruction of enforcement by violence or threat.
SUPPORT_FLOW = Workflow(
    name="police_support",
    label="公安协助请求",
    initial="requested",
    states={"requested": "待公安机关出警", "responded": "公安机关已出警处置（已结）"},
    actions={"respond": "出警处置"},
    transitions={("requested", "respond"): "responded"},
    rules={("requested", "respond"): ("R-CR-03",)},
)
OBSTRUCTION_KINDS: dict[str, str] = {"violence": "暴力阻碍执法", "threat": "威胁方法阻碍执法"}
