"""Content-addressed storage of document files under MEDIA_ROOT: documents/<aa>/<sha256>.<ext>.

A path names its content, so a file is never overwritten: storing the same bytes twice finds the
file already there, and different bytes always get a different path."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PREFIX = "documents"


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int


def path_for(sha256: str, ext: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256}.{ext}"


def store(content: bytes, ext: str) -> Stored:
    digest = hashlib.sha256(content).hexdigest()
    path = path_for(digest, ext)
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:
            # A concurrent writer stored the same bytes first and the storage picked another
            # name for ours: keep theirs (identical content), drop the copy.
            default_storage.delete(saved)
    return Stored(path=path, sha256=digest, size=len(content))


class TamperedFile(Exception):
    pass


def read_verified(path: str, sha256: str) -> bytes:
    """The file's bytes, provided they still hash to what was recorded when it was issued."""
    with default_storage.open(path, "rb") as fh:
        content: bytes = fh.read()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise TamperedFile(path)
    return content
