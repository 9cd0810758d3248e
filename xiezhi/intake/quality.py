"""Dispatch quality (§2, production): first-time-right rate, re-dispatches, time to acceptance,
per receiving unit and per channel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from xiezhi.intake.models import Channel, Report


@dataclass
class Row:
    label: str
    reports: int = 0
    first_time_right: int = 0
    redispatches: int = 0
    hours_to_accept: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.first_time_right / self.reports if self.reports else None

    @property
    def mean_hours(self) -> float | None:
        return sum(self.hours_to_accept) / len(self.hours_to_accept) if self.hours_to_accept else None


def measure(qs: QuerySet[Report]) -> tuple[Row, list[Row], list[Row]]:
    """Totals, rows per first unit, rows per channel. A report is "first time right" when its matter was
    chosen once and it was never handed on."""
    annotated = qs.annotate(
        hand_ons=Count("events", filter=Q(events__kind__in=("handed_on", "followed_transfer"))),
        accepted_at=Min("events__at", filter=Q(events__kind="accepted")),
    ).values_list("first_unit__name", "channel", "dispatch_count", "hand_ons", "created_at", "accepted_at")
    total = Row("合计")
    by_unit: dict[str, Row] = defaultdict(lambda: Row(""))
    by_channel: dict[str, Row] = defaultdict(lambda: Row(""))
    labels = dict(Channel.choices)
    for unit, channel, count, hand_ons, created, accepted in annotated:
        redispatch = max(count - 1, 0) + hand_ons
        for row, label in (
            (total, "合计"),
            (by_unit[unit], unit),
            (by_channel[channel], labels.get(channel, channel)),
        ):
            row.label = label
            row.reports += 1
            row.first_time_right += int(redispatch == 0)
            row.redispatches += redispatch
            if isinstance(accepted, datetime):
                row.hours_to_accept.append((accepted - created).total_seconds() / 3600)
    return (
        total,
        sorted(by_unit.values(), key=lambda r: r.label),
        sorted(by_channel.values(), key=lambda r: r.label),
    )
