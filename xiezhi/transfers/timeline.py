"""Shared steps of every transfer service: the timeline row, the state check, notices."""

from __future__ import annotations

from typing import Any

from xiezhi.core import timeline
from xiezhi.core.actor import Actor
from xiezhi.core.transitions import StatusFlow
from xiezhi.notifications.services import notify
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.transfers.models import Transfer, TransferEvent
from xiezhi.units.models import Person, Unit

# “该移送当前状态为…，请刷新后查看”, with the current status and its label in the details.
STATE = StatusFlow(Transfer, TRANSFER, "该移送")


def actor_name(actor: Actor | None) -> str:
    if actor is None or actor.user is None:
        return "系统"
    return (actor.person.name if actor.person else actor.user.get_username())[:100]


def add_event(transfer: Transfer, kind: str, label: str, actor: Actor | None, **fields: Any) -> TransferEvent:
    """A timeline row naming the actor as transfers always have (an account without a person: its login)."""
    event: TransferEvent = timeline.add_event(
        transfer.events, kind, label, actor, name=actor_name(actor), **fields
    )
    return event


def tell_unit(unit: Unit, transfer: Transfer, key: str, title: str, body: str = "") -> None:
    notify(
        title=title[:200],
        body=body or title,
        dedupe_key=f"transfer:{transfer.pk}:{key}:u{unit.pk}",
        unit=unit,
        url=transfer.get_absolute_url(),
        kind="transfer",
    )


def tell_person(person: Person, transfer: Transfer, key: str, title: str, body: str = "") -> None:
    notify(
        title=title[:200],
        body=body or title,
        dedupe_key=f"transfer:{transfer.pk}:{key}:p{person.pk}",
        person=person,
        url=transfer.get_absolute_url(),
        kind="transfer",
    )


def leaders_of(unit: Unit) -> list[Person]:
    return list(Person.objects.filter(unit=unit, active=True, roles__role="leader").distinct())
