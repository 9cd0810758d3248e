from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from xiezhi.core import navigation


def shell(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}
    unread = 0
    try:
        from xiezhi.notifications.selectors import unread_count
    except ImportError:
        pass
    else:
        unread = unread_count(actor)
    return {"nav_items": navigation.items_for(actor, request.path), "nav_unread": unread}
