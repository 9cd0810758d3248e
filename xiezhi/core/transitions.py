"""The shared state step of every workflow record: a conditional UPDATE on the status the caller
read (zero rows → 409 Conflict, nothing written) and the Chinese Conflict message built from the
workflow's labels. Timeline rows written next to each step: `core.timeline`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from xiezhi.core.errors import Conflict
from xiezhi.rulebook.workflows import TransitionNotAllowed, Workflow


@dataclass(frozen=True)
class StatusFlow:
    """``model.status`` moved through ``workflow``.

    ``subject`` opens the Conflict message (“该争议当前状态为…”); ``label_in_details`` adds the
    state's label to the Conflict details (the older corrections records carry only the status)."""

    model: type[models.Model]
    workflow: Workflow
    subject: str
    label_in_details: bool = True

    def conflict(self, obj: models.Model | int, action: str, message: str | None = None) -> Conflict:
        """409 carrying the record's current state, read now: it is what the winner committed."""
        pk = obj.pk if isinstance(obj, models.Model) else obj
        current = self.model._default_manager.filter(pk=pk).values_list("status", flat=True).first() or ""
        label = self.workflow.state_label(current)
        text = (
            message
            or f"{self.subject}当前状态为“{label}”，不能{self.workflow.action_label(action)}，请刷新后查看"
        )
        details: dict[str, Any] = {"status": current}
        if self.label_in_details:
            details["status_label"] = label
        return Conflict(text, details=details)

    def next_state(self, obj: Any, action: str) -> str:
        """The state ``action`` leads to; refused → 409 with the workflow's own explanation."""
        try:
            return self.workflow.next_state(obj.status, action)
        except TransitionNotAllowed as exc:
            raise self.conflict(obj, action, exc.message) from None

    def move(
        self, obj: Any, action: str, new: str, *, guard: Mapping[str, Any] | None = None, **columns: Any
    ) -> str:
        """UPDATE … SET status=new WHERE status=<what obj shows> (and ``guard``); returns the old status.

        The instance is brought up to date only when the row moved."""
        old = obj.status
        if not self.model._default_manager.filter(pk=obj.pk, status=old, **(guard or {})).update(
            status=new, **columns
        ):
            raise self.conflict(obj, action)
        obj.status = new
        for key, value in columns.items():
            setattr(obj, key, value)
        return old

    def step(self, obj: Any, action: str, **columns: Any) -> str:
        """`next_state` then `move`, any refusal answered with the plain state message."""
        try:
            new = self.workflow.next_state(obj.status, action)
        except TransitionNotAllowed:
            raise self.conflict(obj, action) from None
        return self.move(obj, action, new, **columns)
