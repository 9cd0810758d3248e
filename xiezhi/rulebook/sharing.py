"""Information sharing (信息共享, R-SH-01, R-SH-02): the eight categories and who gets what.

R-SH-01 (seed 000 三(六)) lists what townships and county departments share. Who *receives* each
category is not written in the seeds: `DEFAULT_RECIPIENTS` is the county-policy default (a county
changes it here), on top of which departments subscribe to categories, fields or matters.
R-SH-02: shared within 1 WD of being formed (`periods.SHARE`), extendable with a recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiezhi.rulebook.periods import SHARE, Period

SHARE_RULE = SHARE.rule_id  # "R-SH-02"


@dataclass(frozen=True)
class Category:
    """One category of R-SH-01: ``senders`` are the unit kinds that form such information (empty =
    any sharing unit); ``needs_matters``: the record must name the catalogue matters it concerns."""

    number: int
    label: str
    short: str
    senders: tuple[str, ...] = ()
    needs_matters: bool = False


CATEGORIES: dict[int, Category] = {
    c.number: c
    for c in (
        Category(1, "涉及乡镇（街道）行政处罚事项设定依据的法律、法规、规章调整情况", "法律依据调整", needs_matters=True),
        Category(2, "县级部门实施的与下放事项有关的行政许可和监督管理信息", "许可与监管信息", ("department",)),
        Category(
            3,
            "乡镇（街道）作出的与县级部门监管执法密切相关的行政处罚决定及执行情况",
            "乡镇处罚决定及执行",
            ("township",),
            needs_matters=True,
        ),
        Category(4, "与乡镇（街道）综合行政执法相关的统计分析数据", "统计分析数据"),
        Category(5, "乡镇行政处罚事项的自由裁量标准及各类行政执法工作流程", "裁量标准与工作流程"),
        Category(6, "县级部门在履职过程中收集、掌握、制作的动态信息（行政检查记录、执法工作简报等）", "检查记录与简报", ("department",)),
        Category(7, "投诉举报案件的受理与处理情况", "投诉举报受理处理"),
        Category(8, "其他需要共享的执法信息", "其他执法信息"),
    )
}  # fmt: skip

CATEGORY_CHOICES: list[tuple[str, str]] = [(str(n), f"{n}. {c.short}") for n, c in CATEGORIES.items()]

# Recipient groups a county policy can name (resolved against the database by the app):
GROUPS: dict[str, str] = {
    "holders": "持有所涉事项（赋权、委托）的乡镇（街道）",
    "field_departments": "所涉事项所属领域的县级主管部门",
    "all_townships": "全县乡镇（街道）",
    "command_centre": "综合行政执法指挥中心",
    "justice_bureau": "司法局",
}

# County policy: the default recipient groups of each category (not law; change per county).
DEFAULT_RECIPIENTS: dict[int, tuple[str, ...]] = {
    1: ("holders",),
    2: ("holders",),
    3: ("field_departments",),
    4: ("command_centre",),
    5: ("all_townships", "justice_bureau"),
    6: ("holders",),
    7: ("command_centre", "field_departments"),
    8: (),
}


def category(number: int | str) -> Category:
    try:
        return CATEGORIES[int(number)]
    except (KeyError, ValueError, TypeError):
        raise KeyError(f"信息共享类别“{number}”无效，应为1至8") from None


def default_groups(number: int) -> tuple[str, ...]:
    return DEFAULT_RECIPIENTS.get(number, ())


def share_period() -> Period:
    return SHARE.period


STATES: dict[str, str] = {"draft": "待共享", "shared": "已共享"}
SUBSCRIPTION_KINDS: dict[str, str] = {"category": "按类别", "field": "按执法领域", "matter": "按事项"}
