"""Demo information sharing for 示例县 (after units, catalogue and transfers).

Through the real services, so each record has its obligation, recipients, timeline and audit:

- subscriptions: 自然资源和规划局 subscribes to the field of a city-management matter;
  市场监督管理局 to category 7 (complaints);
- 城关镇 shares a penalty decision (category 3) on a matter granted to it; 城市管理局 has read it;
- 城市管理局 shares a change of law (category 1) on a matter granted to townships; unread;
- 河西镇 has formed a category-3 record three hours ago and not shared it yet (its 1 WD clock runs).

Idempotent: nothing is done when the demo county already has a shared record.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiezhi.accounts.actors import actor_for
from xiezhi.accounts.models import User
from xiezhi.catalogue.models import Devolution, DevolutionMode
from xiezhi.catalogue.versions import latest_published
from xiezhi.coordination.models import SharedRecord
from xiezhi.coordination.sharing import services
from xiezhi.core.actor import Actor
from xiezhi.units.models import County

COUNTY_CODE = "339999"


def _actor(username: str) -> Actor:
    return actor_for(User.objects.get(username=username), "127.0.0.1")


def load_sharing(ctx: Any) -> None:
    write = getattr(ctx, "write", print)
    county = County.objects.filter(code=COUNTY_CODE).first()
    version = latest_published(county.pk) if county else None
    if county is None or version is None:
        write("信息共享演示数据：需先载入示例县单位和事项清单，已跳过")
        return
    if SharedRecord.objects.filter(county=county).exists():
        return
    granted = (
        Devolution.objects.filter(
            version=version,
            mode=DevolutionMode.GRANTED,
            township__name="城关镇",
            matter__department__name="示例县城市管理局",
        )
        .select_related("matter")
        .order_by("matter__code")
        .first()
    )
    if granted is None:
        write("信息共享演示数据：示例县目录中没有赋权城关镇的城市管理事项，已跳过")
        return
    matter = granted.matter
    now = timezone.now()
    services.subscribe(_actor("zrj_liaison"), {"kind": "field", "field": matter.field})
    services.subscribe(_actor("scj_liaison"), {"kind": "category", "category": 7})

    r1 = services.form_record(
        _actor("cgz_handler"),
        {
            "category": 3, "title": "城关镇对某商户乱扔废弃物作出行政处罚决定",
            "content": "城综罚〔2025〕21号：警告并处罚款100元，当事人已当场改正并缴纳罚款。",
            "formed_at": now - timedelta(hours=6), "matters": [matter.pk],
        },
        share_now=True,
    )  # fmt: skip
    services.mark_read(_actor("cgj_liaison"), r1)
    services.form_record(
        _actor("cgj_liaison"),
        {
            "category": 1, "title": f"“{matter.name[:40]}”处罚依据调整",
            "content": "上位法规修订，罚款幅度调整，请相关乡镇（街道）自施行之日起按新标准执行。",
            "formed_at": now - timedelta(hours=2), "matters": [matter.pk],
        },
        share_now=True,
    )  # fmt: skip
    services.form_record(
        _actor("hxz_handler"),
        {
            "category": 3, "title": "河西镇行政处罚决定执行情况（待整理）",
            "content": "本月已作出的行政处罚决定及执行情况，正在汇总。",
            "formed_at": now - timedelta(hours=3), "matters": [matter.pk],
        },
    )  # fmt: skip
    created = getattr(ctx, "created", None)
    if created is not None:
        created["shared_records"] += 3
        created["share_subscriptions"] += 2
    write("信息共享演示数据：3条共享信息（已签收、未签收、待共享），2个订阅")
