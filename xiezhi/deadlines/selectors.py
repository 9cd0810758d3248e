"""Reads of obligations, scoped to an actor, and the on-time rate every dashboard uses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.deadlines.models import ACTIVE, Obligation
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.units.models import UnitKind

ACTIVE_STATUSES = ACTIVE


def visible_to(actor: Actor) -> QuerySet[Obligation]:
    """A unit sees its own obligations; county-wide units (command centre, justice bureau,
    government) see their county's; a justice office also sees its townships'. Administrators
    (三员) do no business and see none."""
    qs = Obligation.objects.select_related("unit")
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(unit__county_id=actor.unit.county_id)
    unit_ids = [actor.unit.pk]
    if actor.unit.kind == UnitKind.JUSTICE_OFFICE:
        unit_ids += townships_of(actor.unit)
    return qs.filter(unit_id__in=unit_ids)


def sees_beyond_own_unit(actor: Actor) -> bool:
    """Whether the actor has a county (or township) view besides "my unit"."""
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and (actor.is_county_wide or actor.unit.kind == UnitKind.JUSTICE_OFFICE)
    )


def filtered(
    qs: QuerySet[Obligation],
    *,
    unit: int | None = None,
    status: str | None = None,
    due_before: datetime | None = None,
    rule: str | None = None,
) -> QuerySet[Obligation]:
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if rule:
        qs = qs.filter(rule_id=rule)
    return qs


def parse_due_before(raw: str | None) -> datetime | None:
    """An aware datetime, or a date (= before 00:00 of that day, Beijing time); naive datetimes are refused."""
    if not raw:
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=SHANGHAI)
        value = datetime.fromisoformat(
            text.replace(" ", "+", 1) if text.count(" ") == 1 and "T" in text else text
        )
    except ValueError:
        raise ValidationFailed.field(
            "due_before", "due_before 应为日期（2025-10-08）或带时区的时间（2025-10-08T17:30:00+08:00）"
        ) from None
    if timezone.is_naive(value):
        raise ValidationFailed.field(
            "due_before", "due_before 必须带时区，例如 2025-10-08T17:30:00+08:00，或只写日期"
        )
    return value


def for_subject(subject_type_id: int, subject_id: str) -> QuerySet[Obligation]:
    return Obligation.objects.filter(subject_type_id=subject_type_id, subject_id=subject_id)


def active_obligations(subject: models.Model, rules: Iterable[str]) -> list[Obligation]:
    """The subject's obligations under ``rules`` still running (open or extended)."""
    return list(
        Obligation.objects.filter(
            subject_type=ContentType.objects.get_for_model(type(subject)),
            subject_id=str(subject.pk),
            rule_id__in=list(rules),
            status__in=ACTIVE,
        )
    )


@dataclass(frozen=True)
class OnTime:
    on_time: int
    counted: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    @property
    def percent_zh(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{rate * 100:.1f}%"


def on_time_aggregates(*, statuses: bool = False) -> dict[str, Count]:
    """The on-time rate's two counts (``on_time``, ``counted``) as aggregates, so every dashboard
    judges obligations the same way: met on time versus every obligation that was either met
    (on time or late) or is overdue; waived, open and suspended ones are not judged. With
    ``statuses``, also the plain counts ``open`` (open or suspended), ``overdue``, ``met``,
    ``met_late`` and ``waived``."""
    counts = {
        "on_time": Count("pk", filter=Q(status="met", met_at__lte=F("due_at"))),
        "counted": Count("pk", filter=Q(status__in=("met", "overdue"))),
    }
    if statuses:
        counts |= {
            "open": Count("pk", filter=Q(status__in=("open", "suspended"))),
            "overdue": Count("pk", filter=Q(status="overdue")),
            "met": Count("pk", filter=Q(status="met")),
            "met_late": Count("pk", filter=Q(status="met", met_at__gt=F("due_at"))),
            "waived": Count("pk", filter=Q(status="waived")),
        }
    return counts


def on_time_counts(qs: QuerySet[Obligation]) -> OnTime:
    """Met on time versus every obligation that was either met or is overdue (waived, open and
    suspended ones are not judged yet)."""
    row = qs.aggregate(**on_time_aggregates())
    return OnTime(row["on_time"] or 0, row["counted"] or 0)


def on_time_grouped(qs: QuerySet[Obligation], *fields: str, statuses: bool = False) -> list[dict[str, Any]]:
    """`on_time_aggregates` per group of ``fields``; the field ``month`` is the Beijing month the
    clock started (``opened_at``), as an aware datetime at its first instant."""
    if "month" in fields:
        qs = qs.annotate(month=TruncMonth("opened_at", tzinfo=SHANGHAI))
    rows: Any = qs.values(*fields).annotate(**on_time_aggregates(statuses=statuses)).order_by()
    return list(rows)


def on_time_rate(qs: QuerySet[Obligation]) -> float | None:
    """met on time / (met + overdue), in 0..1; None when nothing has been judged yet."""
    return on_time_counts(qs).rate
