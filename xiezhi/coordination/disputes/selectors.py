"""Reads of disputes, scoped to the actor (see `access.visible_to`)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from xiezhi.coordination.disputes.access import visible_to
from xiezhi.coordination.models import Dispute
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.dispute_flow import DISPUTE, KINDS, OPEN_STATES


def filtered(
    qs: QuerySet[Dispute], *, status: str = "", kind: str = "", unit: int | None = None, q: str = ""
) -> QuerySet[Dispute]:
    if status and status != "open" and status not in DISPUTE.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if kind and kind not in KINDS:
        raise ValidationFailed.field("kind", f"争议类型“{kind}”无效")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(Q(applicant_id=unit) | Q(counterpart_id=unit) | Q(provisional_handler_id=unit))
    text = q.strip()
    if text:
        cond = Q(subject__icontains=text) | Q(facts__icontains=text)
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs


def for_list(qs: QuerySet[Dispute]) -> QuerySet[Dispute]:
    return qs.select_related("applicant", "counterpart", "provisional_handler")


def count_by_stage(actor: Actor, unit: int | None = None) -> list[tuple[str, str, int]]:
    """(state, label, count) for every state, in workflow order (the dashboard's 争议分布)."""
    qs = filtered(visible_to(actor), unit=unit)
    counts = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    return [(state, label, counts.get(state, 0)) for state, label in DISPUTE.states.items()]
