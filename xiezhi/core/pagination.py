"""Bounded pagination shared by pages and the API."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from xiezhi.core.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# `cached_count`: totals up to this are always exact; larger ones may be reused for COUNT_TTL
# seconds, or longer when counting took long: COUNT_TTL_PER_SECOND seconds for every second the
# count took, up to COUNT_TTL_MAX (a 60 ms count of 45,000 rows is reused for a minute). That
# bounds the share of the database's time spent recounting a busy list to about a thousandth.
COUNT_EXACT_UPTO = 1000
COUNT_TTL = 15.0
COUNT_TTL_PER_SECOND = 1000.0
COUNT_TTL_MAX = 120.0
_COUNT_ENTRIES = 4096


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    def as_api(self, out: Callable[[T], Any]) -> dict[str, Any]:
        """The API's list envelope: ``{"items", "total", "page", "page_size"}``, each item through ``out``."""
        return {
            "items": [out(item) for item in self.items],
            "total": self.total,
            "page": self.page,
            "page_size": self.page_size,
        }


def _to_int(raw: Any, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed.field(name, f"{name} 必须是整数") from None


def bounds(page: Any = 1, page_size: Any = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    """The validated page number and page size."""
    number = _to_int(page, "page", 1)
    size = _to_int(page_size, "page_size", DEFAULT_PAGE_SIZE)
    if number < 1:
        raise ValidationFailed.field("page", "页码必须大于0")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("page_size", f"每页条数须在1至{MAX_PAGE_SIZE}之间")
    return number, size


def paginate(
    qs: QuerySet[Any], page: Any = 1, page_size: Any = DEFAULT_PAGE_SIZE, *, total: int | None = None
) -> Page[Any]:
    """One page of `qs`; `total` when the caller already knows it (e.g. from `cached_count`)."""
    number, size = bounds(page, page_size)
    if total is None:
        total = qs.count()
    start = (number - 1) * size
    return Page(items=list(qs[start : start + size]), total=total, page=number, page_size=size)


# (database alias, (SQL, params) or the caller's key) → (monotonic time it expires, count). Per process; plain dict operations
# are atomic under the GIL, so the server's threads may share it.
_counts: dict[tuple[str, Hashable], tuple[float, int]] = {}


def cached_count(qs: QuerySet[Any], *, key: Hashable = None) -> int:
    """`qs.count()`, except that a large total (over COUNT_EXACT_UPTO) is reused for a while for
    the same query (COUNT_TTL, longer for a slow count: see there). Counting tens of thousands of rows on every page of a busy
    list costs more than everything else in the request, and a total in the tens of thousands that
    is a few seconds old is still right to the reader; small totals (a unit's own boxes, every
    test) are always counted afresh. The key is the compiled SQL, so every filter and the actor's
    visibility scope are part of it — unless the caller gives `key`, everything that decides the
    query (compiling SQL only to look it up costs about as much as a short query), which it must
    then keep complete."""
    if key is None:
        sql, params = qs.query.sql_with_params()
        key = (sql, tuple(params))
        try:
            hash(key)
        except TypeError:  # a parameter that cannot be a key (none of ours today): just count
            return qs.count()
    return remembered_count(qs.db, key, qs.count)


def remembered_count(alias: str, key: Hashable, count: Callable[[], int]) -> int:
    """`count()`, or a large total counted under the same `key` that has not yet expired."""
    entry = (alias, key)
    now = time.monotonic()
    hit = _counts.get(entry)
    if hit is not None and now < hit[0]:
        return hit[1]
    total = count()
    if total > COUNT_EXACT_UPTO:
        took = time.monotonic() - now
        if len(_counts) >= _COUNT_ENTRIES:
            _counts.clear()
        _counts[entry] = (now + min(max(COUNT_TTL, took * COUNT_TTL_PER_SECOND), COUNT_TTL_MAX), total)
    else:
        _counts.pop(entry, None)
    return total
