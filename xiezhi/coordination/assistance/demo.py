"""Demo assistance requests and hazard notices for 示例县 (after the transfers demo).

1. 城关镇 → 市场监督管理局: a testing request, pending (the 3 WD answer clock runs).
2. 河西镇 → 生态环境分局: an urgent appraisal, officers on site, answered with a 协助复函.
3. 南湖街道 → 城市管理局: other assistance refused with a reason (sent to the justice bureau).
4. 城关镇 → 应急管理局: a safety hazard, officers on site.
5. 北城街道 → 住房和城乡建设局: a hazard the bureau refused (reported to the county government).

Idempotent: nothing is done when the demo county already has an assistance request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiezhi.coordination.assistance import hazards, services
from xiezhi.coordination.assistance.models import AssistanceRequest
from xiezhi.transfers.demo import COUNTY_CODE, _actor, _unit
from xiezhi.units.models import County, Person


def _officers(unit_slug: str) -> list[int]:
    return list(
        Person.objects.filter(unit=_unit(unit_slug), roles__role="handler").values_list("pk", flat=True)
    )


def _onsite(unit_slug: str) -> dict[str, Any]:
    now = timezone.now()
    return {"officers": _officers(unit_slug), "dispatched_at": now.isoformat(), "arrived_at": now.isoformat(),
            "onsite_note": "已到场固定证据"}  # fmt: skip


def load_assistance(ctx: Any) -> None:
    write = getattr(ctx, "write", print)
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or AssistanceRequest.objects.filter(county=county).exists():
        return
    services.create_request(_actor("cgz_handler"), {
        "kind": "testing", "assisting": _unit("D-scj"), "subject": "解放路农贸市场抽检蔬菜农药残留检测",
        "details": "请对现场抽取的5批次蔬菜样品进行农药残留快速检测，并出具检测意见。",
        "case_reference": "城关镇综合行政执法队2025-031",
    })  # fmt: skip
    r2 = services.create_request(_actor("hxz_handler"), {
        "kind": "appraisal", "assisting": _unit("D-sthj"), "subject": "河西镇工业园区某厂排污口水样鉴定",
        "details": "疑似超标排放，请派员取样并鉴定。", "urgent": True,
        "urgent_reason": "企业正在排放，证据可能灭失", "location": "河西镇工业园区纬三路",
    })  # fmt: skip
    services.dispatch(_actor("sthj_handler"), r2, _onsite("D-sthj"))
    services.answer(
        _actor("sthj_handler"), r2, {"answer": "经取样鉴定，排放口化学需氧量超标2.3倍，鉴定报告随函送达。"}
    )
    r3 = services.create_request(_actor("nhjd_handler"), {
        "kind": "other", "assisting": _unit("D-cgj"), "subject": "协助拆除南湖街道违法户外广告牌",
        "details": "请派执法车辆及人员协助拆除。",
    })  # fmt: skip
    services.refuse(
        _actor("cgj_leader"), r3, {"reason": "该广告牌位于街道辖区，已赋权街道实施，本局无车辆可调配"}
    )
    h1 = hazards.notify_hazard(_actor("cgz_handler"), {
        "category": "safety", "department": _unit("D-yjj"), "title": "城关镇某烟花爆竹门店超量储存",
        "location": "城关镇人民路56号", "description": "店内堆放烟花爆竹明显超过核定数量，紧邻居民楼。",
        "proposals": "建议立即清点并转移超量部分", "found_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    })  # fmt: skip
    hazards.dispatch(_actor("yjj_handler"), h1, _onsite("D-yjj"))
    h2 = hazards.notify_hazard(_actor("bcjd_handler"), {
        "category": "public_order", "department": _unit("D-zjj"), "title": "北城街道某工地围挡倒塌占道",
        "location": "北城街道建设路", "description": "工地围挡倒塌占用人行道，夜间无警示。",
        "proposals": "建议责令施工单位立即恢复围挡并设置警示", "found_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    })  # fmt: skip
    hazards.refuse(_actor("zjj_leader"), h2, {"reason": "该工地未办理施工许可，属违法建设，应由城管部门查处"})
    if hasattr(ctx, "created"):
        ctx.created["assistance"] += 3
        ctx.created["hazards"] += 2
    write("协助请求 3 件、隐患通报 2 件已载入")
