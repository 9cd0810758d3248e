"""Text out of the rendered files, the way a reader would get it: python-docx and pdftotext."""

from __future__ import annotations

import re
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

from docx import Document


def squash(text: str) -> str:
    """Drop all whitespace: pdftotext breaks CJK lines wherever the page wrapped them."""
    return re.sub(r"\s+", "", text)


PAGE_NUMBER = re.compile(r"^\s*— \d+ —\s*$", re.MULTILINE)


def without_page_numbers(text: str) -> str:
    """A sentence that runs over a page break has the page number in the middle of it."""
    return PAGE_NUMBER.sub("", text)


def docx_text(content: bytes) -> str:
    doc = Document(BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def _poppler(tool: str, content: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(content)
        out = subprocess.run(
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            timeout=60,
        )
    return out.stdout.decode("utf-8")


def pdf_text(content: bytes) -> str:
    return _poppler("pdftotext", content, "-enc", "UTF-8")


def pdf_fonts(content: bytes) -> list[dict[str, str]]:
    """pdffonts rows as dicts with name, type, emb."""
    lines = _poppler("pdffonts", content).splitlines()[2:]
    rows = []
    for line in lines:
        cols = line.split()
        # name type [type…] encoding emb sub uni object-id generation
        rows.append({"name": cols[0], "emb": cols[-5], "sub": cols[-4], "uni": cols[-3]})
    return rows


def pdf_info(content: bytes) -> str:
    return _poppler("pdfinfo", content)
