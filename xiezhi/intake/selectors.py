"""Reads: the list with search and filters, the timeline, the public tracking view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date

from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.intake.access import visible_to
from xiezhi.intake.models import Channel, Report, Status


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    value = parse_date(raw.strip())
    if value is None:
        raise ValidationFailed.field(name, "日期格式应为YYYY-MM-DD")
    return value


def search(actor: Actor, params: Mapping[str, Any]) -> QuerySet[Report]:
    qs = visible_to(actor).select_related("township", "current_unit", "first_unit")
    q = str(params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(text__icontains=q)
            | Q(address__icontains=q)
            | Q(tracking_code=q.upper())
            | Q(matter_name__icontains=q)
        )
    status = str(params.get("status") or "").strip()
    if status:
        if status not in Status.values:
            raise ValidationFailed.field("status", "未知的状态")
        qs = qs.filter(status=status)
    channel = str(params.get("channel") or "").strip()
    if channel:
        if channel not in Channel.values:
            raise ValidationFailed.field("channel", "未知的来源渠道")
        qs = qs.filter(channel=channel)
    township = str(params.get("township") or "").strip()
    if township:
        if not township.isdigit():
            raise ValidationFailed.field("township", "township 必须是整数")
        qs = qs.filter(township_id=int(township))
    since, until = _date(params.get("from"), "from"), _date(params.get("to"), "to")
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-id")


def by_tracking_code(code: str) -> Report | None:
    clean = "".join(code.split()).upper()
    if not 10 <= len(clean) <= 16:
        return None
    return Report.objects.select_related("township", "current_unit").filter(tracking_code=clean).first()


def public_view(report: Report) -> dict[str, Any]:
    """Only what the reporter may see: no personal data, no internal notes, no staff names."""
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_label": Status(report.status).label,
        "created_at": report.created_at,
        "unit": report.current_unit.name,
        "timeline": [
            {"at": e.at, "label": e.public_label}
            for e in report.events.exclude(public_label="").order_by("at", "id")
        ],
        "reply": report.reply if report.status in (Status.REPLIED, Status.CLOSED) else "",
    }


def reports_of_transfer(actor: Actor, transfer_id: int) -> QuerySet[Report]:
    """The reports a transfer came from, as far as `actor` may see them (the transfer page links them)."""
    return visible_to(actor).filter(transfer_id=transfer_id).order_by("id")
