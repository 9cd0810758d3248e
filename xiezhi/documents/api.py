"""/api/v1/documents/: an issued document's metadata and its files (read-only; documents are
issued by the services of the apps they belong to)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from xiezhi.core.api import actor
from xiezhi.documents.access import access_document
from xiezhi.documents.files import download
from xiezhi.documents.schemas import DocumentOut, document_out

router = Router(tags=["执法文书 documents"])


@router.get("/{pk}", response=DocumentOut, summary="文书信息", url_name="document_detail")
def get_document(request: HttpRequest, pk: int) -> dict[str, Any]:
    return document_out(access_document(actor(request), pk))


@router.get("/{pk}/docx", summary="下载文书 DOCX", url_name="document_docx")
def get_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return download(actor(request), pk, "docx")


@router.get("/{pk}/pdf", summary="下载文书 PDF", url_name="document_pdf")
def get_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return download(actor(request), pk, "pdf")
