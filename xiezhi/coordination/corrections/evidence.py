"""Evidence sources for mutual recognition (证据互认, R-CO-07).

A source kind maps an origin id to the file it names, checked against what the citing actor may
see. Packages register their own kinds with `register_source` (a joint operation's findings will),
so a citation model never needs to know them. The transfer materials and intake attachments are
registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.intake.access import visible_to as visible_reports
from xiezhi.intake.models import Attachment
from xiezhi.transfers.models import TransferMaterial
from xiezhi.transfers.selectors import visible_to as visible_transfers
from xiezhi.units.models import Unit


@dataclass(frozen=True)
class EvidenceSource:
    kind: str
    origin_id: str
    unit: Unit
    label: str  # the source object, e.g. "移送 12：王某某涉嫌违法搭建"
    title: str  # the file, e.g. "现场照片"
    sha256: str
    url: str


@dataclass(frozen=True)
class SourceKind:
    label: str
    resolve: Callable[[Actor, str], EvidenceSource]  # NotFound when missing or not visible
    by_hash: Callable[[Actor, str], list[EvidenceSource]]  # the actor's visible files with that hash


SOURCES: dict[str, SourceKind] = {}


def register_source(kind: str, source: SourceKind) -> None:
    SOURCES[kind] = source


def kinds() -> list[tuple[str, str]]:
    return [(k, s.label) for k, s in SOURCES.items()]


def resolve(actor: Actor, kind: str, origin_id: str) -> EvidenceSource:
    source = SOURCES.get(kind)
    if source is None:
        raise NotFound(f"证据来源类型“{kind}”不存在")
    return source.resolve(actor, origin_id)


def find_by_hash(actor: Actor, sha256: str) -> list[EvidenceSource]:
    found: list[EvidenceSource] = []
    for source in SOURCES.values():
        found += source.by_hash(actor, sha256)
    return found


# --- built-in sources ------------------------------------------------------------------------------


def _material(actor: Actor, origin_id: str) -> EvidenceSource:
    m = (
        TransferMaterial.objects.select_related("transfer__sender")
        .filter(pk=int(origin_id) if origin_id.isdigit() else 0, transfer__in=visible_transfers(actor))
        .first()
    )
    if m is None or not m.sha256:
        raise NotFound("移送材料不存在或您无权访问")
    return _material_source(m)


def _material_source(m: TransferMaterial) -> EvidenceSource:
    t = m.transfer
    return EvidenceSource(
        kind="transfer_material",
        origin_id=str(m.pk),
        unit=t.sender,
        label=f"移送 {t.pk}：{t.party}",
        title=m.title,
        sha256=m.sha256,
        url=t.get_absolute_url(),
    )


def _materials_by_hash(actor: Actor, sha256: str) -> list[EvidenceSource]:
    qs = TransferMaterial.objects.select_related("transfer__sender").filter(
        sha256=sha256, transfer__in=visible_transfers(actor)
    )
    return [_material_source(m) for m in qs.order_by("pk")]


def _attachment_source(a: Attachment) -> EvidenceSource:
    r = a.report
    return EvidenceSource(
        kind="intake_attachment",
        origin_id=str(a.pk),
        unit=r.first_unit,
        label=f"投诉举报 {r.pk}",
        title=a.name,
        sha256=a.sha256,
        url=r.get_absolute_url(),
    )


def _attachment(actor: Actor, origin_id: str) -> EvidenceSource:
    a = (
        Attachment.objects.select_related("report__first_unit")
        .filter(pk=int(origin_id) if origin_id.isdigit() else 0, report__in=visible_reports(actor))
        .first()
    )
    if a is None:
        raise NotFound("投诉举报附件不存在或您无权访问")
    return _attachment_source(a)


def _attachments_by_hash(actor: Actor, sha256: str) -> list[EvidenceSource]:
    qs = Attachment.objects.select_related("report__first_unit").filter(
        Q(sha256=sha256), report__in=visible_reports(actor)
    )
    return [_attachment_source(a) for a in qs.order_by("pk")]


register_source("transfer_material", SourceKind("案件移送材料", _material, _materials_by_hash))
register_source("intake_attachment", SourceKind("投诉举报附件", _attachment, _attachments_by_hash))
