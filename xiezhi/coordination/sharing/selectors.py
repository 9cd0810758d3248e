"""Reads of shared information, scoped to the actor (see `access.visible_to`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from xiezhi.coordination.models import SharedRecord, ShareRecipient, ShareSubscription
from xiezhi.coordination.sharing.access import unit_pk, visible_to
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook import sharing as rules
from xiezhi.rulebook.zh import SHANGHAI

BOXES = {"received": "收到的信息", "sent": "发出的信息", "all": "全县共享信息"}
STATUSES = {
    "received": {"unread": "未签收", "read": "已签收"},
    "sent": {"draft": "待共享", "shared": "已共享", "unread": "有未签收单位"},
    "all": {"shared": "已共享", "unread": "有未签收单位"},
}


def boxes_for(actor: Actor) -> dict[str, str]:
    return BOXES if actor.is_county_wide else {k: v for k, v in BOXES.items() if k != "all"}


def in_box(actor: Actor, box: str) -> QuerySet[SharedRecord]:
    if box not in boxes_for(actor):
        raise ValidationFailed.field("box", f"信箱“{box}”无效")
    qs = visible_to(actor)
    if box == "sent":
        return qs.filter(sender_id=actor.unit_id)
    if box == "received":
        mine = ShareRecipient.objects.filter(record=OuterRef("pk"), unit_id=unit_pk(actor))
        return (
            qs.filter(status="shared")
            .filter(Exists(mine))
            .annotate(my_read=Exists(mine.filter(read_at__isnull=False)))
        )
    return qs.filter(status="shared")


def _day(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed.field(name, "日期格式有误，应为“2025-10-08”这样的日期") from None


def filtered(
    qs: QuerySet[SharedRecord],
    box: str,
    *,
    category: str = "",
    status: str = "",
    q: str = "",
    date_from: Any = None,
    date_to: Any = None,
) -> QuerySet[SharedRecord]:
    if category:
        if category not in {str(n) for n in rules.CATEGORIES}:
            raise ValidationFailed.field("category", f"共享类别“{category}”无效，应为1至8")
        qs = qs.filter(category=int(category))
    if status:
        if status not in STATUSES.get(box, {}):
            raise ValidationFailed.field("status", f"状态“{status}”无效")
        if box == "received":
            qs = qs.filter(my_read=(status == "read"))  # type: ignore[misc]  # annotated by in_box
        elif status == "unread":
            unread = ShareRecipient.objects.filter(record=OuterRef("pk"), read_at__isnull=True)
            qs = qs.filter(status="shared").filter(Exists(unread))
        else:
            qs = qs.filter(status=status)
    start, end = _day(date_from, "date_from"), _day(date_to, "date_to")
    if start:
        qs = qs.filter(formed_at__gte=datetime.combine(start, time.min, SHANGHAI))
    if end:
        qs = qs.filter(formed_at__lt=datetime.combine(end + timedelta(days=1), time.min, SHANGHAI))
    text = q.strip()
    if text:
        cond = Q(title__icontains=text) | Q(content__icontains=text) | Q(sender__name__icontains=text)
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs


def for_list(qs: QuerySet[SharedRecord]) -> QuerySet[SharedRecord]:
    return qs.select_related("sender").annotate(
        n_recipients=Count("recipients", distinct=True),
        n_read=Count("recipients", filter=Q(recipients__read_at__isnull=False), distinct=True),
    )


def subscriptions_of(actor: Actor) -> QuerySet[ShareSubscription]:
    if not actor.can_act_in_business or actor.unit is None:
        return ShareSubscription.objects.none()
    return ShareSubscription.objects.filter(unit_id=unit_pk(actor)).select_related("matter")


def unread_count(actor: Actor) -> int:
    if not actor.can_act_in_business or actor.unit is None:
        return 0
    return ShareRecipient.objects.filter(
        unit_id=unit_pk(actor), read_at__isnull=True, record__status="shared"
    ).count()
