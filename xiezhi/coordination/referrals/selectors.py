"""Reads of referrals, penalties and support requests, scoped to the actor (see `access`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.models import PenaltyDecision, Referral
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.referral_flow import OPEN_STATES, REFERRAL


def filtered(qs: QuerySet[Referral], *, status: str = "", q: str = "") -> QuerySet[Referral]:
    if status and status != "open" and status not in REFERRAL.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    text = q.strip()
    if text:
        cond = Q(party__icontains=text) | Q(offence__icontains=text) | Q(facts__icontains=text)
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs.select_related("unit", "police")


def penalties(
    qs: QuerySet[PenaltyDecision], *, alert: bool = False, q: str = ""
) -> QuerySet[PenaltyDecision]:
    if alert:
        qs = qs.filter(alert=True)
    text = q.strip()
    if text:
        qs = qs.filter(Q(party__icontains=text) | Q(decision_number__icontains=text))
    return qs.select_related("unit", "referral")
