"""The navigation: each app registers its entries here with who may see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from xiezhi.core.actor import Actor


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    order: int
    visible: Callable[[Actor], bool]


_ENTRIES: list[NavEntry] = []


def register(label: str, url_name: str, order: int, visible: Callable[[Actor], bool] = lambda a: a.can_act_in_business) -> None:
    if not any(e.url_name == url_name for e in _ENTRIES):
        _ENTRIES.append(NavEntry(label, url_name, order, visible))


def items_for(actor: Actor, path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for entry in sorted(_ENTRIES, key=lambda e: e.order):
        if not entry.visible(actor):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "active": False})
    # Only the most specific entry is current: /transfers/dashboard/ is 移送统计, not also 案件移送.
    matching = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(str(i["url"])))]
    if matching:
        max(matching, key=lambda i: len(str(i["url"])))["active"] = True
    return items
