"""Reads of consultation meetings and action items, scoped to the actor (see `access.visible_to`)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xiezhi.coordination.models import ActionItem, Meeting
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.linkage_flow import MEETING, MEETING_KINDS


def filtered(
    qs: QuerySet[Meeting],
    *,
    status: str = "",
    kind: str = "",
    unit: int | None = None,
    series: int | None = None,
    q: str = "",
) -> QuerySet[Meeting]:
    if status and status not in MEETING.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if kind and kind not in MEETING_KINDS:
        raise ValidationFailed.field("kind", f"会议类型“{kind}”无效")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if series is not None:
        qs = qs.filter(series_id=series)
    if unit is not None:
        qs = qs.filter(
            pk__in=Meeting.objects.filter(
                Q(convener_id=unit) | Q(invited_units=unit) | Q(items__responsible_id=unit)
            ).values("pk")
        )
    text = q.strip()
    if text:
        cond = Q(title__icontains=text) | Q(agenda__icontains=text) | Q(clue__icontains=text)
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs


def for_list(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.select_related("convener", "minutes").annotate(
        open_items=Count("items", filter=Q(items__status="open"), distinct=True),
        all_items=Count("items", distinct=True),
    )


def my_open_items(actor: Actor) -> QuerySet[ActionItem]:
    """Action items the actor's unit still owes (the 待落实 box)."""
    if actor.unit is None:
        return ActionItem.objects.none()
    return (
        ActionItem.objects.filter(responsible_id=actor.unit.pk, status="open")
        .select_related("meeting", "responsible")
        .order_by("due_date", "pk")
    )
