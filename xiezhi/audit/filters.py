"""The auditor's filters, shared by the list page, the CSV export and the API.

Parsed from query parameters with Chinese field errors; `describe()` is the filter in words,
written as the reason of the export's own audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import ValidationFailed

PARAMS = ("since", "until", "actor", "unit", "action", "target_type", "target_id", "success")
SUCCESS_VALUES = {"true": True, "1": True, "成功": True, "false": False, "0": False, "失败": False}


@dataclass(frozen=True)
class AuditFilter:
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    actor: str = ""
    unit: int | None = None
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    success: bool | None = None
    since_text: str = ""
    until_text: str = ""

    def apply(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.since is not None:
            qs = qs.filter(created_at__gte=self.since)
        if self.until is not None:
            qs = qs.filter(created_at__lt=self.until)
        if self.actor:
            qs = qs.filter(actor_name__icontains=self.actor)
        if self.unit is not None:
            qs = qs.filter(unit_id=self.unit)
        if self.action:
            qs = qs.filter(action__startswith=self.action)
        if self.target_type:
            qs = qs.filter(target_type=self.target_type)
        if self.target_id:
            qs = qs.filter(target_id=self.target_id)
        if self.success is not None:
            qs = qs.filter(success=self.success)
        return qs

    def describe(self) -> str:
        parts = []
        if self.since_text:
            parts.append(f"起始时间={self.since_text}")
        if self.until_text:
            parts.append(f"截止时间={self.until_text}")
        if self.actor:
            parts.append(f"操作人含“{self.actor}”")
        if self.unit is not None:
            parts.append(f"单位ID={self.unit}")
        if self.action:
            parts.append(f"操作以“{self.action}”开头")
        if self.target_type:
            parts.append(f"对象类型={self.target_type}")
        if self.target_id:
            parts.append(f"对象ID={self.target_id}")
        if self.success is not None:
            parts.append("结果=" + ("成功" if self.success else "失败"))
        return "导出条件：" + ("；".join(parts) if parts else "全部事件")


def _moment(raw: str, name: str, errors: dict[str, list[str]], *, end: bool) -> datetime | None:
    """A date (the whole day, Beijing time) or a date and time; `end` makes it exclusive."""
    text = raw.strip()
    if not text:
        return None
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            start = timezone.make_aware(datetime.combine(day, time.min))
            return start + timedelta(days=1) if end else start
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        errors[name] = ["时间格式应为 2025-10-08 或 2025-10-08T14:30"]
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    # An end given to the minute includes that whole minute.
    return moment + timedelta(minutes=1) if end and moment.second == 0 and moment.microsecond == 0 else moment


def _text(params: Mapping[str, Any], name: str, limit: int) -> str:
    return str(params.get(name) or "").strip()[:limit]


def parse(params: Mapping[str, Any]) -> AuditFilter:
    errors: dict[str, list[str]] = {}
    since_text, until_text = _text(params, "since", 40), _text(params, "until", 40)
    since = _moment(since_text, "since", errors, end=False)
    until = _moment(until_text, "until", errors, end=True)
    if since is not None and until is not None and since >= until:
        errors["until"] = ["截止时间不能早于起始时间"]
    unit: int | None = None
    unit_text = _text(params, "unit", 20)
    if unit_text:
        try:
            unit = int(unit_text)
        except ValueError:
            errors["unit"] = ["单位应为单位ID（整数）"]
    success: bool | None = None
    success_text = _text(params, "success", 10).lower()
    if success_text:
        if success_text not in SUCCESS_VALUES:
            errors["success"] = ["结果只能是 true（成功）或 false（失败）"]
        else:
            success = SUCCESS_VALUES[success_text]
    if errors:
        raise ValidationFailed("筛选条件有误", details=errors)
    return AuditFilter(
        since=since,
        until=until,
        actor=_text(params, "actor", 100),
        unit=unit,
        action=_text(params, "action", 80),
        target_type=_text(params, "target_type", 60),
        target_id=_text(params, "target_id", 64),
        success=success,
        since_text=since_text,
        until_text=until_text,
    )
