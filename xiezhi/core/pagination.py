"""Bounded pagination shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet

from xiezhi.core.errors import ValidationFailed

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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


def _to_int(raw: Any, name: str, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed.field(name, f"{name} 必须是整数") from None


def paginate(qs: QuerySet[Any], page: Any = 1, page_size: Any = DEFAULT_PAGE_SIZE) -> Page[Any]:
    number = _to_int(page, "page", 1)
    size = _to_int(page_size, "page_size", DEFAULT_PAGE_SIZE)
    if number < 1:
        raise ValidationFailed.field("page", "页码必须大于0")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationFailed.field("page_size", f"每页条数须在1至{MAX_PAGE_SIZE}之间")
    total = qs.count()
    start = (number - 1) * size
    return Page(items=list(qs[start : start + size]), total=total, page=number, page_size=size)
