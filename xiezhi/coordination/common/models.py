"""The columns every coordination timeline row has (abstract: each record keeps its own table)."""

from __future__ import annotations

from typing import Any

from django.db import models

from xiezhi.documents.models import IssuedDocument


class TimelineEvent(models.Model):
    """One line of a record's timeline; subclasses add the foreign key to their record
    (``related_name="events"``, which `core.timeline.add_event` writes through)."""

    at = models.DateTimeField("时间")
    kind = models.CharField("事件", max_length=30)
    label = models.CharField("说明", max_length=200)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    unit_name = models.CharField("操作单位", max_length=100, blank=True)
    note = models.TextField("内容", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.label


class StatusEvent(TimelineEvent):
    """A timeline row that records the status move it belongs to."""

    status_from = models.CharField("原状态", max_length=20, blank=True)
    status_to = models.CharField("新状态", max_length=20, blank=True)

    class Meta(TimelineEvent.Meta):
        abstract = True


def document_link() -> Any:
    """The document a step issued (minutes, letters), on the rows of records that issue them."""
    return models.ForeignKey(
        IssuedDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="文书"
    )
