"""Issuing official documents: validate → number → render → store → record → audit.

Callers (transfers, disputes, catalogue) call `issue_document` from inside their own service
transaction, after their own permission checks; the number is taken in that transaction, so a
failure anywhere rolls the number back and leaves no gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from xiezhi.documents import storage
from xiezhi.documents.docx_render import render_docx
from xiezhi.documents.kinds import spec_for
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.numbering import format_number, next_number
from xiezhi.documents.pdf_render import render_pdf
from xiezhi.documents.render import layout_for
from xiezhi.documents.specs import validate
from xiezhi.units.models import Section, Unit


def check_issuer(actor: Actor, unit: Any) -> Unit:
    """The issuer must be a unit (never an internal section, R-TR-01) that the actor may sign for:
    their own unit, or — for county-wide units preparing documents for others, such as an
    entrustment letter in a department's name — any unit of their county."""
    if isinstance(unit, Section):
        raise ValidationFailed.field(
            "unit", f"“{unit}”是内设机构，文书须以单位名义制发，内设机构不能作为发文单位"
        )
    if not isinstance(unit, Unit) or unit.pk is None:
        raise ValidationFailed.field("unit", "发文单位须为已登记的单位")
    if not unit.active:
        raise ValidationFailed.field("unit", f"“{unit.name}”已停用，不能制发文书")
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business:
        raise PermissionDenied("管理员账号不办理执法业务，不能制发文书")
    if actor.unit_id != unit.pk and not (actor.is_county_wide and actor.county_id == unit.county_id):
        raise PermissionDenied("只能以本单位名义制发文书")
    return unit


def issue_document(
    actor: Actor,
    *,
    doc_type: str,
    unit: Unit,
    subject: models.Model,
    data: Mapping[str, Any],
    issued_on: date | None = None,
) -> IssuedDocument:
    """Issue one document of `doc_type` in `unit`'s name for `subject` (any saved model instance).

    Raises ValidationFailed (422) listing missing fields, PermissionDenied (403) when the actor
    may not sign for the unit. `issued_on` (成文日期) defaults to today in Asia/Shanghai."""
    spec = spec_for(doc_type)
    issuer = check_issuer(actor, unit)
    if not isinstance(subject, models.Model) or subject.pk is None:
        raise ValidationFailed.field("subject", "文书须属于一个已保存的业务对象")
    clean = validate(spec, data)
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        serial = next_number(issuer, doc_type, issued_on.year)
        number = format_number(issuer, doc_type, issued_on.year, serial)
        layout = layout_for(doc_type, clean, number, issuer=issuer.name, issued_on=issued_on)
        docx = storage.store(render_docx(layout), "docx")
        pdf = storage.store(render_pdf(layout), "pdf")
        doc = IssuedDocument.objects.create(
            doc_type=doc_type,
            number=number,
            year=issued_on.year,
            serial=serial,
            unit=issuer,
            issuer_name=issuer.name,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            title=layout.title,
            data=clean,
            docx_sha256=docx.sha256,
            pdf_sha256=pdf.sha256,
            docx_path=docx.path,
            pdf_path=pdf.path,
            docx_size=docx.size,
            pdf_size=pdf.size,
            issued_by=actor.person,
            issued_by_name=str(actor)[:100],
            issued_on=issued_on,
            issued_at=timezone.now(),
        )
        record(
            actor,
            "document.issued",
            doc,
            after={
                "doc_type": doc_type,
                "number": number,
                "unit_id": issuer.pk,
                "subject": f"{doc.subject_type.app_label}.{doc.subject_type.model}:{doc.subject_id}",
                "docx_sha256": docx.sha256,
                "pdf_sha256": pdf.sha256,
            },
        )
    return doc
