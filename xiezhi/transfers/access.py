"""Who may do what with a transfer, and lookups by id (the same 404 for missing and invisible).

| action | who |
|---|---|
| prepare (create, edit, upload, submit, oral transfer, cancel a draft) | handler, liaison or leader of the sending unit |
| approve / return / complete written formalities / withdraw | a **leader** of the sending unit (R-TR-06) |
| accept / decline | a leader or the liaison of the receiving unit (R-TR-08) |
| read a copy notice | any member of the copied unit |
| see | see `selectors.visible_to` |

Only townships and county departments send and receive transfers; administrators (三员) never act.
"""

from __future__ import annotations

from typing import Literal

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.transfers.models import CopyNotice, Transfer
from xiezhi.transfers.selectors import visible_to
from xiezhi.units.models import UnitKind

PREPARER_ROLES = ("handler", "liaison", "leader")
REPLIER_ROLES = ("leader", "liaison")
SENDING_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)

Action = Literal["view", "prepare", "approve", "reply"]


def require_business(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business or actor.unit is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看或办理案件移送")


def can_prepare_in(actor: Actor) -> bool:
    """Whether the actor may prepare transfers in their own unit's name."""
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in SENDING_KINDS
        and actor.has_role(*PREPARER_ROLES)
    )


def can_prepare(actor: Actor, transfer: Transfer) -> bool:
    return can_prepare_in(actor) and actor.unit_id == transfer.sender_id


def can_approve(actor: Actor, transfer: Transfer) -> bool:
    return actor.can_act_in_business and actor.unit_id == transfer.sender_id and actor.has_role("leader")


def can_reply(actor: Actor, transfer: Transfer) -> bool:
    return (
        actor.can_act_in_business and actor.unit_id == transfer.receiver_id and actor.has_role(*REPLIER_ROLES)
    )


def require_prepare(actor: Actor, transfer: Transfer) -> None:
    if not can_prepare(actor, transfer):
        raise PermissionDenied("只有移送单位的承办人、联络员或负责人可以办理该移送")


def require_approve(actor: Actor, transfer: Transfer) -> None:
    if not can_approve(actor, transfer):
        raise PermissionDenied("移送须经移送单位负责人批准，您不是该单位的负责人（R-TR-06）")


def require_reply(actor: Actor, transfer: Transfer) -> None:
    if not can_reply(actor, transfer):
        raise PermissionDenied("只有接收单位的负责人或联络员可以答复是否受理（R-TR-08）")


def access_transfer(actor: Actor, pk: int | str, action: Action = "view") -> Transfer:
    require_business(actor)
    try:
        transfer = (
            visible_to(actor).select_related("sender", "receiver", "township", "matter").get(pk=int(pk))
        )
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound("移送不存在或您无权访问") from None
    if action == "prepare":
        require_prepare(actor, transfer)
    elif action == "approve":
        require_approve(actor, transfer)
    elif action == "reply":
        require_reply(actor, transfer)
    return transfer


def can_see(actor: Actor, transfer: Transfer) -> bool:
    """For the documents app: may the actor read documents issued for this transfer?"""
    return visible_to(actor).filter(pk=transfer.pk).exists()


def access_copy_notice(actor: Actor, pk: int | str) -> CopyNotice:
    """A copy notice addressed to the actor's unit (others: 404)."""
    require_business(actor)
    try:
        return CopyNotice.objects.select_related("transfer", "unit").get(
            pk=int(pk), unit_id=actor.unit_id or 0
        )
    except (CopyNotice.DoesNotExist, ValueError, TypeError):
        raise NotFound("抄告不存在或您无权访问") from None
