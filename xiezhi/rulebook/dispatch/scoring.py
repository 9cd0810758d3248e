"""Scoring a text against every matter.

- Nearest exemplar: the text and every exemplar (each confirmed dispatch, one catalogue line
  and one colloquial profile per matter, the NONE texts) are TF-IDF vectors of characters and
  words (tokens plus the statute terms the synonym list found); a matter's score is its best
  exemplar's cosine similarity times the exemplar kind's weight. Character unigrams keep it
  robust to wording and dialect; words carry the phrases.
- BM25 (bm25s) between the text's words, and separately its statute terms, and each matter's
  catalogue line (name, field, statutes).
Rows of each scorer are standardised over the matters and added with CV-tuned weights. A long
text is also scored clause by clause; a matter keeps its best clause when that beats the whole.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from xiezhi.rulebook.dispatch.analysis import Analysis, matter_tokens
from xiezhi.rulebook.dispatch.types import Matter

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ROW, CATALOGUE, PROFILE = 0, 1, 2


def standardise(m: FloatArray) -> FloatArray:
    """Row-wise z-scores; a constant row becomes zeros."""
    mean = m.mean(axis=1, keepdims=True)
    std = m.std(axis=1, keepdims=True)
    return np.asarray((m - mean) / np.where(std > 1e-12, std, 1.0), dtype=np.float64)


def _identity(doc: list[str]) -> list[str]:
    # Module level so that a fitted vectorizer pickles; documents arrive already tokenised.
    return doc


_SPACES = re.compile(r"\s\s+")


def char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """The same n-grams as TfidfVectorizer(analyzer="char", ngram_range=(lo, hi)) on lowercased text."""
    text = _SPACES.sub(" ", text)
    return [text[i : i + n] for n in range(lo, hi + 1) for i in range(len(text) - n + 1)]


def fast_transform(vectorizer: TfidfVectorizer, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """TfidfVectorizer.transform (sublinear tf, l2 norm) for pre-analysed documents.

    sklearn's own transform re-validates its input on every call, which costs more than the
    arithmetic for the one short text of a live suggestion; the result is identical (tested).
    """
    vocab: dict[str, int] = vectorizer.vocabulary_
    idf: FloatArray = vectorizer.idf_
    indptr, cols, vals = [0], [], []
    for doc in docs:
        counts: dict[int, int] = {}
        for tok, n in Counter(doc).items():  # Counter counts in C; only distinct tokens are looked up
            j = vocab.get(tok)
            if j is not None:
                counts[j] = n
        row = sorted(counts)
        w = np.array([(1.0 + math.log(counts[j])) * idf[j] for j in row], dtype=np.float64)
        norm = float(np.sqrt((w * w).sum()))
        cols.extend(row)
        vals.extend((w / norm if norm > 0 else w).tolist())
        indptr.append(len(cols))
    return sparse.csr_matrix(
        (
            np.asarray(vals, dtype=np.float64),
            np.asarray(cols, dtype=np.int32),
            np.asarray(indptr, dtype=np.int32),
        ),
        shape=(len(docs), len(vocab)),
    )


class FeatureSpace:
    """Character unigram and word TF-IDF, each L2-normalised, words scaled by `word_weight`."""

    def __init__(self, word_weight: float = 0.5) -> None:
        self.word_weight = word_weight
        self.chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 1), sublinear_tf=True)
        self.words = TfidfVectorizer(analyzer=_identity, sublinear_tf=True)

    def fit(self, docs: Sequence[Analysis]) -> FeatureSpace:
        self.chars.fit([d.text for d in docs])
        self.words.fit([d.words for d in docs])
        return self

    @property
    def char_size(self) -> int:
        return len(self.chars.vocabulary_)

    def transform(self, docs: Sequence[Analysis]) -> sparse.csr_matrix:
        a = fast_transform(self.chars, [list(d.text) for d in docs])
        b = fast_transform(self.words, [d.words for d in docs]) * self.word_weight
        return normalize(sparse.hstack([a, b], format="csr"))

    def word_names(self) -> NDArray[np.str_]:
        # get_feature_names_out sorts the vocabulary on every call: keep the result.
        names: NDArray[np.str_] | None = self.__dict__.get("_word_names")
        if names is None:
            names = np.asarray(self.words.get_feature_names_out())
            self.__dict__["_word_names"] = names
        return names


@dataclass
class Exemplars:
    """Exemplar vectors sorted by class; class n_matters is NONE."""

    matrix: sparse.csr_matrix
    cls: IntArray
    kind: IntArray
    starts: IntArray  # first exemplar of each class (every class has one: its catalogue line)

    @classmethod
    def build(cls_, matrix: sparse.csr_matrix, classes: Sequence[int], kinds: Sequence[int]) -> Exemplars:
        c = np.asarray(classes, dtype=np.int64)
        order = np.argsort(c, kind="stable")
        c = c[order]
        starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]]).astype(np.int64)
        return cls_(matrix[order], c, np.asarray(kinds, dtype=np.int64)[order], starts)

    @property
    def n_classes(self) -> int:
        return int(self.cls.max()) + 1 if len(self.cls) else 0


class CatalogueBM25:
    """BM25 over the catalogue lines of the matters, in catalogue order."""

    def __init__(self, matters: Sequence[Matter]) -> None:
        self.docs = [matter_tokens(m) for m in matters]
        self.retriever = bm25s.BM25()
        self.retriever.index(self.docs, show_progress=False)
        self.size = len(self.docs)

    def scores(self, query: Sequence[str]) -> FloatArray:
        known = [t for t in dict.fromkeys(query) if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(self.size)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float64)

    def matrix(self, queries: Sequence[Sequence[str]]) -> FloatArray:
        if not queries:
            return np.zeros((0, self.size))
        return np.vstack([self.scores(q) for q in queries])
