"""Who sees and acts on correction opinions, feedback and evidence citations (same 404 for
missing and invisible).

| step | who |
|---|---|
| issue a correction opinion (R-CO-08) | handler, liaison, legal reviewer or leader of a department, about a township |
| answer with the rectification | handler, liaison or leader of the township |
| confirm / ask again / withdraw | the issuing department (same roles) |
| send feedback (R-CO-09) | handler, liaison or leader of a township or department, in its own name |
| answer feedback | the receiving unit (same roles) |
| cite evidence (R-CO-07) | handler, liaison or leader of a township or department that can see the source |

Seeing: the units involved, the township's justice office, and the county-wide units (the
justice bureau is copied on every correction opinion).
"""

from __future__ import annotations

from django.db.models import QuerySet

from xiezhi.coordination.assistance.access import party_visible
from xiezhi.coordination.corrections.models import CorrectionOpinion, EvidenceCitation, Feedback
from xiezhi.coordination.disputes.access import PARTY_KINDS, PARTY_ROLES, require_business
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.units.models import UnitKind

__all__ = ["PARTY_KINDS", "PARTY_ROLES", "require_business"]

ISSUER_ROLES = (*PARTY_ROLES, "legal_reviewer")


def visible_opinions(actor: Actor) -> QuerySet[CorrectionOpinion]:
    return party_visible(CorrectionOpinion.objects.all(), actor, "department", "township")


def visible_feedback(actor: Actor) -> QuerySet[Feedback]:
    return party_visible(Feedback.objects.all(), actor, "sender", "recipient")


def visible_citations(actor: Actor) -> QuerySet[EvidenceCitation]:
    """A citation is seen by the citing unit, the origin unit and the county-wide units."""
    return party_visible(EvidenceCitation.objects.all(), actor, "citing_unit", "origin_unit")


def access_opinion(actor: Actor, pk: int | str) -> CorrectionOpinion:
    require_business(actor)
    try:
        return (
            visible_opinions(actor).select_related("department", "township", "justice_bureau").get(pk=int(pk))
        )
    except (CorrectionOpinion.DoesNotExist, ValueError, TypeError):
        raise NotFound("纠错意见不存在或您无权访问") from None


def access_feedback(actor: Actor, pk: int | str) -> Feedback:
    require_business(actor)
    try:
        return visible_feedback(actor).select_related("sender", "recipient").get(pk=int(pk))
    except (Feedback.DoesNotExist, ValueError, TypeError):
        raise NotFound("反馈不存在或您无权访问") from None


def _in(actor: Actor, unit_id: int | None, *roles: str) -> bool:
    return (
        actor.can_act_in_business
        and unit_id is not None
        and actor.unit_id == unit_id
        and actor.has_role(*roles)
    )


def can_issue(actor: Actor) -> bool:
    unit = actor.unit
    return (
        actor.can_act_in_business
        and unit is not None
        and unit.kind == UnitKind.DEPARTMENT
        and actor.has_role(*ISSUER_ROLES)
    )


def can_send_feedback(actor: Actor) -> bool:
    unit = actor.unit
    return (
        actor.can_act_in_business
        and unit is not None
        and unit.kind in PARTY_KINDS
        and actor.has_role(*PARTY_ROLES)
    )


can_cite = can_send_feedback

OPINION_CHECKS = {
    "answer": lambda a, o: _in(a, o.township_id, *PARTY_ROLES),
    "confirm": lambda a, o: _in(a, o.department_id, *ISSUER_ROLES),
    "reopen": lambda a, o: _in(a, o.department_id, *ISSUER_ROLES),
    "withdraw": lambda a, o: _in(a, o.department_id, *ISSUER_ROLES),
}
OPINION_MESSAGES = {
    "answer": "只有被纠错的乡镇（街道）可以答复整改情况（R-CO-08）",
    "confirm": "只有提出纠错意见的部门可以确认整改",
    "reopen": "只有提出纠错意见的部门可以要求继续整改",
    "withdraw": "只有提出纠错意见的部门可以撤回",
}


def may_opinion(actor: Actor, o: CorrectionOpinion, what: str) -> bool:
    return bool(OPINION_CHECKS[what](actor, o))


def may_answer_feedback(actor: Actor, f: Feedback) -> bool:
    return _in(actor, f.recipient_id, *PARTY_ROLES)


def can_see_opinion(actor: Actor, o: CorrectionOpinion) -> bool:
    return visible_opinions(actor).filter(pk=o.pk).exists()
