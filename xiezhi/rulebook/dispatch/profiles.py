"""Per-matter colloquial profiles for the bundled demo catalogue (data/profiles.txt)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROFILES_FILE = Path(__file__).resolve().parent / "data" / "profiles.txt"


@dataclass(frozen=True)
class Profiles:
    by_code: dict[str, str]
    digest: str

    @classmethod
    def parse(cls, source: str) -> Profiles:
        by_code: dict[str, str] = {}
        for lineno, raw in enumerate(source.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            code, sep, words = line.partition("=")
            if not sep or not code.strip() or not words.strip():
                raise ValueError(f"profiles line {lineno}: expected 'CODE = phrases'")
            by_code[code.strip()] = " ".join(words.split())
        return cls(by_code, hashlib.sha256(source.encode("utf-8")).hexdigest()[:16])

    def get(self, code: str) -> str:
        return self.by_code.get(code, "")


@cache
def bundled_profiles() -> Profiles:
    return Profiles.parse(PROFILES_FILE.read_text(encoding="utf-8"))
