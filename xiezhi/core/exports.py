"""CSV and xlsx download responses shared by the list exports (the callers audit the export)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"


def attachment_response(
    content: bytes | str, content_type: str, filename: str, *, ascii_name: str | None = None
) -> HttpResponse:
    """A download; `ascii_name` is the plain fallback for clients that ignore the encoded Chinese name."""
    response = HttpResponse(content, content_type=content_type)
    if ascii_name is None:
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    else:
        response["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        )
    return response


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, ascii_name: str | None = None
) -> HttpResponse:
    """UTF-8 CSV with a byte-order mark: without it Excel and WPS open the Chinese text garbled."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return attachment_response(buffer.getvalue(), CSV_TYPE, filename, ascii_name=ascii_name)


def xlsx_response(
    filename: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str,
    ascii_name: str | None = None,
) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]  # Excel rejects longer sheet names
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return attachment_response(out.getvalue(), XLSX_TYPE, filename, ascii_name=ascii_name)
