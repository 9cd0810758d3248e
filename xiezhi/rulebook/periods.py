"""Time limits (时限): the period grammar and every limit of RULES.md and LAW.md, once.

No other module writes a number of days: code asks this registry by rule ID.

Key scheme of the registries (``RuleLimit.rule_id``):

* ``R-XX-NN``      — a rule of RULES.md (local policy from the seeds), e.g. ``R-TR-02``.
* ``LAW-APL-NN``   — 行政处罚法 (2021) article NN (Administrative Penalty Law).
* ``LAW-310-NN``   — 行政执法机关移送涉嫌犯罪案件的规定 (国务院令第310号) article NN.
* ``LAW-ACL-NN``   — 行政强制法 article NN (Administrative Coercion Law).
* ``LAW-ARL-NN``   — 行政复议法 (2023) article NN (Administrative Reconsideration Law).
* ``LAW-ALL-NN``   — 行政诉讼法 article NN (Administrative Litigation Law).
* ``LAW-OGI-NN``   — 政府信息公开条例 article NN; ``LAW-SAMR45`` — 总局令第45号 (articles in ``source``);
  ``LAW-118``      — 国办发〔2018〕118号 (三项制度 guideline; read only in a secondary source).
* ``CP-…``         — county policy defaults: not law, configurable per county (``COUNTY_POLICY``).
* ``…:suffix``     — a second limit in the same provision (``R-CO-05:urgent``,
  ``LAW-310-5:transfer``); the part before ``:`` is the provision.

Day counts in law: 行政处罚法 art. 85 makes its "二日、三日、五日、七日" working days; 行政强制法
art. 69 makes every period of ≤ 10 days working days; 行政复议法 art. 88 makes "三日、五日、七日、
十日" working days. Other day counts are calendar days (民法典 arts. 200–203), as are the
310号 "三日", which that regulation does not define otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class PeriodKind(Enum):
    WORKDAYS = "WD"
    HOURS = "h"
    CALENDAR_DAYS = "d"
    IMMEDIATE = "immediate"


_UNIT_ZH = {PeriodKind.WORKDAYS: "个工作日", PeriodKind.HOURS: "小时", PeriodKind.CALENDAR_DAYS: "日"}


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    n: int = 0

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError(f"时限不能为负数（{self.n}）")
        if self.kind is PeriodKind.IMMEDIATE and self.n != 0:
            raise ValueError("“立即”时限不带数量")

    @property
    def code(self) -> str:
        """The grammar form ("3WD", "24h", "15d", "immediate"): ``parse_period(p.code) == p``."""
        if self.kind is PeriodKind.IMMEDIATE:
            return "immediate"
        return f"{self.n}{self.kind.value}"

    def __str__(self) -> str:
        if self.kind is PeriodKind.IMMEDIATE:
            return "立即"
        return f"{self.n}{_UNIT_ZH[self.kind]}"


_GRAMMAR = "格式应为 3WD（工作日）、24h（小时）、15d（自然日）或 immediate（立即）"
_PERIOD_RE = re.compile(r"^(-?\d+)\s*(wd|h|d)$", re.IGNORECASE)
_UNITS = {"wd": PeriodKind.WORKDAYS, "h": PeriodKind.HOURS, "d": PeriodKind.CALENDAR_DAYS}


def parse_period(text: str) -> Period:
    """``3WD`` / ``24h`` / ``15d`` / ``immediate``, case-insensitive, spaces tolerated."""
    compact = text.strip()
    if re.fullmatch(r"immediate", compact.replace(" ", ""), re.IGNORECASE):
        return Period(PeriodKind.IMMEDIATE)
    match = _PERIOD_RE.match(compact.replace(" ", ""))
    if match is None:
        raise ValueError(f"无法识别的时限“{text}”，{_GRAMMAR}")
    n = int(match.group(1))
    if n < 0:
        raise ValueError(f"时限不能为负数：“{text}”，{_GRAMMAR}")
    return Period(_UNITS[match.group(2).lower()], n)


WD = PeriodKind.WORKDAYS
HOURS = PeriodKind.HOURS
DAYS = PeriodKind.CALENDAR_DAYS
IMMEDIATE = Period(PeriodKind.IMMEDIATE)


@dataclass(frozen=True, slots=True)
class RuleLimit:
    """A time limit with the provision it comes from. ``category``: 'rule' (RULES.md, local
    policy in the seeds), 'law' (statute / State Council document), 'policy' (county default)."""

    rule_id: str
    period: Period
    description_zh: str
    source: str
    category: str = "rule"

    @property
    def provision(self) -> str:
        """The rule/article ID without the ``:suffix``."""
        return self.rule_id.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class MonthLimit:
    """A period counted in months or years (民法典 art. 202: ends on the corresponding day of
    the last month, or its last day) — outside the day/hour ``Period`` grammar."""

    rule_id: str
    months: int
    description_zh: str
    source: str


@dataclass(frozen=True, slots=True)
class AnnualDeadline:
    """A fixed day of the year something is due by (年度截止日)."""

    rule_id: str
    month: int
    day: int
    description_zh: str
    source: str


# --- RULES.md (seed documents: local policy) ---------------------------------------------

TRANSFER_NORMAL = RuleLimit(
    "R-TR-02",
    Period(WD, 3),
    "发现属于对方管辖的违法行为，自发现之日起3个工作日内移送",
    "RULES.md R-TR-02（000 三(三)1；003 四(一)1）",
)
TRANSFER_URGENT = RuleLimit(
    "R-TR-03", Period(HOURS, 24), "紧急案件24小时内移送", "RULES.md R-TR-03（000 三(三)1；003 四(一)1）"
)
TRANSFER_IMMEDIATE = RuleLimit(
    "R-TR-04",
    IMMEDIATE,
    "安全生产、食品药品安全、环保等重大违法行为或可能造成重大损失、重大社会影响的，立即移送",
    "RULES.md R-TR-04（000 三(三)1）",
)
ONGOING_VIOLATION_STOP = RuleLimit(
    "R-TR-05",
    IMMEDIATE,
    "违法行为正在进行的，立即责令停止并固定证据，及时书面告知主管单位",
    "RULES.md R-TR-05（000 三(三)1；003 四(一)1）",
)
ORAL_TRANSFER_FORMALITIES = RuleLimit(
    "R-TR-07",
    Period(HOURS, 24),
    "特别紧急情况口头移送的，24小时内补办书面移送手续",
    "RULES.md R-TR-07（000 三(三)2）",
)
ACCEPTANCE_REPLY = RuleLimit(
    "R-TR-08", Period(WD, 3), "接收单位3个工作日内书面告知移送单位是否受理", "RULES.md R-TR-08（000 三(三)3）"
)
HAZARD_DISPATCH = RuleLimit(
    "R-CO-02",
    IMMEDIATE,
    "乡镇通报重大治安、安全隐患后，主管部门立即派员处置",
    "RULES.md R-CO-02（000 三(四)；003 四(四)）",
)
ASSISTANCE_REPLY = RuleLimit(
    "R-CO-05",
    Period(WD, 3),
    "认定、鉴定、检测请求，主管部门3个工作日内书面答复",
    "RULES.md R-CO-05（000 三(四)；002 二(二)2）",
)
ASSISTANCE_URGENT_ONSITE = RuleLimit(
    "R-CO-05:urgent",
    IMMEDIATE,
    "情况紧急或证据可能灭失的，主管部门立即派员到场",
    "RULES.md R-CO-05（000 三(四)；002 二(二)2）",
)
SHARE = RuleLimit(
    "R-SH-02",
    Period(WD, 1),
    "信息形成之日起1个工作日内共享（需整理的可说明理由延长）",
    "RULES.md R-SH-02（000 三(六)）",
)
SUP_REPORT = RuleLimit(
    "R-SUP-04",
    Period(WD, 3),
    "逾期未整改或情节严重、复杂的，3个工作日内报告司法局，提请发出行政执法监督通知书",
    "RULES.md R-SUP-04（002 二(四)1,3）",
)
SUP_OPINION_REPLY = RuleLimit(
    "R-SUP-06",
    Period(WD, 3),
    "司法所请求司法局意见的，司法局3个工作日内答复",
    "RULES.md R-SUP-06（002 二(四)2）",
)

# --- LAW.md §A 行政处罚法 (2021) ---------------------------------------------------------------

_APL = "行政处罚法（2021）"
APL_WITHDRAW_PUBLICATION = RuleLimit(
    "LAW-APL-48",
    Period(WD, 3),
    "已公开的处罚决定被变更、撤销、确认违法或无效的，3日（工作日）内撤回并说明理由",
    f"{_APL}第四十八条、第八十五条",
    "law",
)
APL_PRESERVED_EVIDENCE = RuleLimit(
    "LAW-APL-56",
    Period(WD, 7),
    "先行登记保存的证据，7日（工作日）内作出处理决定",
    f"{_APL}第五十六条、第八十五条",
    "law",
)
APL_DECISION = RuleLimit(
    "LAW-APL-60",
    Period(DAYS, 90),
    "自立案之日起90日内作出行政处罚决定（本法未规定延长）",
    f"{_APL}第六十条",
    "law",
)
APL_DELIVERY = RuleLimit(
    "LAW-APL-61",
    Period(WD, 7),
    "当事人不在场的，7日（工作日）内依照民事诉讼法送达处罚决定书",
    f"{_APL}第六十一条、第八十五条",
    "law",
)
APL_HEARING_REQUEST = RuleLimit(
    "LAW-APL-64",
    Period(WD, 5),
    "当事人在告知后5日（工作日）内提出听证要求",
    f"{_APL}第六十四条、第八十五条",
    "law",
)
APL_HEARING_NOTICE = RuleLimit(
    "LAW-APL-64:notice",
    Period(WD, 7),
    "听证7日（工作日）前通知当事人听证的时间、地点（向前计算）",
    f"{_APL}第六十四条、第八十五条",
    "law",
)
APL_FINE_PAYMENT = RuleLimit(
    "LAW-APL-67",
    Period(DAYS, 15),
    "自收到处罚决定书之日起15日内缴纳罚款（自然日）",
    f"{_APL}第六十七条",
    "law",
)
APL_CASH_HANDOVER = RuleLimit(
    "LAW-APL-71",
    Period(WD, 2),
    "当场收缴的罚款自收缴之日（水上自抵岸之日）起2日（工作日）内交至行政机关",
    f"{_APL}第七十一条、第八十五条",
    "law",
)
APL_CASH_TO_BANK = RuleLimit(
    "LAW-APL-71:bank",
    Period(WD, 2),
    "行政机关2日（工作日）内将当场收缴的罚款缴付指定银行",
    f"{_APL}第七十一条、第八十五条",
    "law",
)

# --- LAW.md §B 国务院令第310号 ------------------------------------------------------------------

_R310 = "行政执法机关移送涉嫌犯罪案件的规定（国务院令第310号，2020年修订）"
R310_HEAD_DECISION = RuleLimit(
    "LAW-310-5",
    Period(DAYS, 3),
    "正职负责人自接到移送报告之日起3日内作出是否批准移送的决定",
    f"{_R310}第五条",
    "law",
)
R310_TRANSFER = RuleLimit(
    "LAW-310-5:transfer", Period(HOURS, 24), "决定批准的，24小时内向同级公安机关移送", f"{_R310}第五条", "law"
)
R310_POLICE_FORWARD = RuleLimit(
    "LAW-310-7",
    Period(HOURS, 24),
    "公安机关不属于本机关管辖的，24小时内转送有管辖权的机关并书面告知移送机关",
    f"{_R310}第七条",
    "law",
)
R310_POLICE_REVIEW = RuleLimit(
    "LAW-310-8",
    Period(DAYS, 3),
    "公安机关自接受移送之日起3日内审查，决定立案或不予立案",
    f"{_R310}第八条",
    "law",
)
R310_RECONSIDERATION = RuleLimit(
    "LAW-310-9", Period(DAYS, 3), "移送机关自接到不予立案通知书之日起3日内可提请复议", f"{_R310}第九条", "law"
)
R310_RECONSIDERATION_DECISION = RuleLimit(
    "LAW-310-9:decide",
    Period(DAYS, 3),
    "公安机关自收到复议申请之日起3日内作出复议决定",
    f"{_R310}第九条",
    "law",
)
R310_PROCURATORATE = RuleLimit(
    "LAW-310-9:procuratorate",
    Period(DAYS, 3),
    "对复议决定仍有异议的，3日内建议人民检察院依法进行立案监督",
    f"{_R310}第九条",
    "law",
)
R310_HANDOVER = RuleLimit(
    "LAW-310-12",
    Period(DAYS, 3),
    "公安机关立案后，移送机关自接到立案通知书之日起3日内移交涉案物品及材料",
    f"{_R310}第十二条",
    "law",
)

# --- LAW.md §C publication (secondary-source and sector rules, flagged in ``source``) ----------

PUB_DECISION = RuleLimit(
    "LAW-118",
    Period(WD, 20),
    "行政执法决定自作出之日起20个工作日内公示",
    "国办发〔2018〕118号（据二手来源，全文未核）",
    "law",
)
PUB_PENALTY = RuleLimit(
    "LAW-118:penalty",
    Period(WD, 7),
    "行政许可、行政处罚决定自作出之日起7个工作日内公示",
    "国办发〔2018〕118号（据二手来源，全文未核）",
    "law",
)
SAMR_PUBLISH = RuleLimit(
    "LAW-SAMR45:publish",
    Period(WD, 20),
    "市场监管行政处罚信息自作出决定之日起20个工作日内公示",
    "市场监督管理行政处罚信息公示规定（总局令第45号）第二、六、八至十一、十三条",
    "law",
)
SAMR_WITHDRAW = RuleLimit(
    "LAW-SAMR45:withdraw",
    Period(WD, 3),
    "处罚决定被变更、撤销等的，3个工作日内撤下或更新公示信息",
    "市场监督管理行政处罚信息公示规定（总局令第45号）第二、六、八至十一、十三条",
    "law",
)
OGI_PROACTIVE = RuleLimit(
    "LAW-OGI-26",
    Period(WD, 20),
    "主动公开的政府信息自形成或变更之日起20个工作日内公开",
    "政府信息公开条例（2019）第二十六条",
    "law",
)
OGI_REQUEST = RuleLimit(
    "LAW-OGI-33",
    Period(WD, 20),
    "依申请公开不能当场答复的，自收到申请之日起20个工作日内答复",
    "政府信息公开条例（2019）第三十三条",
    "law",
)
OGI_REQUEST_EXTENSION = RuleLimit(
    "LAW-OGI-33:extension",
    Period(WD, 20),
    "经批准可延长一次答复期限，延长不超过20个工作日",
    "政府信息公开条例（2019）第三十三条",
    "law",
)

# --- LAW.md §D coercion, review, litigation ---------------------------------------------------

ACL_ONSITE_REPORT = RuleLimit(
    "LAW-ACL-19",
    Period(HOURS, 24),
    "情况紧急当场实施行政强制措施的，24小时内向行政机关负责人报告并补办批准手续",
    "行政强制法第十九条",
    "law",
)
ACL_SEIZURE = RuleLimit(
    "LAW-ACL-25", Period(DAYS, 30), "查封、扣押的期限不得超过30日", "行政强制法第二十五条", "law"
)
ACL_SEIZURE_EXTENSION = RuleLimit(
    "LAW-ACL-25:extension",
    Period(DAYS, 30),
    "情况复杂的经批准可延长查封、扣押一次，延长不超过30日",
    "行政强制法第二十五条",
    "law",
)
ARL_APPLY = RuleLimit(
    "LAW-ARL-20",
    Period(DAYS, 60),
    "知道行政行为之日起60日内申请行政复议",
    "行政复议法（2023）第二十条",
    "law",
)
ARL_DECISION = RuleLimit(
    "LAW-ARL-62",
    Period(DAYS, 60),
    "复议机关自受理之日起60日内作出复议决定",
    "行政复议法（2023）第六十二条",
    "law",
)
ARL_DECISION_EXTENSION = RuleLimit(
    "LAW-ARL-62:extension",
    Period(DAYS, 30),
    "情况复杂的经批准可延长复议期限，延长不超过30日",
    "行政复议法（2023）第六十二条",
    "law",
)
ALL_SUIT_AFTER_REVIEW = RuleLimit(
    "LAW-ALL-45",
    Period(DAYS, 15),
    "不服复议决定的，自收到复议决定书之日起15日内提起诉讼",
    "行政诉讼法第四十五条",
    "law",
)

LIMITS: dict[str, RuleLimit] = {
    limit.rule_id: limit
    for limit in (
        TRANSFER_NORMAL,
        TRANSFER_URGENT,
        TRANSFER_IMMEDIATE,
        ONGOING_VIOLATION_STOP,
        ORAL_TRANSFER_FORMALITIES,
        ACCEPTANCE_REPLY,
        HAZARD_DISPATCH,
        ASSISTANCE_REPLY,
        ASSISTANCE_URGENT_ONSITE,
        SHARE,
        SUP_REPORT,
        SUP_OPINION_REPLY,
        APL_WITHDRAW_PUBLICATION,
        APL_PRESERVED_EVIDENCE,
        APL_DECISION,
        APL_DELIVERY,
        APL_HEARING_REQUEST,
        APL_HEARING_NOTICE,
        APL_FINE_PAYMENT,
        APL_CASH_HANDOVER,
        APL_CASH_TO_BANK,
        R310_HEAD_DECISION,
        R310_TRANSFER,
        R310_POLICE_FORWARD,
        R310_POLICE_REVIEW,
        R310_RECONSIDERATION,
        R310_RECONSIDERATION_DECISION,
        R310_PROCURATORATE,
        R310_HANDOVER,
        PUB_DECISION,
        PUB_PENALTY,
        SAMR_PUBLISH,
        SAMR_WITHDRAW,
        OGI_PROACTIVE,
        OGI_REQUEST,
        OGI_REQUEST_EXTENSION,
        ACL_ONSITE_REPORT,
        ACL_SEIZURE,
        ACL_SEIZURE_EXTENSION,
        ARL_APPLY,
        ARL_DECISION,
        ARL_DECISION_EXTENSION,
        ALL_SUIT_AFTER_REVIEW,
    )
}

MONTH_LIMITS: dict[str, MonthLimit] = {
    m.rule_id: m
    for m in (
        MonthLimit("LAW-APL-36", 24, "违法行为2年内未被发现的，不再给予行政处罚", f"{_APL}第三十六条"),
        MonthLimit(
            "LAW-APL-36:serious",
            60,
            "涉及公民生命健康安全、金融安全且有危害后果的，期限延长至5年",
            f"{_APL}第三十六条",
        ),
        MonthLimit(
            "LAW-ACL-53",
            3,
            "当事人在法定期限内不申请复议、不起诉又不履行的，期限届满之日起3个月内申请法院强制执行",
            "行政强制法第五十三条",
        ),
        MonthLimit(
            "LAW-ALL-46", 6, "直接起诉的，自知道作出行政行为之日起6个月内提出", "行政诉讼法第四十六条"
        ),
        MonthLimit("LAW-CSL-21", 6, "网络日志留存不少于6个月（审计日志保留下限）", "网络安全法第二十一条"),
    )
}

ANNUAL_DEADLINES: dict[str, AnnualDeadline] = {
    a.rule_id: a
    for a in (
        AnnualDeadline(
            "R-SUP-07",
            12,
            31,
            "年度行政执法协调监督工作总结12月31日前报送",
            "RULES.md R-SUP-07（002 二(四)1）",
        ),
        AnnualDeadline(
            "R-PER-02", 3, 31, "执法证件年度审验于次年3月底前完成", "RULES.md R-PER-02（004 二(一)3）"
        ),
        AnnualDeadline(
            "LAW-118:statistics",
            1,
            31,
            "每年1月31日前公开上年度行政执法统计年报",
            "国办发〔2018〕118号（据二手来源）",
        ),
    )
}

# --- County policy defaults (not law; each county may configure its own) ----------------------

INTAKE_ACCEPT = RuleLimit(
    "CP-INTAKE-ACCEPT",
    Period(WD, 1),
    "首问单位1个工作日内受理登记投诉举报（县级默认值，可配置）",
    "县级工作规则默认值",
    "policy",
)
INTAKE_REPLY = RuleLimit(
    "CP-INTAKE-REPLY",
    Period(WD, 15),
    "最终办理单位15个工作日内答复举报人（县级默认值，可配置）",
    "县级工作规则默认值",
    "policy",
)
DISPUTE_NEGOTIATION = RuleLimit(
    "CP-DIS-NEGOTIATE",
    Period(WD, 5),
    "执法争议双方5个工作日内协商（县级默认值，可配置）",
    "县级工作规则默认值（R-DIS-01 未规定时限）",
    "policy",
)
DISPUTE_COORDINATION = RuleLimit(
    "CP-DIS-COORDINATE",
    Period(WD, 10),
    "司法局10个工作日内组织协调（县级默认值，可配置）",
    "县级工作规则默认值（R-DIS-02 未规定时限）",
    "policy",
)
DISPUTE_DECISION = RuleLimit(
    "CP-DIS-DECIDE",
    Period(WD, 15),
    "协调不成的，政府15个工作日内作出决定（县级默认值，可配置）",
    "县级工作规则默认值（R-DIS-02 未规定时限）",
    "policy",
)
DISPUTE_PROVISIONAL_HANDLER = RuleLimit(
    "CP-DIS-PROVISIONAL",
    Period(WD, 1),
    "争议期间1个工作日内指定临时承办单位（县级默认值，可配置）",
    "县级工作规则默认值（R-DIS-03 未规定时限）",
    "policy",
)
FEEDBACK_REPLY = RuleLimit(
    "CP-CO-09-REPLY",
    Period(WD, 5),
    "监管部门5个工作日内答复执法反馈（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-09“限时答复”）",
    "policy",
)
REMINDER_BEFORE = RuleLimit(
    "CP-REMIND-BEFORE",
    Period(WD, 1),
    "到期前1个工作日提醒（县级默认值，可配置）",
    "县级工作规则默认值",
    "policy",
)
REMINDER_AT_DUE = RuleLimit(
    "CP-REMIND-AT-DUE", IMMEDIATE, "到期时提醒并督办（县级默认值，可配置）", "县级工作规则默认值", "policy"
)
ESCALATE_FIRST = RuleLimit(
    "CP-ESCALATE-1", Period(WD, 1), "超期1个工作日向监督单位督办（县级默认值，可配置）", "县级工作规则默认值", "policy"
)
ESCALATE_SECOND = RuleLimit(
    "CP-ESCALATE-2", Period(WD, 3), "超期3个工作日升级督办（县级默认值，可配置）", "县级工作规则默认值", "policy"
)

# --- issue #8 §6 criminal referrals (referrals) ---
POLICE_SUPPORT = RuleLimit(
    "CP-CR-03-SUPPORT",
    IMMEDIATE,
    "暴力、威胁方法阻碍执法的，公安机关即时出警支援（县级默认值，可配置）",
    "县级工作规则默认值（R-CR-03 未规定时限）",
    "policy",
)

# --- consultations and joint operations (issue #8 §3–§4, R-CO-01, R-CO-03) -----------------
MEETING_MINUTES = RuleLimit(
    "CP-CO-01-MINUTES",
    Period(WD, 3),
    "会商会议召开后3个工作日内印发会商纪要（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-01“议定事项形成纪要”未规定时限）",
    "policy",
)
MEETING_ACTION = RuleLimit(
    "CP-CO-01-ACTION",
    Period(WD, 10),
    "会商议定事项由责任单位在纪要确定的期限内落实（未定期限时10个工作日，县级默认值，可配置）",
    "县级工作规则默认值（R-CO-01“跟踪落实”）",
    "policy",
)
MEETING_REGULAR = RuleLimit(
    "CP-CO-01-REGULAR",
    Period(DAYS, 92),
    "定期联席会议按计划召开（默认每季度一次，县级默认值，可配置）",
    "县级工作规则默认值（R-CO-01“定期召开联席会议”）",
    "policy",
)
OPERATION_RESULTS = RuleLimit(
    "CP-CO-03-RESULTS",
    Period(WD, 5),
    "联合执法行动结束后5个工作日内由牵头单位登记行动结果（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-03 未规定时限）",
    "policy",
)

# --- Linkage: assistance requests and hazard notices (issue #8 §1–§2, R-CO-02/04/05) ------------
ASSISTANCE_OTHER_REPLY = RuleLimit(
    "CP-CO-04-REPLY",
    Period(WD, 3),
    "其他协助请求，被请求单位3个工作日内书面答复（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-04 未规定时限）",
    "policy",
)
ASSISTANCE_ONSITE = RuleLimit(
    "CP-CO-05-ONSITE",
    Period(HOURS, 2),
    "情况紧急或证据可能灭失的，主管部门2小时内派员到场（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-05“立即派员”）",
    "policy",
)
HAZARD_ONSITE = RuleLimit(
    "CP-CO-02-DISPATCH",
    Period(HOURS, 2),
    "接到重大治安、安全隐患通报后，主管部门2小时内派员到场（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-02“立即派员”）",
    "policy",
)

# --- Linkage: feedback loop (issue #8 §7, R-CO-09) ------------------------------------------------
FEEDBACK_RESULT = RuleLimit(
    "CP-CO-09-RESULT",
    Period(WD, 15),
    "执法单位15个工作日内向监管部门反馈需执法事项的处理结果（县级默认值，可配置）",
    "县级工作规则默认值（R-CO-09“反馈处理结果”）",
    "policy",
)

COUNTY_POLICY: dict[str, RuleLimit] = {
    p.rule_id: p
    for p in (
        INTAKE_ACCEPT,
        INTAKE_REPLY,
        DISPUTE_NEGOTIATION,
        DISPUTE_COORDINATION,
        DISPUTE_DECISION,
        DISPUTE_PROVISIONAL_HANDLER,
        FEEDBACK_REPLY,
        REMINDER_BEFORE,
        REMINDER_AT_DUE,
        ESCALATE_FIRST,
        ESCALATE_SECOND,
        POLICE_SUPPORT,  # issue #8 §6 (referrals)
        # consultations and joint operations (issue #8 §3–§4)
        MEETING_MINUTES,
        MEETING_ACTION,
        MEETING_REGULAR,
        OPERATION_RESULTS,
        # issue #8 §1–§2 (assistance, hazard notices)
        ASSISTANCE_OTHER_REPLY,
        ASSISTANCE_ONSITE,
        HAZARD_ONSITE,
        # issue #8 §7 (feedback loop)
        FEEDBACK_RESULT,
    )
}


def get_limit(rule_id: str) -> RuleLimit:
    """A limit of ``LIMITS`` or ``COUNTY_POLICY`` by ID; a Chinese error for an unknown ID."""
    limit = LIMITS.get(rule_id) or COUNTY_POLICY.get(rule_id)
    if limit is None:
        raise KeyError(f"未知的时限规则编号“{rule_id}”")
    return limit
