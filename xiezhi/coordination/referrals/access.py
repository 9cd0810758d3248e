"""Who sees and who acts on criminal referrals, penalties and police support requests (R-CR-02).

| step | who |
|---|---|
| report a suspicion (case team of ≥ 2 certified officers) | handler or leader of a township or department |
| approve / not approve | a leader (the principal head) of the transferring unit |
| transfer, accept a decline, ask reconsideration or supervision, hand over | handler or leader of the transferring unit |
| sign receipt, forward, file / decline, decide reconsideration | leader, handler or liaison of the police unit addressed |
| filing supervision outcome | leader or handler of the county's procuratorate |
| record a penalty decision, ask for police support | handler or leader of a township or department |
| respond to a support request | leader, handler or liaison of the police unit addressed |

Seeing a referral: the transferring unit and its justice office; the police unit addressed, once
the case has been sent to it (never the internal approval stage); the county's procuratorate (all
referrals of its county: it supervises transfers and non-transfers); the county's court once the
police have decided (it is notified of outcomes); county-wide units. Same 404 for missing and
invisible.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.models import PenaltyDecision, PoliceSupportRequest, Referral
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.rulebook.referral_flow import OUTCOME_STATES, SENT_STATES
from xiezhi.units.models import UnitKind

UNIT_ROLES = ("handler", "leader")
POLICE_ROLES = ("leader", "handler", "liaison")
PROC_ROLES = ("leader", "handler")
ENFORCER_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)
JUSTICE_KINDS = (UnitKind.POLICE, UnitKind.PROCURATORATE, UnitKind.COURT)


def require_business(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business or actor.unit is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看或办理行刑衔接事项")


def _kind(actor: Actor) -> str:
    return actor.unit.kind if actor.unit is not None else ""


def _own_units(actor: Actor) -> list[int]:
    assert actor.unit is not None
    ids = [actor.unit.pk]
    if actor.unit.kind == UnitKind.JUSTICE_OFFICE:
        ids += townships_of(actor.unit)
    return ids


def visible_to(actor: Actor) -> QuerySet[Referral]:
    qs = Referral.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    unit = actor.unit
    if actor.is_county_wide:
        return qs.filter(county_id=unit.county_id)
    if unit.kind == UnitKind.POLICE:
        return qs.filter(police_id=unit.pk, status__in=SENT_STATES)
    if unit.kind == UnitKind.PROCURATORATE:
        return qs.filter(county_id=unit.county_id)
    if unit.kind == UnitKind.COURT:
        return qs.filter(county_id=unit.county_id, status__in=OUTCOME_STATES)
    return qs.filter(unit_id__in=_own_units(actor))


def access_referral(actor: Actor, pk: int | str) -> Referral:
    require_business(actor)
    try:
        return visible_to(actor).select_related("unit", "police", "matter", "procuratorate").get(pk=int(pk))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFound("移送案件不存在或您无权访问") from None


def can_see(actor: Actor, referral: Referral) -> bool:
    return visible_to(actor).filter(pk=referral.pk).exists()


def is_enforcer(actor: Actor) -> bool:
    return actor.can_act_in_business and _kind(actor) in ENFORCER_KINDS and actor.has_role(*UNIT_ROLES)


def can_act(actor: Actor, r: Referral, who: str) -> bool:
    """``who`` is the party of `referral_flow.ACTORS`."""
    if not actor.can_act_in_business or actor.unit is None:
        return False
    if who == "unit_head":
        return actor.unit_id == r.unit_id and actor.has_role("leader")
    if who == "unit":
        return actor.unit_id == r.unit_id and actor.has_role(*UNIT_ROLES)
    if who == "police":
        return actor.unit_id == r.police_id and actor.has_role(*POLICE_ROLES)
    if who == "procuratorate":
        return (
            actor.unit.kind == UnitKind.PROCURATORATE
            and actor.unit.county_id == r.county_id
            and actor.has_role(*PROC_ROLES)
        )
    return False


MESSAGES = {
    "unit_head": "只有移送机关的正职负责人可以作出是否批准移送的决定（310号第五条）",
    "unit": "只有移送机关的承办人或负责人可以办理该环节",
    "police": "只有接受移送的公安机关可以办理该环节",
    "procuratorate": "只有本县人民检察院可以办理立案监督",
}


def require(actor: Actor, r: Referral, who: str) -> None:
    if not can_act(actor, r, who):
        raise PermissionDenied(MESSAGES[who])


# --- penalties and support requests -------------------------------------------------------------


def penalties_visible_to(actor: Actor) -> QuerySet[PenaltyDecision]:
    qs = PenaltyDecision.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide or actor.unit.kind == UnitKind.PROCURATORATE:
        return qs.filter(county_id=actor.unit.county_id)
    return qs.filter(unit_id__in=_own_units(actor))


def supports_visible_to(actor: Actor) -> QuerySet[PoliceSupportRequest]:
    qs = PoliceSupportRequest.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    unit = actor.unit
    if actor.is_county_wide or unit.kind == UnitKind.PROCURATORATE:
        return qs.filter(county_id=unit.county_id)
    if unit.kind == UnitKind.POLICE:
        return qs.filter(police_id=unit.pk)
    return qs.filter(Q(unit_id__in=_own_units(actor)))


def access_support(actor: Actor, pk: int | str) -> PoliceSupportRequest:
    require_business(actor)
    try:
        return supports_visible_to(actor).select_related("unit", "police").get(pk=int(pk))
    except (PoliceSupportRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound("协助请求不存在或您无权访问") from None


def can_respond(actor: Actor, s: PoliceSupportRequest) -> bool:
    return actor.can_act_in_business and actor.unit_id == s.police_id and actor.has_role(*POLICE_ROLES)
