"""Transfer statistics for the dashboard and the API, read from obligations (the one source of
on-time figures, DESIGN §4) and from the transfers the actor may see.

* On-time transfer rate: sending duties (R-TR-02 normal, R-TR-03 urgent, R-TR-07 written
  formalities after an oral transfer) met by their due time / (met + overdue), by responsible unit
  and by month the clock started. Immediate transfers (R-TR-04) are due at the moment of discovery
  by definition, so they are never "on time"; their delay is reported instead (hours from
  discovery to sending, oral or written).
* Acceptance-reply rate: R-TR-08 duties met on time / (met + overdue), by receiving unit and month.
* Average acceptance time: working days from sending to the written acceptance, by receiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.deadlines import selectors as obligations
from xiezhi.deadlines.models import Obligation
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.transfers import selectors
from xiezhi.transfers.models import DeclineReason, Transfer

SEND_RULES = ("R-TR-02", "R-TR-03", "R-TR-07")
REPLY_RULES = ("R-TR-08",)
TRANSFER_RULES = ("R-TR-02", "R-TR-03", "R-TR-04", "R-TR-07", "R-TR-08")


@dataclass
class Rate:
    on_time: int = 0
    counted: int = 0

    @property
    def percent(self) -> float | None:
        return round(self.on_time * 100 / self.counted, 1) if self.counted else None

    @property
    def text(self) -> str:
        p = self.percent
        return "—" if p is None else f"{p:.1f}%"


@dataclass
class UnitRow:
    unit_id: int
    name: str
    send: Rate = field(default_factory=Rate)
    reply: Rate = field(default_factory=Rate)
    months: dict[int, Rate] = field(default_factory=dict)  # month → send rate
    reply_months: dict[int, Rate] = field(default_factory=dict)
    accept_days: list[int] = field(default_factory=list)

    @property
    def avg_accept_days(self) -> float | None:
        return round(sum(self.accept_days) / len(self.accept_days), 1) if self.accept_days else None


@dataclass
class Stats:
    year: int
    units: list[UnitRow]
    monthly_send: list[Rate]
    monthly_reply: list[Rate]
    send_total: Rate
    reply_total: Rate
    avg_accept_days: float | None
    immediate_hours: float | None
    immediate_count: int
    overdue: list[Obligation]
    declines: list[tuple[str, str, int]]
    disputes: list[tuple[str, str, int]]

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "months": [f"{m}月" for m in range(1, 13)],
            "monthly_send": [r.percent for r in self.monthly_send],
            "monthly_reply": [r.percent for r in self.monthly_reply],
            "units": [u.name for u in self.units],
            "unit_send": [u.send.percent for u in self.units],
            "unit_reply": [u.reply.percent for u in self.units],
            "unit_accept_days": [u.avg_accept_days for u in self.units],
            "declines": [{"name": label, "value": n} for _, label, n in self.declines],
            "disputes": {
                "stages": [label for _, label, _ in self.disputes],
                "counts": [n for _, _, n in self.disputes],
            },
        }


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime.combine(date(year, 1, 1), time(0), tzinfo=SHANGHAI), datetime.combine(
        date(year + 1, 1, 1), time(0), tzinfo=SHANGHAI
    )


def _obligations(actor: Actor, year: int, unit: int | None) -> QuerySet[Obligation]:
    start, end = _year_bounds(year)
    qs = obligations.visible_to(actor).filter(
        subject_type=ContentType.objects.get_for_model(Transfer), opened_at__gte=start, opened_at__lt=end
    )
    return qs.filter(unit_id=unit) if unit is not None else qs


def _rates(qs: QuerySet[Obligation], rules: tuple[str, ...]) -> list[dict[str, Any]]:
    return obligations.on_time_grouped(qs.filter(rule_id__in=rules), "unit_id", "unit__name", "month")


def statistics(actor: Actor, year: int | None = None, unit: int | None = None) -> Stats:
    year = year or timezone.localdate().year
    obs = _obligations(actor, year, unit)
    rows: dict[int, UnitRow] = {}
    monthly_send = [Rate() for _ in range(12)]
    monthly_reply = [Rate() for _ in range(12)]

    def row(unit_id: int, name: str) -> UnitRow:
        return rows.setdefault(unit_id, UnitRow(unit_id, name))

    for rules, monthly, total_attr, month_attr in (
        (SEND_RULES, monthly_send, "send", "months"),
        (REPLY_RULES, monthly_reply, "reply", "reply_months"),
    ):
        for r in _rates(obs, rules):
            m = r["month"].astimezone(SHANGHAI).month
            u = row(r["unit_id"], r["unit__name"])
            total: Rate = getattr(u, total_attr)
            total.on_time += r["on_time"]
            total.counted += r["counted"]
            cell = getattr(u, month_attr).setdefault(m, Rate())
            cell.on_time += r["on_time"]
            cell.counted += r["counted"]
            monthly[m - 1].on_time += r["on_time"]
            monthly[m - 1].counted += r["counted"]

    start, end = _year_bounds(year)
    visible = selectors.visible_to(actor)
    if unit is not None:
        visible = visible.filter(Q(sender_id=unit) | Q(receiver_id=unit))
    calendar = WorkCalendar.default()
    all_days: list[int] = []
    for receiver_id, name, sent, replied in visible.filter(
        status="accepted", replied_at__gte=start, replied_at__lt=end, sent_at__isnull=False
    ).values_list("receiver_id", "receiver__name", "sent_at", "replied_at"):
        days = calendar.workdays_between(timezone.localdate(sent), timezone.localdate(replied))
        row(receiver_id, name).accept_days.append(days)
        all_days.append(days)
    immediate = [
        (moment - found).total_seconds() / 3600
        for found, moment in visible.filter(
            urgency="immediate", discovered_at__gte=start, discovered_at__lt=end
        )
        .annotate(told=Coalesce("oral_at", "sent_at"))
        .filter(told__isnull=False)
        .values_list("discovered_at", "told")
    ]
    decline_counts = dict(
        visible.filter(status="declined", replied_at__gte=start, replied_at__lt=end)
        .values_list("decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    from xiezhi.coordination.disputes.selectors import count_by_stage  # the dashboard reads both apps

    overdue = list(
        obligations.visible_to(actor)
        .filter(
            subject_type=ContentType.objects.get_for_model(Transfer),
            rule_id__in=TRANSFER_RULES,
            status="overdue",
        )
        .filter(**({"unit_id": unit} if unit is not None else {}))
        .order_by("due_at")[:100]
    )
    units = sorted(rows.values(), key=lambda u: u.name)
    return Stats(
        year=year,
        units=units,
        monthly_send=monthly_send,
        monthly_reply=monthly_reply,
        send_total=Rate(sum(r.on_time for r in monthly_send), sum(r.counted for r in monthly_send)),
        reply_total=Rate(sum(r.on_time for r in monthly_reply), sum(r.counted for r in monthly_reply)),
        avg_accept_days=round(sum(all_days) / len(all_days), 1) if all_days else None,
        immediate_hours=round(sum(immediate) / len(immediate), 1) if immediate else None,
        immediate_count=len(immediate),
        overdue=overdue,
        declines=[(code, label, decline_counts.get(code, 0)) for code, label in DeclineReason.choices],
        disputes=count_by_stage(actor, unit=unit),
    )
