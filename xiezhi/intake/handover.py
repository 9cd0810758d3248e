"""A township's hand-on goes out as a transfer (the transfers app): a draft in the township's name with
the report's text as the facts and its attachments as complaint material. The township then completes,
approves and sends it there (R-TR-*). Without a confirmed matter there can be no transfer letter, so the
hand-on is only recorded in intake."""

from __future__ import annotations

from xiezhi.catalogue.models import Matter
from xiezhi.core.actor import Actor
from xiezhi.core.files import INTAKE_ATTACHMENTS as ATTACHMENTS
from xiezhi.intake.models import Report
from xiezhi.units.models import Unit


def pending_transfer(report: Report) -> int | None:
    """The report's transfer while it is still open (draft … sent, awaiting the receiver's reply)."""
    from xiezhi.transfers.models import OPEN_STATES, Transfer

    if report.transfer_id is None:
        return None
    open_ = Transfer.objects.filter(pk=report.transfer_id, status__in=OPEN_STATES).exists()
    return report.transfer_id if open_ else None


def draft_transfer(actor: Actor, report: Report, target: Unit, reason: str, party: str = "") -> int | None:
    """The id of the draft transfer created, or None when the report has no catalogue matter yet."""
    from xiezhi.transfers import services as transfers

    matter = (
        Matter.objects.filter(county_id=report.county_id, code=report.matter_code).first()
        if report.matter_code
        else None
    )
    if matter is None:
        return None
    t = transfers.create_transfer(
        actor,
        {
            "receiver": target.pk,
            "matter": matter.pk,
            "township": report.township_id,
            "party": (party.strip() or f"待查明（见投诉举报{report.pk}）")[:200],
            "location": (report.address or report.township.name)[:300],
            "facts": report.text,
            "legal_basis": reason[:2000],
            "discovered_at": (report.observed_at or report.created_at).isoformat(),
            "source_reference": f"投诉举报{report.pk}",
            "urgency": "normal",
        },
    )
    for item in report.attachments.all():
        content = ATTACHMENTS.read_verified(item.path, item.sha256)
        transfers.add_material(
            actor, t, kind="complaint", title=f"投诉举报材料：{item.name}", name=item.name, content=content
        )
    return int(t.pk)
