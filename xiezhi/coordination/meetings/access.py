"""Who sees and who acts on a consultation meeting; the same 404 for missing and invisible.

| step | who |
|---|---|
| convene a meeting, set up a regular schedule | handler, liaison or leader of a township or department (the convener is their unit) |
| issue the minutes with the decisions, cancel | handler, liaison or leader of the convener |
| report an action item done | handler, liaison or leader of the item's responsible unit |

Seeing: the convener, the invited units, the units an action item is assigned to, and the
county-wide units (command centre, justice bureau, county government).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.disputes.access import PARTY_KINDS, PARTY_ROLES, require_business
from xiezhi.coordination.models import ActionItem, Meeting, MeetingSeries
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied

__all__ = ["require_business"]


def visible_to(actor: Actor) -> QuerySet[Meeting]:
    qs = Meeting.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    unit = actor.unit.pk
    ids = Meeting.objects.filter(
        Q(convener_id=unit) | Q(invited_units=unit) | Q(items__responsible_id=unit)
    ).values("pk")
    return qs.filter(pk__in=ids)


def series_visible_to(actor: Actor) -> QuerySet[MeetingSeries]:
    qs = MeetingSeries.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    ids = MeetingSeries.objects.filter(Q(convener_id=actor.unit.pk) | Q(invited_units=actor.unit.pk)).values(
        "pk"
    )
    return qs.filter(pk__in=ids)


def access_meeting(actor: Actor, pk: int | str) -> Meeting:
    require_business(actor)
    try:
        return (
            visible_to(actor).select_related("convener", "series", "clue_report", "minutes").get(pk=int(pk))
        )
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise NotFound("会商会议不存在或您无权访问") from None


def access_item(actor: Actor, meeting: Meeting, number: int | str) -> ActionItem:
    try:
        return meeting.items.select_related("responsible").get(number=int(number))  # type: ignore[attr-defined,no-any-return]
    except (ActionItem.DoesNotExist, ValueError, TypeError):
        raise NotFound("议定事项不存在") from None


def can_see(actor: Actor, meeting: Meeting) -> bool:
    return visible_to(actor).filter(pk=meeting.pk).exists()


def can_convene(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in PARTY_KINDS
        and actor.has_role(*PARTY_ROLES)
    )


def can_minute(actor: Actor, m: Meeting) -> bool:
    return actor.can_act_in_business and actor.unit_id == m.convener_id and actor.has_role(*PARTY_ROLES)


def can_finish(actor: Actor, item: ActionItem) -> bool:
    return actor.can_act_in_business and actor.unit_id == item.responsible_id and actor.has_role(*PARTY_ROLES)


CONVENE_MESSAGE = "只有乡镇（街道）或县级部门的承办人、联络员或负责人可以召集会商会议（R-CO-01）"
MINUTE_MESSAGE = "只有召集单位的承办人、联络员或负责人可以印发纪要或取消会议"
FINISH_MESSAGE = "只能由责任单位的承办人、联络员或负责人报告本单位议定事项的落实情况"


def require_convene(actor: Actor) -> None:
    require_business(actor)
    if not can_convene(actor):
        raise PermissionDenied(CONVENE_MESSAGE)


def require_minute(actor: Actor, m: Meeting) -> None:
    if not can_minute(actor, m):
        raise PermissionDenied(MINUTE_MESSAGE)


def require_finish(actor: Actor, item: ActionItem) -> None:
    if not can_finish(actor, item):
        raise PermissionDenied(FINISH_MESSAGE)
