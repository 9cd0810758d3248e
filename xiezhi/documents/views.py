"""Download pages: /documents/<id>/docx and /documents/<id>/pdf (signed-in users; the same 404
page for missing and not visible)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from xiezhi.core.web import page_view_with, request_actor
from xiezhi.documents.files import Format, download

# Signed-in pages; a refusal becomes the documents error page with the same status code.
document_page = page_view_with(template="documents/error.html")


def _serve(request: HttpRequest, pk: int, fmt: Format) -> HttpResponse:
    return download(request_actor(request), pk, fmt)


@document_page
@require_GET
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "docx")


@document_page
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "pdf")
