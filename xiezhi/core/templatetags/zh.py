"""Template filters for Chinese dates: 2025年10月8日, times in Asia/Shanghai."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def zh_date(value: date | datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def zh_datetime(value: datetime | None) -> str:
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def yesno_zh(value: object) -> str:
    return "是" if value else "否"
