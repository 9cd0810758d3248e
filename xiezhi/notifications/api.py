"""/api/v1/notifications/: the signed-in person's inbox, and the delivery log for the system administrator."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from xiezhi.core.api import actor
from xiezhi.core.pagination import paginate
from xiezhi.notifications import selectors, services
from xiezhi.notifications.schemas import (
    DeliveryOut,
    DeliveryPage,
    MarkedOut,
    NotificationOut,
    NotificationPage,
    UnreadCountOut,
)

router = Router(tags=["通知 notifications"])


@router.get("/", response=NotificationPage, summary="我的通知（本人与本单位）")
def list_notifications(
    request: HttpRequest, unread: bool = False, page: int = 1, page_size: int = 20
) -> NotificationPage:
    who = actor(request)
    selectors.require_inbox(who)
    qs = selectors.unread_for(who) if unread else selectors.inbox_for(who)
    result = paginate(qs, page, page_size)
    return NotificationPage(
        items=[NotificationOut.of(n) for n in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
    )


@router.get("/unread-count", response=UnreadCountOut, summary="未读通知数")
def unread_count(request: HttpRequest) -> UnreadCountOut:
    who = actor(request)
    selectors.require_inbox(who)
    return UnreadCountOut(unread=selectors.unread_count(who))


@router.post("/read-all", response=MarkedOut, summary="全部标为已读")
def read_all(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.mark_all_read(actor(request)))


@router.post("/{int:notification_id}/read", response=NotificationOut, summary="标为已读")
def read_one(request: HttpRequest, notification_id: int) -> NotificationOut:
    return NotificationOut.of(services.mark_read(actor(request), notification_id))


@router.get("/deliveries", response=DeliveryPage, summary="通知投递日志（系统管理员）")
def deliveries(
    request: HttpRequest,
    status: str = "",
    channel: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    notification: int | None = None,
    page: int = 1,
    page_size: int = 20,
) -> DeliveryPage:
    qs = selectors.deliveries_for(
        actor(request),
        status=status,
        channel=channel,
        since=since,
        until=until,
        q=q,
        notification=notification,
    )
    result = paginate(qs, page, page_size)
    return DeliveryPage(
        items=[DeliveryOut.of(d) for d in result.items],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
    )
