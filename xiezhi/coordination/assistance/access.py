"""Who sees and who acts on assistance requests and hazard notices; the same 404 for missing and
invisible.

| step | who |
|---|---|
| request assistance (R-CO-04/05) | handler, liaison or leader of a township or department, in its own unit's name |
| send officers, answer in writing | handler, liaison or leader of the assisting unit |
| tell of a long procedure (extends the duty) / refuse | a leader of the assisting unit |
| withdraw; open a dispute from a refusal | handler, liaison or leader of the requester |
| notify a hazard (R-CO-02) | handler, liaison or leader of a township |
| send officers / close | handler, liaison or leader of the department (close: also the township) |
| refuse to send officers | a leader of the department |

Seeing: the two units, the township's justice office, and the county-wide units (command
centre, justice bureau, county government).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.coordination.disputes.access import PARTY_KINDS, PARTY_ROLES, require_business
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.units.models import UnitKind

__all__ = ["PARTY_KINDS", "PARTY_ROLES", "require_business"]

M = TypeVar("M", bound=Model)


def own_ids(actor: Actor) -> list[int]:
    assert actor.unit is not None
    ids = [actor.unit.pk]
    if actor.unit.kind == UnitKind.JUSTICE_OFFICE:
        ids += townships_of(actor.unit)
    return ids


def party_visible(qs: QuerySet[M], actor: Actor, *parties: str) -> QuerySet[M]:
    """Records of the county for county-wide units; otherwise those where the actor's unit (or, for a
    justice office, one of its townships) is one of the `parties` (unit foreign keys)."""
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    ids = own_ids(actor)
    either = Q()
    for party in parties:
        either |= Q(**{f"{party}_id__in": ids})
    return qs.filter(either)


def visible_requests(actor: Actor) -> QuerySet[AssistanceRequest]:
    return party_visible(AssistanceRequest.objects.all(), actor, "requester", "assisting")


def visible_hazards(actor: Actor) -> QuerySet[HazardNotice]:
    return party_visible(HazardNotice.objects.all(), actor, "township", "department")


def access_request(actor: Actor, pk: int | str) -> AssistanceRequest:
    require_business(actor)
    try:
        return visible_requests(actor).select_related("requester", "assisting", "reply").get(pk=int(pk))
    except (AssistanceRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("协助请求不存在或您无权访问") from None


def access_hazard(actor: Actor, pk: int | str) -> HazardNotice:
    require_business(actor)
    try:
        return visible_hazards(actor).select_related("township", "department", "government").get(pk=int(pk))
    except (HazardNotice.DoesNotExist, ValueError, TypeError):
        raise NotFound("隐患通报不存在或您无权访问") from None


def can_see_request(actor: Actor, r: AssistanceRequest) -> bool:
    return visible_requests(actor).filter(pk=r.pk).exists()


def can_see_hazard(actor: Actor, h: HazardNotice) -> bool:
    return visible_hazards(actor).filter(pk=h.pk).exists()


def _member(actor: Actor, unit_id: int | None, *roles: str) -> bool:
    return (
        actor.can_act_in_business
        and unit_id is not None
        and actor.unit_id == unit_id
        and actor.has_role(*roles)
    )


def can_request(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in PARTY_KINDS
        and actor.has_role(*PARTY_ROLES)
    )


def can_notify_hazard(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind == UnitKind.TOWNSHIP
        and actor.has_role(*PARTY_ROLES)
    )


REQUEST_CHECKS = {
    "dispatch": lambda a, r: _member(a, r.assisting_id, *PARTY_ROLES),
    "answer": lambda a, r: _member(a, r.assisting_id, *PARTY_ROLES),
    "delay": lambda a, r: _member(a, r.assisting_id, "leader"),
    "refuse": lambda a, r: _member(a, r.assisting_id, "leader"),
    "withdraw": lambda a, r: _member(a, r.requester_id, *PARTY_ROLES),
    "dispute": lambda a, r: _member(a, r.requester_id, *PARTY_ROLES),
}
REQUEST_MESSAGES = {
    "dispatch": "只有被请求单位的承办人、联络员或负责人可以登记派员到场",
    "answer": "只有被请求单位的承办人、联络员或负责人可以书面答复",
    "delay": "告知需较长时间并延长答复期限须由被请求单位负责人决定（R-CO-05）",
    "refuse": "拒绝协助须由被请求单位负责人决定并说明理由",
    "withdraw": "只有请求单位可以撤回协助请求",
    "dispute": "只有请求单位可以就拒绝协助提起争议",
}
HAZARD_CHECKS = {
    "dispatch": lambda a, h: _member(a, h.department_id, *PARTY_ROLES),
    "refuse": lambda a, h: _member(a, h.department_id, "leader"),
    "close": lambda a, h: (
        _member(a, h.department_id, *PARTY_ROLES)
        or _member(a, h.township_id, *PARTY_ROLES)
        or (h.status in ("reported", "refused") and _member(a, h.government_id, *PARTY_ROLES))
    ),
}
HAZARD_MESSAGES = {
    "dispatch": "只有被通报的主管部门可以登记派员到场（R-CO-02）",
    "refuse": "拒绝派员须由主管部门负责人决定并说明理由（R-CO-02）",
    "close": "只有通报乡镇、主管部门（或报告的县政府）可以登记处置完毕",
}


def may_request(actor: Actor, r: AssistanceRequest, what: str) -> bool:
    return bool(REQUEST_CHECKS[what](actor, r))


def may_hazard(actor: Actor, h: HazardNotice, what: str) -> bool:
    return bool(HAZARD_CHECKS[what](actor, h))
