from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.urls import reverse
from ninja import Schema

from xiezhi.documents.models import IssuedDocument


class DocumentOut(Schema):
    id: int
    doc_type: str
    doc_type_label: str
    number: str
    title: str
    unit_id: int
    issuer_name: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    docx_sha256: str
    pdf_sha256: str
    docx_size: int
    pdf_size: int
    issued_by_name: str
    issued_on: date
    issued_at: datetime
    docx_url: str
    pdf_url: str


def document_out(doc: IssuedDocument) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "doc_type": doc.doc_type,
        "doc_type_label": doc.get_doc_type_display(),
        "number": doc.number,
        "title": doc.title,
        "unit_id": doc.unit_id,
        "issuer_name": doc.issuer_name,
        "subject_type": f"{doc.subject_type.app_label}.{doc.subject_type.model}",
        "subject_id": doc.subject_id,
        "data": doc.data,
        "docx_sha256": doc.docx_sha256,
        "pdf_sha256": doc.pdf_sha256,
        "docx_size": doc.docx_size,
        "pdf_size": doc.pdf_size,
        "issued_by_name": doc.issued_by_name,
        "issued_on": doc.issued_on,
        "issued_at": doc.issued_at,
        "docx_url": reverse("api:document_docx", kwargs={"pk": doc.pk}),
        "pdf_url": reverse("api:document_pdf", kwargs={"pk": doc.pk}),
    }
