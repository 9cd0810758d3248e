"""Content-addressed storage of document files under MEDIA_ROOT: documents/<aa>/<sha256>.<ext>.

A path names its content, so a file is never overwritten: storing the same bytes twice finds the
file already there, and different bytes always get a different path. The writing and reading are
the upload store's (`core.files`); generated documents skip its type check, we made them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from xiezhi.core import files

PREFIX = "documents"


@dataclass(frozen=True)
class Stored:
    path: str
    sha256: str
    size: int


def store(content: bytes, ext: str) -> Stored:
    digest = hashlib.sha256(content).hexdigest()
    return Stored(path=files.put(PREFIX, digest, ext, content), sha256=digest, size=len(content))


class TamperedFile(Exception):
    pass


def read_verified(path: str, sha256: str) -> bytes:
    """The file's bytes, provided they still hash to what was recorded when it was issued."""
    content = files.read(path)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise TamperedFile(path)
    return content
