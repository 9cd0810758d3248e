"""Pages: the inbox (/notifications/) and the delivery log for the system administrator."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from xiezhi.core.errors import XiezhiError
from xiezhi.core.pagination import paginate
from xiezhi.notifications import selectors, services
from xiezhi.notifications.channels import channel_names
from xiezhi.notifications.models import DeliveryStatus
from xiezhi.notifications.schemas import mask_address

View = Callable[..., HttpResponse]


def page_errors(view: View) -> View:
    """A service error becomes a page with its Chinese message and the same status code."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except XiezhiError as exc:
            return render(request, "notifications/error.html", {"error": exc}, status=exc.status)

    return wrapper


@require_GET
@login_required
@page_errors
def inbox(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
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
@login_required
@page_errors
def read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.mark_read(request.actor, pk)  # type: ignore[attr-defined]
    if getattr(request, "htmx", False):
        return render(request, "notifications/_row.html", {"n": notification})
    return redirect("notifications:inbox")


@require_POST
@login_required
@page_errors
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to the object the notification is about (its link is always a path on this site)."""
    notification = services.mark_read(request.actor, pk)  # type: ignore[attr-defined]
    return redirect(notification.url or "notifications:inbox")


@require_POST
@login_required
@page_errors
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(request.actor)  # type: ignore[attr-defined]
    messages.success(request, f"已将 {marked} 条通知标为已读" if marked else "没有未读通知")
    return redirect("notifications:inbox")


@require_GET
@login_required
@page_errors
def deliveries(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
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
@login_required
@page_errors
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    services.requeue(request.actor, pk, request.POST.get("reason", ""))  # type: ignore[attr-defined]
    messages.success(request, "已重新加入发送队列")
    return redirect("notifications:deliveries")
