"""Demo data for criminal referrals in 示例县 (after the units demo data).

Adds sign-in accounts for the criminal-justice side — ``ga_police`` (示例县公安局, leader and
handler), ``jcy_proc`` (示例县人民检察院, handler), ``fy_court`` (示例县人民法院, observer) — and one
referral made through the real services: 城关镇's case team (cgz_handler, cgz_handler2) reported a
suspected 非法经营罪, cgz_leader approved it and it was transferred to 示例县公安局, where it waits
for ga_police to sign the receipt. Idempotent: nothing is done twice.
"""

from __future__ import annotations

from typing import Any

from xiezhi.accounts.actors import actor_for
from xiezhi.accounts.models import User
from xiezhi.coordination.models import Referral
from xiezhi.coordination.referrals import services
from xiezhi.core.actor import Actor
from xiezhi.units.demo import COUNTY_CODE, _account
from xiezhi.units.models import County, Person, RoleAssignment, Unit

PEOPLE = (
    ("PSB", "郭振华", "刑侦大队民警", ("leader", "handler"), "ga_police"),
    ("PROC", "黄文静", "检察官", ("handler",), "jcy_proc"),
    ("COURT", "谢明远", "法官", ("observer",), "fy_court"),
)


def _actor(username: str) -> Actor:
    return actor_for(User.objects.get(username=username), "127.0.0.1")


def load_referrals(ctx: Any) -> None:
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        ctx.write("行刑衔接演示数据：需先载入示例县单位，已跳过")
        return
    for code, name, post, roles, username in PEOPLE:
        unit = Unit.objects.get(code=f"{COUNTY_CODE}-{code}")
        person = Person.objects.filter(unit=unit, name=name).first()
        if person is None:
            person = Person.objects.create(unit=unit, name=name, post=post, phone="13900009999")
            ctx.created["people"] += 1
        for role in roles:
            ctx.created["roles"] += RoleAssignment.objects.get_or_create(person=person, role=role)[1]
        _account(ctx, username, f"{unit.name} {name}（{post}）", person)
    if Referral.objects.filter(county=county).exists():
        return
    team = [Person.objects.get(account__username=u).pk for u in ("cgz_handler", "cgz_handler2")]
    r = services.report_suspicion(
        _actor("cgz_handler"),
        {
            "party": "城关镇某烟酒商行",
            "offence": "非法经营罪",
            "facts": "巡查发现该商行无烟草专卖零售许可证，仓库存放卷烟320条，经营数额约12万元。",
            "report": "经调查，非法经营数额已超过5万元的追诉标准，建议移送公安机关。",
            "team": team,
        },
    )
    services.decide(_actor("cgz_leader"), r, {"approve": True, "note": "同意移送"})
    services.transfer(
        _actor("cgz_handler"),
        r,
        {
            "materials": {
                "investigation_report": "涉嫌犯罪案件调查报告1份",
                "item_list": "涉案卷烟清单1份（320条）",
                "inspection_report": "卷烟真伪鉴别检验报告1份",
                "other": "现场检查笔录、询问笔录、照片",
            }
        },
    )
    ctx.created["行刑衔接移送案件"] += 1
