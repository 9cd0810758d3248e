"""The API shapes every coordination record's detail repeats: its clocks and its timeline."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from xiezhi.deadlines.selectors import for_subject


def obligations_of(obj: models.Model) -> list[dict[str, Any]]:
    """The record's obligations (every status), oldest first."""
    ct = ContentType.objects.get_for_model(type(obj))
    return [
        {
            "id": ob.pk,
            "rule_id": ob.rule_id,
            "unit": ob.unit.name,
            "period": ob.period,
            "due_at": ob.due_at.isoformat(),
            "status": ob.status,
        }
        for ob in for_subject(ct.pk, str(obj.pk)).select_related("unit").order_by("opened_at", "pk")
    ]


def timeline_of(events: Any, *, document: bool = True) -> list[dict[str, Any]]:
    """The rows of ``events`` (a related manager) in order; ``document=False`` for the records whose
    API never carried a ``document_id`` (joint operations, shared information)."""
    rows = []
    for e in events.order_by("at", "id"):
        row = {
            "at": e.at.isoformat(),
            "kind": e.kind,
            "label": e.label,
            "actor": e.actor_name,
            "unit": e.unit_name,
            "note": e.note,
        }
        if document:
            row["document_id"] = getattr(e, "document_id", None)
        rows.append(row)
    return rows
