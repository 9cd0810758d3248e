"""Pages: the inbox (/notifications/) and the delivery log for the system administrator."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from xiezhi.core.pagination import paginate
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.notifications import selectors, services
from xiezhi.notifications.channels import channel_names
from xiezhi.notifications.models import DeliveryStatus
from xiezhi.notifications.schemas import mask_address

# Signed-in pages; a service error becomes the notifications error page with the same status code.
notification_page = page_view_with(template="notifications/error.html")


@require_GET
@notification_page
def inbox(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    selectors.require_inbox(actor)
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.unread_for(actor) if only_unread else selectors.inbox_for(actor)
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": selectors.unread_count(actor),
        },
    )


@require_POST
@notification_page
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.mark_read(request_actor(request), pk)
    if getattr(request, "htmx", False):
        return render(request, "notifications/_row.html", {"n": notification})
    return redirect("notifications:inbox")


@require_POST
@notification_page
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to the object the notification is about (its link is always a path on this site)."""
    notification = services.mark_read(request_actor(request), pk)
    return redirect(notification.url or "notifications:inbox")


@require_POST
@notification_page
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(request_actor(request))
    messages.success(request, f"已将 {marked} 条通知标为已读" if marked else "没有未读通知")
    return redirect("notifications:inbox")


@require_GET
@notification_page
def deliveries(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = {
        name: request.GET.get(name, "").strip() for name in ("status", "channel", "since", "until", "q")
    }
    qs = selectors.deliveries_for(
        actor,
        status=filters["status"],
        channel=filters["channel"],
        since=filters["since"],
        until=filters["until"],
        q=filters["q"],
    )
    page = paginate(qs, request.GET.get("page"), request.GET.get("page_size"))
    for delivery in page.items:
        delivery.masked_recipient = mask_address(delivery.recipient)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page,
            "filters": filters,
            "statuses": DeliveryStatus.choices,
            "channels": channel_names(),
            "query": query,
            "requeueable": (DeliveryStatus.DEAD, DeliveryStatus.FAILED),
        },
    )


@require_POST
@notification_page
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    services.requeue(request_actor(request), pk, request.POST.get("reason", ""))
    messages.success(request, "已重新加入发送队列")
    return redirect("notifications:deliveries")
