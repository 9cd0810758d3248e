"""Chinese date and time formatting shared by the rulebook, the UI and the documents.

All aware datetimes are shown in Asia/Shanghai wall-clock time, whatever zone they carry.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def format_date_zh(d: date) -> str:
    """2025-10-08 -> "2025年10月8日"."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_month_day_zh(d: date) -> str:
    """2025-10-08 -> "10月8日" (used when the year is clear from the context)."""
    return f"{d.month}月{d.day}日"


def weekday_zh(d: date) -> str:
    """2024-09-29 -> "星期日"."""
    return WEEKDAYS_ZH[d.weekday()]


def format_datetime_zh(dt: datetime, *, end_of_day: bool = False) -> str:
    """An aware datetime -> "2024年10月8日17:30" in Shanghai time.

    A period that ends "at 24:00" is stored as the next day's 00:00 (exclusive end); with
    ``end_of_day=True`` such a midnight is shown the way the law says it, as the previous
    day's "24:00". Naive datetimes are taken to be Shanghai wall-clock time already.
    """
    local = dt.astimezone(SHANGHAI) if dt.tzinfo is not None else dt
    if end_of_day and local.hour == 0 and local.minute == 0 and local.second == 0 and local.microsecond == 0:
        return f"{format_date_zh((local - timedelta(days=1)).date())}24:00"
    return f"{format_date_zh(local.date())}{local.hour:02d}:{local.minute:02d}"


def format_date_range_zh(first: date, last: date, *, context_year: int | None = None) -> str:
    """A run of days, omitting what the reader already knows.

    ``context_year`` is the year the surrounding sentence is about: dates in it are shown
    without the year. "10月1日至7日", "1月28日至2月4日", "2026年12月31日至2027年1月2日".
    """
    head = format_month_day_zh(first) if first.year == context_year else format_date_zh(first)
    if first == last:
        return head
    if last.year != first.year:
        tail = format_date_zh(last)
    elif last.month != first.month:
        tail = format_month_day_zh(last)
    else:
        tail = f"{last.day}日"
    return f"{head}至{tail}"
