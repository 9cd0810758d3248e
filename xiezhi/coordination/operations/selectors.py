"""Reads of joint operations, scoped to the actor (see `access.visible_to`)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from xiezhi.coordination.models import JointOperation
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.linkage_flow import OPERATION


def filtered(
    qs: QuerySet[JointOperation],
    *,
    status: str = "",
    unit: int | None = None,
    meeting: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
) -> QuerySet[JointOperation]:
    if status and status not in OPERATION.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(
            pk__in=JointOperation.objects.filter(Q(lead_id=unit) | Q(participants=unit)).values("pk")
        )
    if meeting is not None:
        qs = qs.filter(meeting_id=meeting)
    if date_from is not None:
        qs = qs.filter(starts_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(starts_at__date__lte=date_to)
    text = q.strip()
    if text:
        cond = (
            Q(title__icontains=text)
            | Q(place__icontains=text)
            | Q(plan__icontains=text)
            | Q(case_refs__icontains=text)
        )
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs


def for_list(qs: QuerySet[JointOperation]) -> QuerySet[JointOperation]:
    return qs.select_related("lead").annotate(
        finding_count=Count("findings", distinct=True),
        enforcer_count=Count("officers", filter=Q(officers__role="enforcer"), distinct=True),
    )
