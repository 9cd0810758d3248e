"""Uploaded materials: size and type checked, stored by SHA-256, never overwritten (DESIGN §4).

A file is kept at MEDIA_ROOT/transfers/<aa>/<sha256>.<ext>: the path names the content, so storing
the same bytes again finds the file already there and different bytes never replace it. The type
is judged by the file's first bytes, not by the name the browser sends.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xiezhi.core.errors import ValidationFailed

PREFIX = "transfers"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# extension → (content type, check of the leading bytes)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    "doc": ("application/msword", (_OLE,)),
    "xls": ("application/vnd.ms-excel", (_OLE,)),
    "mp4": ("video/mp4", ()),  # checked separately: "ftyp" at offset 4
}
ALLOWED_TEXT = "PDF、JPG、PNG、DOCX、XLSX、DOC、XLS、MP4"


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int
    content_type: str


def max_bytes() -> int:
    return int(getattr(settings, "XIEZHI_TRANSFER_MAX_UPLOAD", DEFAULT_MAX_BYTES))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, content: bytes) -> str:
    """The content type of an acceptable upload; `ValidationFailed` (field "file") otherwise."""
    if not content:
        raise ValidationFailed.field("file", "上传的文件是空的")
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationFailed.field("file", f"文件不能超过{limit // (1024 * 1024)}MB")
    ext = _extension(name)
    if ext not in TYPES:
        raise ValidationFailed.field("file", f"不支持的文件类型“{ext or '无扩展名'}”，仅支持{ALLOWED_TEXT}")
    content_type, magics = TYPES[ext]
    ok = content[4:8] == b"ftyp" if ext == "mp4" else any(content.startswith(m) for m in magics)
    if not ok:
        raise ValidationFailed.field("file", f"文件内容与扩展名“.{ext}”不符，请上传真实的{ext.upper()}文件")
    return content_type


def store(name: str, content: bytes) -> Stored:
    content_type = check(name, content)
    digest = hashlib.sha256(content).hexdigest()
    path = f"{PREFIX}/{digest[:2]}/{digest}.{_extension(name)}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:
            # A concurrent upload of the same bytes won the name: keep that identical file.
            default_storage.delete(saved)
    return Stored(path=path, sha256=digest, size=len(content), content_type=content_type)


class TamperedFile(Exception):
    pass


def read_verified(path: str, sha256: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        content: bytes = fh.read()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise TamperedFile(path)
    return content
