"""Looking up one obligation for an actor, and who may approve what on it."""

from __future__ import annotations

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.selectors import visible_to
from xiezhi.units.models import UnitKind


def access_obligation(actor: Actor, pk: int | str) -> Obligation:
    """The obligation if the actor may see it; the same NotFound whether missing or invisible."""
    try:
        return visible_to(actor).get(pk=int(pk))
    except (Obligation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def is_supervisor_of(actor: Actor, ob: Obligation) -> bool:
    """A supervising unit of the responsible unit, acting in a supervising role: the county's
    justice bureau (supervisor/leader) and command centre (dispatcher/leader) for every unit, and
    a township's justice office (supervisor/leader) for that township."""
    unit = actor.unit
    if (
        unit is None
        or not actor.can_act_in_business
        or unit.county_id != ob.unit.county_id
        or unit.pk == ob.unit_id
    ):
        return False
    if unit.kind == UnitKind.JUSTICE_BUREAU:
        return actor.has_role("supervisor", "leader")
    if unit.kind == UnitKind.COMMAND_CENTRE:
        return actor.has_role("dispatcher", "leader")
    if unit.kind == UnitKind.JUSTICE_OFFICE:
        return actor.has_role("supervisor", "leader") and ob.unit_id in townships_of(unit)
    return False


def can_approve_change(actor: Actor, ob: Obligation) -> bool:
    """Extension, suspension, resumption: a leader of the responsible unit or a supervisor."""
    own_leader = actor.can_act_in_business and actor.unit_id == ob.unit_id and actor.has_role("leader")
    return own_leader or is_supervisor_of(actor, ob)


def can_waive(actor: Actor, ob: Obligation) -> bool:
    """Waiving removes the duty from the on-time rate, so the unit may not waive its own duty:
    only a supervisor may (the app whose process ends the duty waives it `by_process`)."""
    return is_supervisor_of(actor, ob)
