"""What the assistant reads in a text: tokens, synonym hits, service-request cues, clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from xiezhi.rulebook.dispatch.lexicon import Hit, Lexicon, bundled_lexicon
from xiezhi.rulebook.dispatch.text import caller_only, clauses, normalise, strip_frame
from xiezhi.rulebook.dispatch.tokenizer import tokens
from xiezhi.rulebook.dispatch.types import Matter

_LAW = re.compile(r"《([^》]+)》")
_MATTER_FRAME = re.compile(r"^对|的处罚$|（浙江）$")


@dataclass(frozen=True)
class Analysis:
    text: str  # normalised
    tokens: tuple[str, ...]
    hits: tuple[Hit, ...]
    service: tuple[str, ...]

    @cached_property
    def expansion(self) -> tuple[str, ...]:
        """Statute terms (and their sub-words) that the synonym hits stand for, deduplicated."""
        out: dict[str, None] = {}
        for hit in self.hits:
            for term in hit.terms:
                out[term] = None
                for sub in _term_tokens(term):
                    out[sub] = None
        return tuple(out)

    @property
    def words(self) -> list[str]:
        """Tokens plus expansion, the input of the word-level classifier features."""
        return [*self.tokens, *self.expansion]

    @cached_property
    def clauses(self) -> tuple[str, ...]:
        return tuple(clauses(self.text))


@lru_cache(maxsize=4096)
def _term_tokens(term: str) -> tuple[str, ...]:
    return tuple(tokens(term))


def analyse(text: str, lexicon: Lexicon | None = None) -> Analysis:
    lexicon = lexicon or bundled_lexicon()
    norm = strip_frame(caller_only(normalise(text)))
    toks = tuple(tokens(norm))
    hits = tuple(lexicon.hits(norm, toks))
    return Analysis(norm, toks, hits, tuple(lexicon.service_hits(norm, hits)))


def matter_core(name: str) -> str:
    """ "对随地吐痰……的处罚" -> "随地吐痰……": the frame is the same for every matter."""
    return _MATTER_FRAME.sub("", name.strip())


def law_names(matter: Matter) -> list[str]:
    names = _LAW.findall(f"{matter.legal_basis_violation} {matter.legal_basis_penalty}")
    return list(dict.fromkeys(n.removeprefix("中华人民共和国") for n in names))


def matter_text(matter: Matter) -> str:
    """The catalogue line of a matter: its act, field and the statutes it rests on."""
    return " ".join([matter_core(matter.name), matter.field, *law_names(matter)])


def matter_tokens(matter: Matter) -> list[str]:
    return tokens(normalise(matter_text(matter)))
