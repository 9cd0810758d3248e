"""Reading the audit trail: only the audit administrator (LAW.md rule 70, 三员分立)."""

from __future__ import annotations

from django.db.models import QuerySet

from xiezhi.accounts.models import AdminRole
from xiezhi.audit.models import AuditEvent
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied

DENIED = "审计日志仅限审计管理员查看"


def is_auditor(actor: Actor) -> bool:
    return actor.is_authenticated and actor.admin_role == AdminRole.AUDIT


def require_auditor(actor: Actor) -> None:
    """Everyone else gets 403, not 404: the audit pages exist for every signed-in user to know of;
    only their content is restricted."""
    if not is_auditor(actor):
        raise PermissionDenied(DENIED)


def events_for(actor: Actor) -> QuerySet[AuditEvent]:
    require_auditor(actor)
    # Newest first by event number; the chain position comes along for display.
    return AuditEvent.objects.select_related("link").order_by("-id")


def event_for(actor: Actor, event_id: int) -> AuditEvent:
    require_auditor(actor)
    event = AuditEvent.objects.select_related("link").filter(pk=event_id).first()
    if event is None:
        raise NotFound("审计事件不存在")
    return event
