"""Which actions an actor may take on a transfer right now (pages show these buttons, the API lists them)."""

from __future__ import annotations

from xiezhi.core.actor import Actor
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.transfers import access
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.urgency import IMMEDIATE, URGENT

LABELS = {
    "edit": "修改",
    "upload": "上传材料",
    "submit": TRANSFER.action_label("submit"),
    "record_oral": TRANSFER.action_label("record_oral"),
    "cancel": TRANSFER.action_label("cancel"),
    "approve": TRANSFER.action_label("approve"),
    "return": TRANSFER.action_label("return"),
    "complete_formalities": TRANSFER.action_label("complete_formalities"),
    "accept": TRANSFER.action_label("accept"),
    "decline": TRANSFER.action_label("decline"),
    "withdraw": TRANSFER.action_label("withdraw"),
    "dispute": "提请争议协调",
}


def allowed_actions(actor: Actor, t: Transfer) -> list[str]:
    out: list[str] = []
    prepare, approve, reply = (
        access.can_prepare(actor, t),
        access.can_approve(actor, t),
        access.can_reply(actor, t),
    )
    if t.status == "draft" and prepare:
        out += ["edit", "upload", "submit"]
        if t.urgency in (URGENT, IMMEDIATE):
            out.append("record_oral")
        out.append("cancel")
    elif t.status == "pending_approval" and approve:
        out += ["approve", "return"]
    elif t.status == "oral_recorded":
        if prepare:
            out += ["edit", "upload"]
        if approve:
            out.append("complete_formalities")
    elif t.status == "sent":
        if reply:
            out += ["accept", "decline"]
        if approve:
            out.append("withdraw")
    elif t.status == "declined" and prepare:
        out.append("dispute")
    return out
