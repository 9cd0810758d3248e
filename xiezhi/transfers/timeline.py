"""Shared steps of every transfer service: the timeline row, the state check, notices."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict
from xiezhi.documents.models import IssuedDocument
from xiezhi.notifications.services import notify
from xiezhi.rulebook.workflows import TRANSFER, TransitionNotAllowed
from xiezhi.transfers.models import Transfer, TransferEvent
from xiezhi.units.models import Person, Unit


def conflict(transfer_id: int, action: str, message: str | None = None) -> Conflict:
    """409 carrying the transfer's current state (read now: it is what the winner committed)."""
    current = Transfer.objects.filter(pk=transfer_id).values_list("status", flat=True).first() or ""
    label = TRANSFER.state_label(current)
    text = message or f"该移送当前状态为“{label}”，不能{TRANSFER.action_label(action)}，请刷新后查看"
    return Conflict(text, details={"status": current, "status_label": label})


def next_state(transfer: Transfer, action: str) -> str:
    try:
        return TRANSFER.next_state(transfer.status, action)
    except TransitionNotAllowed as exc:
        raise conflict(transfer.pk, action, exc.message) from None


def actor_name(actor: Actor | None) -> str:
    if actor is None or actor.user is None:
        return "系统"
    return (actor.person.name if actor.person else actor.user.get_username())[:100]


def add_event(
    transfer: Transfer,
    kind: str,
    label: str,
    actor: Actor | None,
    *,
    status_from: str = "",
    status_to: str = "",
    note: str = "",
    document: IssuedDocument | None = None,
    at: datetime | None = None,
) -> TransferEvent:
    return TransferEvent.objects.create(
        transfer=transfer,
        at=at or timezone.now(),
        kind=kind,
        label=label[:100],
        actor_name=actor_name(actor),
        unit_name=(actor.unit.name if actor is not None and actor.unit is not None else "")[:100],
        status_from=status_from,
        status_to=status_to,
        note=note,
        document=document,
    )


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
