"""Uploaded files: size and type checked, stored by SHA-256, never overwritten (DESIGN §4).

A file is kept at MEDIA_ROOT/<prefix>/<aa>/<sha256>.<ext> (through `default_storage`, so an
S3-compatible store works the same): the path names the content, so storing the same bytes again
finds the file already there and different bytes never replace it. The type is judged by the
file's first bytes, not by the name the browser sends.

Each caller declares one `FileStore` (its prefix, allowed types, the form field its errors belong
to and its wording), so intake attachments, transfer materials and shared records keep their own
messages and folders while the checking and storing is done once. Rows keep the path they were
given, so files stored under an older prefix stay readable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from xiezhi.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    magic: tuple[bytes, ...] = ()  # the file starts with one of these
    at_4: bytes = b""  # mp4 carries "ftyp" at offset 4 instead of a leading magic
    contains: bytes = b""  # a docx is a zip that must hold the Word part
    stored_as: str = ""  # the extension in the stored path when not the uploaded one (jpeg → jpg)


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_JPEG = b"\xff\xd8\xff"
TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "jpg": FileType("image/jpeg", (_JPEG,)),
    "jpeg": FileType("image/jpeg", (_JPEG,), stored_as="jpg"),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (_ZIP,), contains=b"word/"
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (_ZIP,)),
    "doc": FileType("application/msword", (_OLE,)),
    "xls": FileType("application/vnd.ms-excel", (_OLE,)),
    "mp4": FileType("video/mp4", at_4=b"ftyp"),
}


@dataclass(frozen=True)
class Messages:
    """Chinese messages, `str.format`ted with name (as uploaded), ext, EXT (upper case),
    ext_or_none, allowed (the store's list) and mb (the limit)."""

    unsupported: str
    empty: str
    too_big: str
    mismatch: str
    tampered: str


# Attachments of a complaint: the message names the file, since a report carries several.
ATTACHMENT_MESSAGES = Messages(
    unsupported="不支持的附件类型：{name}（仅限{allowed}）",
    empty="附件为空：{name}",
    too_big="附件过大：{name}（不超过{mb}MB）",
    mismatch="附件内容与扩展名不符：{name}",
    tampered="附件校验值不符，文件可能已被篡改",
)
# One file per form (a transfer material, a shared record's attachment).
FILE_MESSAGES = Messages(
    unsupported="不支持的文件类型“{ext_or_none}”，仅支持{allowed}",
    empty="上传的文件是空的",
    too_big="文件不能超过{mb}MB",
    mismatch="文件内容与扩展名“.{ext}”不符，请上传真实的{EXT}文件",
    tampered="文件与上传时记录的哈希值不一致",
)


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int
    kind: str  # the stored extension, e.g. "jpg"
    content_type: str


class TamperedFile(ValidationFailed):
    """The stored bytes no longer hash to the recorded SHA-256."""


@dataclass(frozen=True)
class FileStore:
    prefix: str
    field: str  # the form field the errors are reported on
    kinds: tuple[str, ...]  # allowed extensions, keys of TYPES
    allowed: str  # how the messages list them
    messages: Messages
    max_setting: str  # settings name overriding DEFAULT_MAX_BYTES

    def max_bytes(self) -> int:
        return int(getattr(settings, self.max_setting, DEFAULT_MAX_BYTES))

    def _fail(self, template: str, name: str, ext: str) -> ValidationFailed:
        message = template.format(
            name=name,
            ext=ext,
            EXT=ext.upper(),
            ext_or_none=ext or "无扩展名",
            allowed=self.allowed,
            mb=self.max_bytes() // (1024 * 1024),
        )
        return ValidationFailed.field(self.field, message)

    def check(self, name: str, content: bytes) -> FileType:
        """The type of an acceptable upload; `ValidationFailed` on the store's field otherwise."""
        ext = extension(name)
        if not content:
            raise self._fail(self.messages.empty, name, ext)
        if len(content) > self.max_bytes():
            raise self._fail(self.messages.too_big, name, ext)
        if ext not in self.kinds:
            raise self._fail(self.messages.unsupported, name, ext)
        kind = TYPES[ext]
        if kind.at_4:
            ok = content[4:8] == kind.at_4
        else:
            ok = any(content.startswith(m) for m in kind.magic)
        if ok and kind.contains:
            ok = kind.contains in content
        if not ok:
            raise self._fail(self.messages.mismatch, name, ext)
        return kind

    def store(self, name: str, content: bytes) -> Stored:
        kind = self.check(name, content)
        ext = kind.stored_as or extension(name)
        digest = hashlib.sha256(content).hexdigest()
        path = put(self.prefix, digest, ext, content)
        return Stored(path=path, sha256=digest, size=len(content), kind=ext, content_type=kind.content_type)

    def read_verified(self, path: str, sha256: str) -> bytes:
        """The bytes at `path` (any prefix), provided they still hash to `sha256`; `TamperedFile`
        otherwise, `FileNotFoundError` when gone."""
        content = read(path)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise TamperedFile(self.messages.tampered, details={self.field: [self.messages.tampered]})
        return content


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type(kind: str) -> str:
    known = TYPES.get(kind)
    return known.content_type if known else "application/octet-stream"


def put(prefix: str, digest: str, ext: str, content: bytes) -> str:
    """Stores `content` (whose SHA-256 is `digest`) once, at the path naming it."""
    path = f"{prefix}/{digest[:2]}/{digest}.{ext}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:
            # A concurrent writer stored the same bytes first and the storage picked another
            # name for ours: keep theirs (identical content), drop the copy.
            default_storage.delete(saved)
    return path


def read(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        content: bytes = fh.read()
    return content


INTAKE_ATTACHMENTS = FileStore(
    prefix="intake",
    field="attachments",
    kinds=("jpg", "jpeg", "png", "pdf", "docx", "mp4"),
    allowed="jpg、png、pdf、mp4、docx",
    messages=ATTACHMENT_MESSAGES,
    max_setting="XIEZHI_INTAKE_MAX_UPLOAD",
)
TRANSFER_MATERIALS = FileStore(
    prefix="transfers",
    field="file",
    kinds=("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "doc", "xls", "mp4"),
    allowed="PDF、JPG、PNG、DOCX、XLSX、DOC、XLS、MP4",
    messages=FILE_MESSAGES,
    max_setting="XIEZHI_TRANSFER_MAX_UPLOAD",
)
# Shared records accept what transfers accept (and used to be stored with them, under transfers/).
SHARED_ATTACHMENTS = FileStore(
    prefix="sharing",
    field="file",
    kinds=TRANSFER_MATERIALS.kinds,
    allowed=TRANSFER_MATERIALS.allowed,
    messages=FILE_MESSAGES,
    max_setting="XIEZHI_TRANSFER_MAX_UPLOAD",
)
