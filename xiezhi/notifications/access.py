"""Object access: one NotFound for missing and invisible alike, so existence never leaks."""

from __future__ import annotations

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.notifications.models import Delivery, Notification
from xiezhi.notifications.selectors import inbox_for, require_delivery_log, require_inbox


def access_notification(actor: Actor, pk: int) -> Notification:
    require_inbox(actor)
    found = inbox_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound("通知不存在或您无权查看")
    return found


def access_delivery(actor: Actor, pk: int) -> Delivery:
    require_delivery_log(actor)
    found = Delivery.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound("投递记录不存在")
    return found
