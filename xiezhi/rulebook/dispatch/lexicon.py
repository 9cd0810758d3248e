"""The domain synonym list: statute wording on the left, the words people use on the right.

A complaint rarely uses the catalogue's words ("排风扇对着我家窗户" rather than "油烟"); each
colloquial phrase found in a text adds the statute terms of its rule to the search query, so
the catalogue's own wording can be matched. The file is hand-written domain knowledge, bundled
and versioned with the code (data/synonyms.txt); its hash is recorded in a trained model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from xiezhi.rulebook.dispatch.text import normalise

SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.txt"
SERVICE_SECTION = "[service]"


@dataclass(frozen=True)
class Rule:
    terms: tuple[str, ...]
    variants: tuple[str, ...]
    section: str = ""  # the "## heading" the rule stands under (a policy field, see fields.py)


@dataclass(frozen=True)
class Hit:
    """A colloquial phrase found in a text, and the statute terms it stands for."""

    phrase: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    rules: tuple[Rule, ...]
    service_cues: tuple[str, ...]
    digest: str

    @classmethod
    def parse(cls, source: str) -> Lexicon:
        rules: list[Rule] = []
        cues: list[str] = []
        in_service = False
        section = ""
        for lineno, raw in enumerate(source.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("## "):
                section = line[3:].strip()
                continue
            if not line or line.startswith("#"):
                continue
            if line == SERVICE_SECTION:
                in_service = True
                continue
            if in_service:
                cues.extend(normalise(w) for w in line.split())
                continue
            left, sep, right = line.partition("=")
            terms = tuple(normalise(t) for t in left.split())
            variants = tuple(dict.fromkeys(normalise(v) for v in right.split()))
            if not sep or not terms or not variants:
                raise ValueError(f"synonyms line {lineno}: expected 'terms = variants'")
            rules.append(Rule(terms, variants, section))
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
        return cls(tuple(rules), tuple(dict.fromkeys(cues)), digest)

    def words(self) -> set[str]:
        """Every term and phrase of two or more characters, for the tokeniser's user dictionary."""
        out: set[str] = set(self.service_cues)
        for rule in self.rules:
            out.update(rule.terms)
            out.update(rule.variants)
        return {w for w in out if len(w) >= 2}

    @cached_property
    def _by_prefix(self) -> dict[str, list[tuple[str, int]]]:
        """Two-character prefix -> (phrase, rule index): a text is scanned once, not once per rule."""
        index: dict[str, list[tuple[str, int]]] = {}
        for i, rule in enumerate(self.rules):
            for variant in rule.variants:
                if len(variant) >= 2:
                    index.setdefault(variant[:2], []).append((variant, i))
        return index

    @cached_property
    def _singles(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            for variant in rule.variants:
                if len(variant) == 1:
                    index.setdefault(variant, []).append(i)
        return index

    def hits(self, text: str, words: Iterable[str] = ()) -> list[Hit]:
        """Rules whose phrases occur in the normalised text, one hit per rule (its longest phrase).

        Phrases of two or more characters match anywhere; a single character ("河", "吵") only
        when the tokeniser cut it as a word of its own, so that place names such as 河东街 or
        田园小区 do not count.
        """
        best: dict[int, str] = {}
        index = self._by_prefix
        for pos in range(len(text) - 1):
            for variant, i in index.get(text[pos : pos + 2], ()):
                if len(variant) > len(best.get(i, "")) and text.startswith(variant, pos):
                    best[i] = variant
        for word in words:
            for i in self._singles.get(word, ()):
                best.setdefault(i, word)
        return [Hit(best[i], self.rules[i].terms) for i in sorted(best)]

    def service_hits(self, text: str, hits: Iterable[Hit] = ()) -> list[str]:
        """Service-request cues in the text outside the phrases the synonym rules read: in
        "井盖丢了" the phrase 井盖丢 is the violation, so its "丢了" is not a lost-property cue."""
        for hit in hits:
            text = text.replace(hit.phrase, "\x00")
        return [cue for cue in self.service_cues if cue in text]

    def unused_terms(self, vocabulary: Iterable[str]) -> list[str]:
        """Statute terms that occur nowhere in the given catalogue wording (dead rules)."""
        corpus = "\n".join(vocabulary)
        terms = {t for rule in self.rules for t in rule.terms}
        return sorted(t for t in terms if t not in corpus)


@cache
def bundled_lexicon() -> Lexicon:
    return Lexicon.parse(SYNONYMS_FILE.read_text(encoding="utf-8"))
