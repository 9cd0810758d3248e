"""Serving an issued document's DOCX or PDF, shared by the pages and the API."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import XiezhiError
from xiezhi.documents.access import access_document
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.storage import TamperedFile, read_verified

Format = Literal["docx", "pdf"]

CONTENT_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class DocumentTampered(XiezhiError):
    status = 500
    code = "document_integrity"
    default_message = "文书文件与签发时记录的哈希值不一致，已停止提供下载，请联系系统管理员核查"


def filename(doc: IssuedDocument, fmt: Format) -> str:
    return f"{doc.number}{doc.title}.{fmt}"


def download(actor: Actor, pk: int, fmt: Format) -> HttpResponse:
    doc = access_document(actor, pk)
    path, digest = (doc.docx_path, doc.docx_sha256) if fmt == "docx" else (doc.pdf_path, doc.pdf_sha256)
    try:
        content = read_verified(path, digest)
    except (TamperedFile, FileNotFoundError):
        record(actor, "document.integrity_failed", doc, after={"format": fmt, "path": path}, success=False)
        raise DocumentTampered() from None
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename(doc, fmt)
    )
    response["X-Content-SHA256"] = digest
    response["Cache-Control"] = "private, no-store"
    return response
