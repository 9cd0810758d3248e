"""Deciding the policy field (执法领域) of a complaint before, and alongside, the matter.

Sending a complaint to the wrong field means the wrong department, the costliest mistake; a
wrong matter inside the right field is corrected by the receiving unit. The matter ranking alone
sometimes puts a lone matter of another field first while several matters of the right field
follow it, so the field is decided from four views of the text and fed back into the ranking:

1. the best matter score of each field (the ranking's own answer);
2. a soft vote: log-sum-exp of the matter scores of each field (many near misses add up);
3. the linear field classifier over character n-grams (`model.LinearHeads`);
4. a **field prior** from knowledge only: character 1–2-gram TF-IDF similarity between the text
   and one pseudo-document per field, made of the field's cue line (`data/fields.txt`:
   department names as people say them, typical objects and places), the synonym-list section
   of that field and the catalogue line and colloquial profile of each of its matters (the
   matters' own names, fields and legal bases). It needs no training rows, so it works from
   the first day and for texts unlike any seen.

A conditional logit (`FieldStacker`, a softmax over the fields of a text) weighs the four on
out-of-fold scores of the training rows; its decision, standardised over the fields, is added to every matter of that field with
a weight tuned the same way.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer

from xiezhi.rulebook.dispatch.analysis import Analysis, matter_text
from xiezhi.rulebook.dispatch.lexicon import Lexicon
from xiezhi.rulebook.dispatch.profiles import Profiles
from xiezhi.rulebook.dispatch.scoring import FloatArray, char_ngrams, fast_transform, standardise
from xiezhi.rulebook.dispatch.types import Matter

FIELDS_FILE = Path(__file__).resolve().parent / "data" / "fields.txt"
VOTE_TEMPERATURE = 0.5  # the soft vote's scale on standardised matter scores
STACKER_L2 = 1.0  # ridge penalty of the field stacker's four weights


@dataclass(frozen=True)
class FieldCues:
    """`data/fields.txt`: cue phrases per field and which synonym-list section belongs to which field."""

    cues: dict[str, str]
    sections: dict[str, str]  # synonym-list section -> field
    digest: str

    @classmethod
    def parse(cls, source: str) -> FieldCues:
        cues: dict[str, str] = {}
        sections: dict[str, str] = {}
        target: dict[str, str] | None = None
        for lineno, raw in enumerate(source.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("[sections]", "[fields]"):
                target = sections if line == "[sections]" else cues
                continue
            left, sep, right = line.partition("=")
            if target is None or not sep or not left.strip() or not right.strip():
                raise ValueError(
                    f"fields line {lineno}: expected '[sections]' or '[fields]', then 'name = words'"
                )
            target[left.strip()] = " ".join(right.split())
        return cls(cues, sections, hashlib.sha256(source.encode("utf-8")).hexdigest()[:16])


@cache
def bundled_field_cues() -> FieldCues:
    return FieldCues.parse(FIELDS_FILE.read_text(encoding="utf-8"))


def _plain(text: str) -> str:
    # Like text.normalise but without its length cut: a field's pseudo-document is long.
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def field_documents(
    fields: Sequence[str],
    matters: Sequence[Matter],
    lexicon: Lexicon,
    profiles: Profiles,
    cues: FieldCues,
) -> list[str]:
    """One pseudo-document per field, in the order of `fields`."""
    parts: dict[str, list[str]] = {f: [cues.cues.get(f, "")] for f in fields}
    for rule in lexicon.rules:
        f = cues.sections.get(rule.section, "")
        if f in parts:
            parts[f].append(" ".join([*rule.terms, *rule.variants]))
    for m in matters:
        if m.field in parts:
            parts[m.field].extend([matter_text(m), profiles.get(m.code)])
    return [_plain("，".join(p for p in parts[f] if p)) for f in fields]


def field_knowledge(fields: Sequence[str], lexicon: Lexicon, cues: FieldCues) -> list[tuple[str, str]]:
    """Short labelled texts for the field classifier: each synonym rule of a field's section and
    each field's cue line, with that field (fields not in the catalogue are left out)."""
    known = set(fields)
    out = [
        (_plain(" ".join([*rule.terms, *rule.variants])), cues.sections[rule.section])
        for rule in lexicon.rules
        if cues.sections.get(rule.section) in known
    ]
    out.extend((_plain(words), f) for f, words in cues.cues.items() if f in known)
    return out


class FieldPrior:
    """Similarity of a text to each field's pseudo-document (character 1-2-gram TF-IDF cosine)."""

    def __init__(self, fields: Sequence[str], documents: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(documents)

    def scores(self, docs: Sequence[Analysis]) -> FloatArray:
        if not docs:
            return np.zeros((0, len(self.fields)))
        x = fast_transform(self.vectorizer, [char_ngrams(d.text, 1, 2) for d in docs])
        return np.asarray((x @ self.matrix.T).toarray(), dtype=np.float64)


class FieldGroups:
    """Per-field reductions of a texts x matters score matrix (matters grouped by field index)."""

    def __init__(self, matter_field: NDArray[np.int64], n_fields: int) -> None:
        self.order = np.argsort(matter_field, kind="stable")
        grouped = matter_field[self.order]
        self.starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
        self.present = grouped[self.starts]
        self.n_fields = n_fields

    def _spread(self, reduced: FloatArray, fill: float) -> FloatArray:
        out = np.full((reduced.shape[0], self.n_fields), fill)
        out[:, self.present] = reduced
        return out

    def best(self, scores: FloatArray) -> FloatArray:
        s = scores[:, self.order]
        return self._spread(np.maximum.reduceat(s, self.starts, axis=1), float(scores.min(initial=0.0)))

    def vote(self, scores: FloatArray) -> FloatArray:
        a = scores * VOTE_TEMPERATURE
        top = a.max(axis=1, keepdims=True) if a.size else np.zeros((a.shape[0], 1))
        sums = np.add.reduceat(np.exp(a - top)[:, self.order], self.starts, axis=1)
        reduced = np.log(np.maximum(sums, 1e-300)) + top
        return self._spread(reduced, float(reduced.min(initial=0.0)))


def field_features(
    combined: FloatArray, field_dec: FloatArray, prior: FloatArray, groups: FieldGroups
) -> FloatArray:
    """texts x fields x 4: best matter, soft vote, linear classifier, prior; each standardised per text."""
    views = (groups.best(combined), groups.vote(combined), field_dec, prior)
    return np.stack([standardise(v) for v in views], axis=2)


@dataclass
class FieldStacker:
    """A conditional logit over the fields of a text: softmax over the fields of `features @ weights`.

    Fitted on whole texts (which of its fields is the gold one), not on (text, field) pairs one
    by one: a logistic regression on pairs spends itself on the many easy wrong fields and its
    argmax was measured to be worse than the best-matter view alone on held-out folds.
    """

    weights: FloatArray

    @classmethod
    def fit(cls, features: FloatArray, gold_field: NDArray[np.int64], seed: int) -> FieldStacker | None:
        """`features` of matter rows only; None when there is nothing to learn from. `seed` is
        kept for the callers' symmetry: the fit is deterministic (convex, started at equal weights)."""
        n, nf, k = features.shape
        if n < 10 or nf < 2:
            return None
        rows = np.arange(n)
        gold = features[rows, gold_field]  # n x k

        def loss(w: FloatArray) -> tuple[float, FloatArray]:
            z = features @ w
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            value = -float(np.log(p[rows, gold_field] + 1e-300).sum()) + 0.5 * STACKER_L2 * float(w @ w)
            grad = -(gold - np.einsum("nf,nfk->nk", p, features)).sum(axis=0) + STACKER_L2 * w
            return value, np.asarray(grad, dtype=np.float64)

        result = minimize(loss, np.ones(k), jac=True, method="L-BFGS-B")
        return cls(np.asarray(result.x, dtype=np.float64))

    def decision(self, features: FloatArray) -> FloatArray:
        return np.asarray(features @ self.weights, dtype=np.float64)
