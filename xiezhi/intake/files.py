"""Attachments: type checked by content (magic bytes), size-limited, stored by SHA-256, never overwritten.

A file lives at MEDIA_ROOT/intake/<aa>/<sha256>.<ext>: the path names the content, so a second upload of
the same bytes reuses it and different bytes can never replace it (`open(..., "xb")`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from xiezhi.core.errors import ValidationFailed

MAX_BYTES = 20 * 1024 * 1024
KINDS = {
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "mp4": (),
}


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int
    kind: str


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, content: bytes) -> str:
    ext = extension(name)
    if ext not in KINDS:
        raise ValidationFailed.field(
            "attachments", f"不支持的附件类型：{name}（仅限jpg、png、pdf、mp4、docx）"
        )
    if not content:
        raise ValidationFailed.field("attachments", f"附件为空：{name}")
    if len(content) > MAX_BYTES:
        raise ValidationFailed.field(
            "attachments", f"附件过大：{name}（不超过{MAX_BYTES // (1024 * 1024)}MB）"
        )
    # mp4 carries "ftyp" at offset 4; docx is a zip that must contain the Word part.
    if ext == "mp4":
        ok = content[4:8] == b"ftyp"
    else:
        ok = any(content.startswith(m) for m in KINDS[ext])
        if ok and ext == "docx":
            ok = b"word/" in content
    if not ok:
        raise ValidationFailed.field("attachments", f"附件内容与扩展名不符：{name}")
    return "jpg" if ext == "jpeg" else ext


def store(name: str, content: bytes) -> Stored:
    kind = check(name, content)
    digest = hashlib.sha256(content).hexdigest()
    relative = f"intake/{digest[:2]}/{digest}.{kind}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as fh:
            fh.write(content)
    except FileExistsError:
        pass  # same name means same bytes
    return Stored(path=relative, sha256=digest, size=len(content), kind=kind)


def read_verified(path: str, sha256: str) -> bytes:
    content = (Path(settings.MEDIA_ROOT) / path).read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ValidationFailed.field("attachments", "附件校验值不符，文件可能已被篡改")
    return content
