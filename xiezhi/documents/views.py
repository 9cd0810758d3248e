"""Download pages: /documents/<id>/docx and /documents/<id>/pdf (signed-in users; the same 404
page for missing and not visible)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xiezhi.core.errors import XiezhiError
from xiezhi.documents.files import Format, download


def _serve(request: HttpRequest, pk: int, fmt: Format) -> HttpResponse:
    try:
        return download(request.actor, pk, fmt)  # type: ignore[attr-defined]
    except XiezhiError as exc:
        return render(request, "documents/error.html", {"error": exc}, status=exc.status)


@login_required
@require_GET
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "docx")


@login_required
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve(request, pk, "pdf")
