"""Demo transfers and disputes for 示例县 (after the units and catalogue demo data).

Six transfers, one per state a demo visitor should see, made through the real services (so every
one has its documents, obligations, timeline and audit trail):

1. 城关镇 → 市场监督管理局, sent, awaiting the reply; copied to 城关镇司法所 (unread).
2. 河西镇 → 住房和城乡建设局, a work-safety matter (immediate, R-TR-04), accepted.
3. 城关镇 → 城市管理局, a matter granted to the township (competence warning), declined as not
   competent; the township opened a dispute with itself as provisional handler.
4. 东山乡 → 林业局, a draft still lacking its materials.
5. 南湖街道 → 市场监督管理局, a food-safety violation in progress (R-TR-05), awaiting approval;
   the bureau has been told at once.
6. 北城街道 → 应急管理局, an oral transfer (R-TR-07) whose written formalities are due in 24 hours.

Idempotent: nothing is done when the demo county already has a transfer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xiezhi.accounts.actors import actor_for
from xiezhi.accounts.models import User
from xiezhi.catalogue.models import Matter
from xiezhi.coordination.disputes import services as disputes
from xiezhi.core.actor import Actor
from xiezhi.transfers import replies, services
from xiezhi.transfers.models import Transfer
from xiezhi.units.models import County, Unit

COUNTY_CODE = "339999"
PDF = b"%PDF-1.4\n% demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _actor(username: str) -> Actor:
    return actor_for(User.objects.get(username=username), "127.0.0.1")


def _unit(slug: str) -> Unit:
    return Unit.objects.get(code=f"{COUNTY_CODE}-{slug}")


def _matter(county: County, department: str, major: str) -> Matter:
    """The first matter of a department with the given major category (codes differ by data version)."""
    found = (
        Matter.objects.filter(county=county, department__name=department, major_category=major)
        .order_by("code")
        .first()
    )
    if found is None:
        raise LookupError(f"示例县事项清单中没有{department}的{major}类事项")
    return found


def _prepare(who: str, data: dict[str, Any], *, materials: bool = True) -> Transfer:
    actor = _actor(who)
    t = services.create_transfer(actor, data)
    if materials:
        services.add_material(
            actor, t, kind="inspection_record", title="现场检查笔录", name="现场检查笔录.pdf", content=PDF
        )
        services.add_material(actor, t, kind="evidence", title="现场照片", name="现场照片.jpg", content=JPG)
    return t


def _send(t: Transfer, handler: str, leader: str) -> Transfer:
    services.submit(_actor(handler), t)
    services.approve(_actor(leader), t)
    t.refresh_from_db()
    return t


def load_transfers(ctx: Any) -> None:
    """`ctx` is the demo command's DemoContext (or anything with ``write``)."""
    write = getattr(ctx, "write", print)
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or not Matter.objects.filter(county=county).exists():
        write("案件移送演示数据：需先载入示例县单位和事项清单，已跳过")
        return
    if Transfer.objects.filter(county=county).exists():
        return
    now = timezone.now()
    market = "示例县市场监督管理局"

    t1 = _prepare(
        "cgz_handler",
        {
            "receiver": market, "matter": _matter(county, market, "none"), "party": "城关镇某商贸有限公司",
            "location": "城关镇人民路66号", "facts": "巡查发现该公司销售的商品未按规定标明价格，现场拍照取证。",
            "discovered_at": now - timedelta(hours=20), "source_reference": "巡查-2025-118",
            "copy_to": [_unit("JO-cgz")],
        },
    )  # fmt: skip
    _send(t1, "cgz_handler", "cgz_leader")

    housing = "示例县住房和城乡建设局"
    t2 = _prepare(
        "hxz_handler",
        {
            "receiver": housing, "matter": _matter(county, housing, "安全生产"), "party": "河西镇某建筑工地",
            "location": "河西镇滨江路工地", "facts": "工地塔吊作业未设置安全防护，存在重大安全隐患。",
            "discovered_at": now - timedelta(hours=5),
        },
    )  # fmt: skip
    _send(t2, "hxz_handler", "hxz_leader")
    replies.accept(_actor("zjj_liaison"), t2, {"handling": "已派员到场，责令停止塔吊作业并立案调查"})

    city = "示例县城市管理局"
    t3 = _prepare(
        "cgz_handler2",
        {
            "receiver": city, "matter": _matter(county, city, "none"), "party": "张某",
            "location": "城关镇解放路与人民路交叉口", "facts": "当事人占道经营、乱扔废弃物，经劝导拒不改正。",
            "discovered_at": now - timedelta(days=2),
        },
    )  # fmt: skip
    _send(t3, "cgz_handler2", "cgz_leader")
    replies.decline(
        _actor("cgj_liaison"),
        t3,
        {"reason": "not_competent", "detail": "该事项已赋权城关镇，由城关镇以自己的名义执法"},
    )
    disputes.open_dispute(
        _actor("cgz_handler"),
        {
            "transfer": t3.pk, "provisional_handler": _unit("T-cgz"),
            "facts": "城关镇移送后，城市管理局以该事项已赋权乡镇为由不予受理。",
            "applicant_position": "当事人经营场所跨越城区主干道，应由城市管理局统一查处",
            "provisional_basis": "违法行为发生在本镇辖区，争议期间由城关镇继续监管",
        },
    )  # fmt: skip

    _prepare(
        "dsx_handler",
        {
            "receiver": _unit("D-lyj"), "matter": _matter(county, "示例县林业局", "none"), "party": "东山乡某木材加工点",
            "location": "东山乡青龙村", "facts": "群众举报该加工点收购来源不明的木材。", "discovered_at": now - timedelta(hours=3),
        },
        materials=False,
    )  # fmt: skip

    t5 = _prepare(
        "nhjd_handler",
        {
            "receiver": market, "matter": _matter(county, market, "食品药品安全"), "party": "南湖街道某餐饮店",
            "location": "南湖街道湖滨路12号", "facts": "该店正在使用过期食品原料加工菜品。",
            "discovered_at": now - timedelta(hours=1), "in_progress": True,
            "stop_ordered_at": now - timedelta(minutes=40), "stop_order_note": "当场责令停止使用过期原料",
            "evidence_fixed_note": "对过期原料拍照并登记封存，制作现场检查笔录",
        },
    )  # fmt: skip
    services.submit(_actor("nhjd_handler"), t5)

    t6 = _prepare(
        "bcjd_handler",
        {
            "receiver": _unit("D-yjj"), "matter": _matter(county, "示例县应急管理局", "安全生产"), "party": "北城街道某加油站",
            "location": "北城街道工业路8号", "facts": "加油站储罐区发现明显油气泄漏。", "discovered_at": now - timedelta(minutes=50),
        },
    )  # fmt: skip
    services.record_oral(
        _actor("bcjd_handler"),
        t6,
        {
            "method": "phone",
            "receiver_person": "应急管理局值班员",
            "reason": "油气泄漏可能引发火灾爆炸",
            "oral_at": now - timedelta(minutes=30),
        },
    )
    created = getattr(ctx, "created", None)
    if created is not None:
        created["transfers"] += 6
        created["disputes"] += 1
    write("案件移送演示数据：6件移送（待答复、已受理、不予受理并提起争议、草稿、待审批、口头移送），1件争议")
