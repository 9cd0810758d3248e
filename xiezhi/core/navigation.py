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

# Menu headings by order range, so a long menu reads as a few groups (first order of each group).
GROUPS: tuple[tuple[int, str], ...] = (
    (0, "日常办理"),
    (20, "案件移送"),
    (25, "协作联动"),
    (40, "事项清单"),
    (50, "组织人员"),
    (80, "系统"),
)


def group_of(order: int) -> str:
    return [label for start, label in GROUPS if order >= start][-1]


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
        items.append({"label": entry.label, "url": url, "active": False, "group": group_of(entry.order)})
    # Only the most specific entry is current: /transfers/dashboard/ is 移送统计, not also 案件移送.
    matching = [i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(str(i["url"])))]
    if matching:
        max(matching, key=lambda i: len(str(i["url"])))["active"] = True
    previous = ""
    for item in items:
        item["heading"] = item["group"] if item["group"] != previous else ""
        previous = str(item["group"])
    return items
