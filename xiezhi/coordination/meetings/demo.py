"""Demo consultations and a joint operation for 示例县 (after units, catalogue, transfers, intake).

Made through the real services, so each has its document, obligations, timeline and audit trail:

1. 城关镇 holds a quarterly joint meeting (城关镇综合行政执法季度联席会议) with 城市管理局 and
   市场监督管理局; this quarter's meeting has its minutes (会商纪要) and two action items — the
   bureau's is done, the township's is still open; the next meeting is owed in three months.
2. From the meeting, 城关镇 leads a joint night-market operation with 城市管理局: two certified
   enforcers (one of each unit) and the township's assistant as auxiliary; one finding; results.

Idempotent: nothing is done when the demo county already has a meeting.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiezhi.accounts.actors import actor_for
from xiezhi.accounts.models import User
from xiezhi.coordination.meetings import services
from xiezhi.coordination.models import Meeting
from xiezhi.coordination.operations import services as operations
from xiezhi.core.actor import Actor
from xiezhi.units.models import County, Person, Unit

COUNTY_CODE = "339999"


def _actor(username: str) -> Actor:
    return actor_for(User.objects.get(username=username), "127.0.0.1")


def _unit(slug: str) -> Unit:
    return Unit.objects.get(code=f"{COUNTY_CODE}-{slug}")


def _person(username: str) -> Person:
    person = User.objects.select_related("person").get(username=username).person
    assert person is not None
    return person


def load_linkage(ctx: Any) -> None:
    write = getattr(ctx, "write", print)
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or not Unit.objects.filter(code=f"{COUNTY_CODE}-T-cgz").exists():
        write("会商与联合执法演示数据：需先载入示例县单位，已跳过")
        return
    if Meeting.objects.filter(county=county).exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    town, city, market = _unit("T-cgz"), _unit("D-cgj"), _unit("D-scj")
    leader = _actor("cgz_leader")
    series = services.create_series(
        leader,
        {"title": "城关镇综合行政执法季度联席会议", "every_months": 3, "next_date": today.isoformat(),
         "invited_units": [city.pk, market.pk]},
    )  # fmt: skip
    meeting = services.convene(
        leader,
        {
            "series": series.pk, "chair": "城关镇镇长",
            "agenda": "通报本季度城关镇综合行政执法情况\n研究解放路夜市占道经营和违规用气整治\n明确下季度联合执法安排",
            "scheduled_at": (now - timedelta(days=2)).isoformat(), "place": "城关镇人民政府三楼会议室",
            "clue": "群众多次反映解放路夜市摊位占道经营并使用液化气罐，存在安全隐患。",
        },
    )  # fmt: skip
    services.issue_minutes(
        leader,
        meeting,
        {
            "attendees": ["城关镇：镇长、综合行政执法队", "示例县城市管理局：分管副局长、执法大队", "示例县市场监督管理局：城关所"],
            "discussion": "各单位通报了本季度执法情况，一致同意对解放路夜市开展联合整治。",
            "decisions": [
                {"decision": "城市管理局制定解放路夜市摊位规范设置方案", "responsible": city.pk,
                 "due_date": (today + timedelta(days=10)).isoformat()},
                {"decision": "城关镇组织夜市摊主开展燃气安全宣传", "responsible": town.pk,
                 "due_date": (today + timedelta(days=20)).isoformat()},
            ],
        },
    )  # fmt: skip
    services.finish_item(
        _actor("cgj_liaison"), meeting.items.get(number=1), {"note": "规范设置方案已印发，划定摊位86个"}
    )

    op = operations.plan(
        _actor("cgz_handler"),
        {
            "meeting": meeting.pk, "title": "解放路夜市联合整治行动",
            "plan": "城关镇综合行政执法队与城市管理局执法大队联合检查夜市摊位，查处占道经营，排查违规用气。",
            "place": "城关镇解放路夜市", "starts_at": (now - timedelta(hours=26)).isoformat(),
            "ends_at": (now - timedelta(hours=23)).isoformat(), "participants": [city.pk],
            "enforcers": [_person("cgz_handler").pk, _person("cgj_handler").pk],
            "auxiliaries": [Person.objects.filter(unit=town, post="协管员").values_list("pk", flat=True).first()],
        },
    )  # fmt: skip
    operations.add_finding(
        _actor("cgz_handler"),
        op,
        {"party": "夜市摊主王某等3户", "location": "解放路68号至96号",
         "facts": "3户摊位超出划定范围占道经营；1户在摊位内违规存放液化气罐2只。",
         "enforcers": [_person("cgz_handler").pk, _person("cgj_handler").pk]},
    )  # fmt: skip
    operations.finish(
        _actor("cgz_handler"),
        op,
        {"summary": "检查摊位42户，责令当场整改3户，暂扣违规存放的液化气罐2只。", "case_refs": "城关镇综合行政执法队立案1件（待案件模块上线后关联）"},
    )  # fmt: skip
    created = getattr(ctx, "created", None)
    if created is not None:
        created["meetings"] += 1
        created["operations"] += 1
    write("会商与联合执法演示数据：1个季度联席会议（纪要、2项议定事项），1次联合执法行动")
