"""The shared upload store: each caller's folder, field and wording; content addressing; tampering."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from xiezhi.core import files
from xiezhi.core.errors import ValidationFailed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x00" * 20 + b"word/document.xml"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.mark.parametrize(
    ("store", "prefix"),
    [
        (files.INTAKE_ATTACHMENTS, "intake"),
        (files.TRANSFER_MATERIALS, "transfers"),
        (files.SHARED_ATTACHMENTS, "sharing"),
    ],
)
def test_each_caller_stores_under_its_prefix_by_hash(
    store: files.FileStore, prefix: str, media: Path
) -> None:
    digest = hashlib.sha256(PNG).hexdigest()
    a = store.store("a.png", PNG)
    b = store.store("b.png", PNG)
    assert (
        a
        == b
        == files.Stored(
            path=f"{prefix}/{digest[:2]}/{digest}.png",
            sha256=digest,
            size=len(PNG),
            kind="png",
            content_type="image/png",
        )
    )
    assert (media / a.path).read_bytes() == PNG
    assert store.read_verified(a.path, digest) == PNG


def test_never_overwritten(media: Path) -> None:
    s = files.TRANSFER_MATERIALS.store("a.png", PNG)
    (media / s.path).write_bytes(PNG + b"changed")  # someone edits the file on disk
    files.TRANSFER_MATERIALS.store("a.png", PNG)
    assert (media / s.path).read_bytes() == PNG + b"changed"
    with pytest.raises(files.TamperedFile):
        files.TRANSFER_MATERIALS.read_verified(s.path, s.sha256)


def test_jpeg_is_stored_as_jpg() -> None:
    s = files.INTAKE_ATTACHMENTS.store("photo.JPEG", JPEG)
    assert s.kind == "jpg" and s.path.endswith(".jpg") and s.content_type == "image/jpeg"


def test_rows_keep_reading_files_stored_under_another_prefix() -> None:
    # Shared records used to be stored under transfers/; their rows keep those paths.
    old = files.TRANSFER_MATERIALS.store("a.png", PNG)
    assert old.path.startswith("transfers/")
    assert files.SHARED_ATTACHMENTS.read_verified(old.path, old.sha256) == PNG


@pytest.mark.parametrize(
    ("store", "name", "content", "field", "message"),
    [
        (
            files.INTAKE_ATTACHMENTS,
            "a.exe",
            b"MZ",
            "attachments",
            "不支持的附件类型：a.exe（仅限jpg、png、pdf、mp4、docx）",
        ),
        (
            files.INTAKE_ATTACHMENTS,
            "a.xlsx",
            b"PK\x03\x04",
            "attachments",
            "不支持的附件类型：a.xlsx（仅限jpg、png、pdf、mp4、docx）",
        ),
        (files.INTAKE_ATTACHMENTS, "a.png", b"", "attachments", "附件为空：a.png"),
        (files.INTAKE_ATTACHMENTS, "a.png", b"%PDF-1.4", "attachments", "附件内容与扩展名不符：a.png"),
        (files.INTAKE_ATTACHMENTS, "a.docx", b"PK\x03\x04xx", "attachments", "附件内容与扩展名不符：a.docx"),
        (
            files.TRANSFER_MATERIALS,
            "a.exe",
            b"MZ",
            "file",
            "不支持的文件类型“exe”，仅支持PDF、JPG、PNG、DOCX、XLSX、DOC、XLS、MP4",
        ),
        (
            files.TRANSFER_MATERIALS,
            "noext",
            b"MZ",
            "file",
            "不支持的文件类型“无扩展名”，仅支持PDF、JPG、PNG、DOCX、XLSX、DOC、XLS、MP4",
        ),
        (files.TRANSFER_MATERIALS, "a.pdf", b"", "file", "上传的文件是空的"),
        (files.TRANSFER_MATERIALS, "a.pdf", PNG, "file", "文件内容与扩展名“.pdf”不符，请上传真实的PDF文件"),
        (
            files.SHARED_ATTACHMENTS,
            "v.mp4",
            b"\x00\x00\x00\x18abcd",
            "file",
            "文件内容与扩展名“.mp4”不符，请上传真实的MP4文件",
        ),
    ],
)
def test_refusals_keep_each_callers_field_and_wording(
    store: files.FileStore, name: str, content: bytes, field: str, message: str, media: Path
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        store.store(name, content)
    assert caught.value.message == message and caught.value.details == {field: [message]}
    assert not media.exists()


def test_size_limits_follow_each_callers_setting(settings: Any) -> None:
    settings.XIEZHI_INTAKE_MAX_UPLOAD = 2 * 1024 * 1024
    big = DOCX + b"\x00" * (2 * 1024 * 1024)
    with pytest.raises(ValidationFailed, match=r"^附件过大：a.docx（不超过2MB）$"):
        files.INTAKE_ATTACHMENTS.check("a.docx", big)
    assert files.TRANSFER_MATERIALS.check("a.docx", big).content_type.endswith("wordprocessingml.document")
    settings.XIEZHI_TRANSFER_MAX_UPLOAD = 1024 * 1024
    with pytest.raises(ValidationFailed, match=r"^文件不能超过1MB$"):
        files.TRANSFER_MATERIALS.check("a.docx", big)
