"""Who sees and who acts on a dispute; the same 404 for missing and invisible.

| step | who |
|---|---|
| open | handler, liaison or leader of a township or department (the applicant is their unit) |
| record a negotiation / an agreement (minutes) | handler, liaison or leader of either party |
| confirm provisional handling (R-DIS-03) | handler, liaison or leader of the provisional handler |
| apply to the justice bureau (R-DIS-02) | a leader of either party |
| withdraw (while negotiating) | a leader of the applicant |
| coordinate: agreement minutes or a proposal | the county's justice bureau: leader, handler, supervisor or legal reviewer |
| decide, or refer beyond its power | a leader of the county government |

Seeing: the parties, the provisional handler, their justice offices (townships), and the
county-wide units (command centre, justice bureau, county government).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.models import Dispute
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.units.models import UnitKind

PARTY_ROLES = ("handler", "liaison", "leader")
BUREAU_ROLES = ("leader", "handler", "supervisor", "legal_reviewer")
PARTY_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)


def require_business(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business or actor.unit is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看或办理执法争议")


def visible_to(actor: Actor) -> QuerySet[Dispute]:
    qs = Dispute.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    ids = [actor.unit.pk]
    if actor.unit.kind == UnitKind.JUSTICE_OFFICE:
        ids += townships_of(actor.unit)
    return qs.filter(Q(applicant_id__in=ids) | Q(counterpart_id__in=ids) | Q(provisional_handler_id__in=ids))


def access_dispute(actor: Actor, pk: int | str) -> Dispute:
    require_business(actor)
    try:
        return (
            visible_to(actor)
            .select_related(
                "applicant", "counterpart", "provisional_handler", "transfer", "matter", "township"
            )
            .get(pk=int(pk))
        )
    except (Dispute.DoesNotExist, ValueError, TypeError):
        raise NotFound("争议不存在或您无权访问") from None


def can_see(actor: Actor, dispute: Dispute) -> bool:
    return visible_to(actor).filter(pk=dispute.pk).exists()


def can_open(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in PARTY_KINDS
        and actor.has_role(*PARTY_ROLES)
    )


def is_party(actor: Actor, d: Dispute) -> bool:
    return actor.unit_id in (d.applicant_id, d.counterpart_id)


def can_negotiate(actor: Actor, d: Dispute) -> bool:
    return actor.can_act_in_business and is_party(actor, d) and actor.has_role(*PARTY_ROLES)


def can_acknowledge(actor: Actor, d: Dispute) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit_id == d.provisional_handler_id
        and actor.has_role(*PARTY_ROLES)
    )


def can_apply(actor: Actor, d: Dispute) -> bool:
    return actor.can_act_in_business and is_party(actor, d) and actor.has_role("leader")


def can_withdraw(actor: Actor, d: Dispute) -> bool:
    return actor.can_act_in_business and actor.unit_id == d.applicant_id and actor.has_role("leader")


def can_coordinate(actor: Actor, d: Dispute) -> bool:
    unit = actor.unit
    return (
        actor.can_act_in_business
        and unit is not None
        and unit.kind == UnitKind.JUSTICE_BUREAU
        and unit.county_id == d.county_id
        and actor.has_role(*BUREAU_ROLES)
    )


def can_decide(actor: Actor, d: Dispute) -> bool:
    unit = actor.unit
    return (
        actor.can_act_in_business
        and unit is not None
        and unit.kind == UnitKind.COUNTY_GOVERNMENT
        and unit.county_id == d.county_id
        and actor.has_role("leader")
    )


MESSAGES = {
    "negotiate": "只有争议双方的承办人、联络员或负责人可以记录协商情况",
    "acknowledge": "只有临时承办单位的承办人、联络员或负责人可以确认临时承办",
    "apply": "申请司法局协调须由争议一方的负责人提出",
    "withdraw": "只有提起争议单位的负责人可以撤回争议",
    "coordinate": "只有县司法局可以组织协调、提出处理建议（R-DIS-02）",
    "decide": "只有县政府负责人可以作出决定或移送有权机关（R-DIS-02）",
}
CHECKS = {
    "negotiate": can_negotiate,
    "acknowledge": can_acknowledge,
    "apply": can_apply,
    "withdraw": can_withdraw,
    "coordinate": can_coordinate,
    "decide": can_decide,
}


def require(actor: Actor, d: Dispute, what: str) -> None:
    if not CHECKS[what](actor, d):
        raise PermissionDenied(MESSAGES[what])
