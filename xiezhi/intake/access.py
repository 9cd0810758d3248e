"""Who sees and who acts on a report."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied
from xiezhi.intake.models import Report
from xiezhi.units.models import UnitKind

ACTING_ROLES = ("handler", "liaison", "leader", "dispatcher")
RECEIVING_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.COMMAND_CENTRE)


def visible_to(actor: Actor) -> QuerySet[Report]:
    qs = Report.objects.all()
    if not actor.can_act_in_business or actor.county_id is None:
        return qs.none()
    qs = qs.filter(county_id=actor.county_id)
    if actor.is_county_wide or (actor.unit is not None and actor.unit.kind == UnitKind.JUSTICE_OFFICE):
        return qs
    return qs.filter(Q(involved_units=actor.unit_id) | Q(current_unit_id=actor.unit_id)).distinct()


def access_report(actor: Actor, pk: int) -> Report:
    """The same NotFound for a missing report and for one the actor may not see."""
    report = visible_to(actor).select_related("township", "first_unit", "current_unit").filter(pk=pk).first()
    if report is None:
        raise NotFound()
    return report


def can_receive(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in RECEIVING_KINDS
        and actor.has_role(*ACTING_ROLES)
    )


def require_receive(actor: Actor) -> None:
    if not can_receive(actor):
        raise PermissionDenied("只有乡镇（街道）、县级部门或指挥中心的承办人、联络员、负责人可以登记投诉举报")


def can_act(actor: Actor, report: Report) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit_id == report.current_unit_id
        and actor.has_role(*ACTING_ROLES)
    )


def require_act(actor: Actor, report: Report) -> None:
    if not can_act(actor, report):
        raise PermissionDenied("只有当前办理单位的承办人、联络员或负责人可以办理该投诉举报")
