"""render(): validated data → (DOCX bytes, PDF bytes), both drawn from one `Layout`.

Pure apart from reading the font file: no database, no storage. The issuing service stores the
result; re-rendering a stored document from its `data`, number, issuer name and date gives the
same text again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from xiezhi.documents.docx_render import render_docx
from xiezhi.documents.kinds import spec_for
from xiezhi.documents.layout import Layout
from xiezhi.documents.pdf_render import render_pdf
from xiezhi.documents.specs import Context, build_layout, validate


def layout_for(
    doc_type: str, data: Mapping[str, Any], number: str, *, issuer: str, issued_on: date
) -> Layout:
    spec = spec_for(doc_type)
    clean = validate(spec, data)
    return build_layout(spec, clean, Context(issuer=issuer, issued_on=issued_on, number=number))


def render(
    doc_type: str, data: Mapping[str, Any], number: str, *, issuer: str, issued_on: date
) -> tuple[bytes, bytes]:
    """Validate `data` for `doc_type` (ValidationFailed lists what is missing) and render both files.

    `issuer` is the issuing unit's full name (版头 and signature); `issued_on` the 成文日期."""
    layout = layout_for(doc_type, data, number, issuer=issuer, issued_on=issued_on)
    return render_docx(layout), render_pdf(layout)
