"""Who sees and who acts on shared information; the same 404 for missing and invisible.

| step | who |
|---|---|
| form, share, attach (own unit's records only) | handler, liaison or leader of a township, department, command centre or justice bureau |
| extend the sharing time limit (R-SH-02, with a reason) | a leader of the sending unit, or a supervisor of its duty (deadlines rules) |
| confirm reading | any business member of a receiving unit |
| subscribe (own unit) | handler, liaison or leader of a sharing unit |

Seeing: the sender (drafts included), the recipients once shared, and the county-wide units
(command centre, justice bureau, county government) once shared.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xiezhi.coordination.models import SharedRecord
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.units.models import UnitKind

SENDER_ROLES = ("handler", "liaison", "leader")
SENDER_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT, UnitKind.COMMAND_CENTRE, UnitKind.JUSTICE_BUREAU)


def require_business(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business or actor.unit is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看或共享执法信息")


def visible_to(actor: Actor) -> QuerySet[SharedRecord]:
    qs = SharedRecord.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    own = Q(sender_id=actor.unit.pk)
    if actor.is_county_wide:
        return qs.filter(own | Q(county_id=actor.unit.county_id, status="shared"))
    received = Q(status="shared", pk__in=received_ids(actor))
    return qs.filter(own | received)


def unit_pk(actor: Actor) -> int:
    """The actor's unit id, 0 (no unit) for an actor without one: such an actor matches no row."""
    return actor.unit_id or 0


def received_ids(actor: Actor) -> QuerySet[SharedRecord]:
    return SharedRecord.objects.filter(recipients__unit_id=unit_pk(actor)).values("pk")  # type: ignore[return-value]


def access_record(actor: Actor, pk: int | str) -> SharedRecord:
    require_business(actor)
    try:
        return visible_to(actor).select_related("sender").get(pk=int(pk))
    except (SharedRecord.DoesNotExist, ValueError, TypeError):
        raise NotFound("共享信息不存在或您无权访问") from None


def can_see(actor: Actor, record: SharedRecord) -> bool:
    return visible_to(actor).filter(pk=record.pk).exists()


def can_form(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in SENDER_KINDS
        and actor.has_role(*SENDER_ROLES)
    )


FORM_MESSAGE = "只有乡镇（街道）、县级部门、指挥中心或司法局的承办人、联络员、负责人可以共享信息"


def require_can_form(actor: Actor) -> None:
    if not can_form(actor):
        raise PermissionDenied(FORM_MESSAGE)


def is_sender(actor: Actor, r: SharedRecord) -> bool:
    return actor.can_act_in_business and actor.unit_id == r.sender_id


def can_share(actor: Actor, r: SharedRecord) -> bool:
    return is_sender(actor, r) and actor.has_role(*SENDER_ROLES)


def can_read(actor: Actor, r: SharedRecord) -> bool:
    return (
        actor.can_act_in_business
        and r.status == "shared"
        and r.recipients.filter(unit_id=unit_pk(actor)).exists()  # type: ignore[attr-defined]
    )


def require_own_unit(actor: Actor, sender: object) -> None:
    """A record is formed and shared only in the actor's own unit's name."""
    if sender in (None, ""):
        return
    if str(getattr(sender, "pk", sender)).strip() != str(actor.unit_id):
        raise PermissionDenied("只能以本单位名义登记和共享信息，不能代其他单位操作")


def require_sender(actor: Actor, r: SharedRecord) -> None:
    if not can_share(actor, r):
        raise PermissionDenied("只有发送单位的承办人、联络员或负责人可以办理该共享信息")
