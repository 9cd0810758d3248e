"""Who sees and who acts on a joint operation; the same 404 for missing and invisible.

| step | who |
|---|---|
| plan an operation (lead unit = own unit) | handler, liaison or leader of a township or department |
| add a finding, record the results, cancel | handler, liaison or leader of the lead unit |

Seeing: the lead unit, the participating units, the convener of the meeting it came from, and the
county-wide units (command centre, justice bureau, county government).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.disputes.access import PARTY_ROLES, require_business
from xiezhi.coordination.meetings.access import can_convene
from xiezhi.coordination.models import JointOperation
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied

__all__ = ["can_plan", "require_business"]

can_plan = can_convene


def visible_to(actor: Actor) -> QuerySet[JointOperation]:
    qs = JointOperation.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    unit = actor.unit.pk
    ids = JointOperation.objects.filter(
        Q(lead_id=unit) | Q(participants=unit) | Q(meeting__convener_id=unit)
    ).values("pk")
    return qs.filter(pk__in=ids)


def access_operation(actor: Actor, pk: int | str) -> JointOperation:
    require_business(actor)
    try:
        return visible_to(actor).select_related("lead", "meeting", "clue_report").get(pk=int(pk))
    except (JointOperation.DoesNotExist, ValueError, TypeError):
        raise NotFound("联合执法行动不存在或您无权访问") from None


def can_see(actor: Actor, op: JointOperation) -> bool:
    return visible_to(actor).filter(pk=op.pk).exists()


def can_lead(actor: Actor, op: JointOperation) -> bool:
    return actor.can_act_in_business and actor.unit_id == op.lead_id and actor.has_role(*PARTY_ROLES)


PLAN_MESSAGE = "只有乡镇（街道）或县级部门的承办人、联络员或负责人可以组织联合执法（R-CO-03）"
LEAD_MESSAGE = "只有牵头单位的承办人、联络员或负责人可以登记检查发现、行动结果或取消行动"


def require_plan(actor: Actor) -> None:
    require_business(actor)
    if not can_plan(actor):
        raise PermissionDenied(PLAN_MESSAGE)


def require_lead(actor: Actor, op: JointOperation) -> None:
    if not can_lead(actor, op):
        raise PermissionDenied(LEAD_MESSAGE)
