"""Lockout and per-IP throttling, read from django-axes' failure records in the database.

Axes counts failures per username (AXES_LOCKOUT_PARAMETERS = ["username"]) in `AccessAttempt` rows,
one row per (username, IP, user agent), each carrying its failure count and its last failure time;
a username is locked while the failures of the rows whose last failure lies within the cool-off
window reach AXES_FAILURE_LIMIT. The same rows, grouped by IP address, throttle one address that
tries many names (XIEZHI_IP_FAILURE_LIMIT). Everything lives in the database, so every process
sees the same counts (the cache is per process).

The time a lock ends is computed from the failures themselves, not from "now": walking the rows
from the newest, the lock ends cool-off after the row that brings the count to the limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

LOCKED_MESSAGE = "账号已被锁定，请于{until}后再试"
IP_THROTTLED_MESSAGE = "该地址登录失败次数过多，请于{until}后再试"


def cool_off() -> timedelta:
    from axes.helpers import get_cool_off

    return get_cool_off() or timedelta(minutes=30)


def failure_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def ip_failure_limit() -> int:
    return int(settings.XIEZHI_IP_FAILURE_LIMIT)


def release_time(
    attempts: Iterable[tuple[datetime, int]], limit: int, window: timedelta, now: datetime | None = None
) -> datetime | None:
    """When a lock built from (last failure time, failure count) rows ends; None if not locked."""
    now = now or timezone.now()
    recent = sorted((row for row in attempts if row[0] >= now - window), key=lambda row: row[0], reverse=True)
    total = 0
    for when, failures in recent:
        total += failures
        if total >= limit:
            return when + window
    return None


def _attempts(**lookup: Any) -> list[tuple[datetime, int]]:
    from axes.models import AccessAttempt

    since = timezone.now() - cool_off()
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=since, **lookup).values_list(
            "attempt_time", "failures_since_start"
        )
    )


def locked_until(username: str) -> datetime | None:
    return release_time(_attempts(username=username), failure_limit(), cool_off())


def locked_usernames(usernames: Iterable[str]) -> dict[str, datetime]:
    """Lock end times for many names in one query (the account list)."""
    from axes.models import AccessAttempt

    names = list(usernames)
    since = timezone.now() - cool_off()
    rows: dict[str, list[tuple[datetime, int]]] = {}
    for name, when, failures in AccessAttempt.objects.filter(
        username__in=names, attempt_time__gte=since
    ).values_list("username", "attempt_time", "failures_since_start"):
        rows.setdefault(name, []).append((when, failures))
    found = {name: release_time(items, failure_limit(), cool_off()) for name, items in rows.items()}
    return {name: until for name, until in found.items() if until is not None}


def ip_throttled_until(ip: str) -> datetime | None:
    if not ip:
        return None
    return release_time(_attempts(ip_address=ip), ip_failure_limit(), cool_off())


def clock(moment: datetime) -> str:
    """HH:MM in Beijing time, with the date when the lock ends on another day."""
    local = timezone.localtime(moment)
    if local.date() != timezone.localdate():
        return f"{local.month}月{local.day}日{local:%H:%M}"
    return f"{local:%H:%M}"


def locked_message(until: datetime | None) -> str:
    return LOCKED_MESSAGE.format(until=clock(until)) if until else "账号已被锁定，请稍后再试"


def render_refusal(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "locked", "message": message, "details": {}}, status=status
        )
    else:
        response = render(request, "accounts/login.html", {"error": message, "locked": True}, status=status)
    response.xiezhi_refusal = True  # type: ignore[attr-defined]
    return response


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in view already answered with the lock message; keep it."""
    if response is not None and getattr(response, "xiezhi_refusal", False):
        return response
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")
    return render_refusal(request, locked_message(locked_until(username) if username else None), 403)
