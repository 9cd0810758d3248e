"""Reads of issued documents, scoped to what the actor may see."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from xiezhi.core.actor import Actor
from xiezhi.documents.access import can_read
from xiezhi.documents.models import IssuedDocument


def documents_for(actor: Actor, subject: models.Model) -> list[IssuedDocument]:
    """The documents issued for `subject` that `actor` may read, newest first (for detail pages)."""
    qs = IssuedDocument.objects.select_related("unit", "subject_type").filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )
    return [doc for doc in qs if can_read(actor, doc)]
