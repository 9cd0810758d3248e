"""The timeline row every workflow record writes next to its audit event: when, what, who, from which
unit, and (where the model has them) the status move, a note and the document issued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from xiezhi.core.actor import Actor

SYSTEM = "系统"


def actor_name(actor: Actor) -> str:
    """The name a record keeps of who acted (the person, else the account), cut to the column."""
    return (actor.person.name if actor.person else str(actor))[:100]


def unit_name(actor: Actor | None) -> str:
    return (actor.unit.name if actor is not None and actor.unit is not None else "")[:100]


def add_event(
    events: Any,
    kind: str,
    label: str,
    actor: Actor | None,
    *,
    at: datetime | None = None,
    name: str | None = None,
    **fields: Any,
) -> Any:
    """Append a row through the record's related manager (``record.events``).

    ``label`` is cut to the model's column; ``name`` overrides the actor's name (no actor: “系统”);
    ``fields`` are the model's optional columns (status_from, status_to, note, document)."""
    limit = events.model._meta.get_field("label").max_length
    if name is None:
        name = actor_name(actor) if actor is not None else SYSTEM
    return events.create(
        at=at or timezone.now(),
        kind=kind,
        label=label[:limit],
        actor_name=name,
        unit_name=unit_name(actor),
        **fields,
    )
