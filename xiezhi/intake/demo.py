"""Demo reports: one per state of the first-responder flow, plus a public one and a 12345 client.

Idempotent: does nothing once the demo county has reports. Needs `load_units` first.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from xiezhi.accounts.actors import actor_for
from xiezhi.core.actor import Actor
from xiezhi.intake import services
from xiezhi.intake.models import HotlineClient, Report
from xiezhi.units.demo import COUNTY_CODE, DemoContext
from xiezhi.units.models import County, Unit, UnitKind


def _actor(username: str) -> Actor | None:
    user = get_user_model().objects.filter(username=username).first()
    return actor_for(user, "127.0.0.1") if user else None


def _data(town: Unit, text: str, channel: str, **extra: str) -> dict[str, str]:
    data = {
        "channel": channel,
        "text": text,
        "township": str(town.pk),
        "address": f"{town.name}人民路",
        "anonymous": "1",
    }
    data.update(extra)
    return data


def load_intake(ctx: DemoContext) -> None:
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or Report.objects.filter(county=county).exists():
        return
    town_actor, dept_actor = _actor("cgz_handler"), _actor("cgj_liaison")
    town = Unit.objects.filter(county=county, kind=UnitKind.TOWNSHIP, name="城关镇").first()
    if town_actor is None or dept_actor is None or town is None:
        ctx.notes.append("投诉举报演示数据需要城关镇和城市管理局的演示账号，已跳过")
        return
    named = {"anonymous": "", "reporter_name": "陈小明", "reporter_phone": "13812345678"}
    services.create_report(
        town_actor, _data(town, "小区门口烧烤摊每晚油烟很大，影响休息。", "walk_in", **named)
    )
    r = services.create_report(town_actor, _data(town, "河道边有人倾倒建筑垃圾。", "grid"))
    services.accept(town_actor, r)
    r = services.create_report(town_actor, _data(town, "楼下店铺招牌摇摇欲坠，担心砸到行人。", "phone"))
    services.accept(town_actor, r)
    services.reply_no_violation(town_actor, r, "经现场核查，招牌已加固，未发现违法行为。")
    # R-IN-03: the department received a township's matter and hands it over.
    r = services.create_report(
        dept_actor, _data(town, "夜间有人在人行道上占道经营。", "hotline_12345", **named)
    )
    services.hand_on(dept_actor, r, town.pk, "属乡镇赋权事项，依规移交乡镇办理")
    r = Report.objects.get(pk=r.pk)
    services.accept(town_actor, r)
    services.take_on(town_actor, r, "属本镇赋权事项，立案调查")
    services.reply(town_actor, r, "已责令当事人停止占道经营，并依法处理。")
    ctx.created["投诉举报"] += Report.objects.filter(county=county).count()
    if not HotlineClient.objects.filter(key_id="demo-12345").exists():
        HotlineClient.objects.create(
            county=county, key_id="demo-12345", name="12345热线（演示）", secret="demo-secret-change-me"
        )
        ctx.notes.append("12345演示客户端 demo-12345 的签名密钥为 demo-secret-change-me（仅限演示）")
