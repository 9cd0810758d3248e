"""The trained dispatch model: what it holds, how it scores, how it is saved and loaded.

`training.train` builds it. The file written by `save` is one JSON header line (format, version, training size, library
versions, the tuned parameters) followed by a pickle; `load` reads the header first and
refuses a file of another format version or scikit-learn version with a Chinese message.
Only load files the platform wrote itself: a pickle can run code.
"""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from xiezhi.rulebook.dispatch.analysis import Analysis, analyse
from xiezhi.rulebook.dispatch.fields import FieldGroups, FieldPrior, FieldStacker, field_features
from xiezhi.rulebook.dispatch.lexicon import Lexicon
from xiezhi.rulebook.dispatch.scoring import (
    CATALOGUE,
    PROFILE,
    ROW,
    CatalogueBM25,
    Exemplars,
    FeatureSpace,
    FloatArray,
    char_ngrams,
    fast_transform,
    standardise,
)
from xiezhi.rulebook.dispatch.types import Matter

FORMAT_NAME = "xiezhi-dispatch-model"
FORMAT_VERSION = 3  # 2: field prior and field stacker; 3: the stacker is a conditional logit
KINDS = (ROW, CATALOGUE, PROFILE)


class ModelFormatError(ValueError):
    """A model file cannot be used; `message` is a Chinese sentence for the operator."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Params:
    """Scorer weights. Defaults are the values cross-validation chose on the bundled dev set."""

    word_weight: float = 0.5
    row_weight: float = 1.0
    catalogue_weight: float = 0.5
    profile_weight: float = 2.5
    bm25_weight: float = 0.2
    expansion_weight: float = 0.0
    clause_weight: float = 0.0  # a clause counts at this fraction of its score; 0 = whole text only
    field_weight: float = 0.25  # the field classifier's score of the matter's field
    field_stack_weight: float = 1.0  # the stacked field decision (fields.py) added to its matters
    temperature: float = 1.0

    def kind_weights(self) -> FloatArray:
        return np.array([self.row_weight, self.catalogue_weight, self.profile_weight])


# Grid searched by `train(tune=True)`; word_weight changes the feature space and was chosen
# once during development (0.5 against 0.35, 0.7 and 1.0 on 5-fold cross-validation).
GRID: dict[str, tuple[float, ...]] = {
    "catalogue_weight": (0.5, 1.0),
    "profile_weight": (2.0, 2.5, 3.0),
    "bm25_weight": (0.0, 0.2),
    "expansion_weight": (0.0, 0.2),
    "clause_weight": (0.0, 1.0),
    "field_weight": (0.0, 0.25, 0.5),
}
# Tuned after the others, on the same out-of-fold scores (the stacker is fitted on them first).
FIELD_STACK_GRID = (0.0, 0.5, 1.0, 1.5, 2.0)

NONE_FEATURES = ("top", "none_sim", "gap", "none_linear", "hits", "service", "margin")


@dataclass
class NoneDetector:
    """Logistic regression over a few scores of a text; `threshold` on its probability."""

    scaler: StandardScaler | None = None
    model: LogisticRegression | None = None
    threshold: float = 0.5

    def probability(self, features: FloatArray) -> FloatArray:
        if self.model is None or self.scaler is None:
            # Untrained (too few NONE texts): rely on the linear classifier alone.
            return np.asarray(1.0 / (1.0 + np.exp(-features[:, 3])), dtype=np.float64)
        return np.asarray(self.model.predict_proba(self.scaler.transform(features))[:, 1], dtype=np.float64)


@dataclass
class Scores:
    """Everything computed for a batch of texts, columns in catalogue order."""

    combined: FloatArray  # texts x matters, higher is better
    probability: FloatArray  # texts x matters, each row sums to 1 - p_none
    none: FloatArray  # p_none per text
    per_kind: FloatArray  # kinds x texts x classes, best raw similarity per exemplar kind
    sims: FloatArray  # texts x exemplars, raw cosine similarity (exemplars in class order)
    x: sparse.csr_matrix  # the texts' feature vectors


@dataclass
class DispatchModel:
    matters: tuple[Matter, ...]
    params: Params
    features: FeatureSpace
    exemplars: Exemplars
    linear: LinearHeads
    none_detector: NoneDetector
    lexicon: Lexicon
    field_prior: FieldPrior | None = None
    field_stacker: FieldStacker | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    _bm25: CatalogueBM25 | None = field(default=None, repr=False)

    # --- scoring -------------------------------------------------------------------------

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.matters]

    @property
    def matter_field(self) -> NDArray[np.int64]:
        fields = self.linear.fields
        return np.array([fields.index(m.field) for m in self.matters], dtype=np.int64)

    @property
    def bm25(self) -> CatalogueBM25:
        if self._bm25 is None:
            self._bm25 = CatalogueBM25(self.matters)
        return self._bm25

    def analyse(self, text: str) -> Analysis:
        return analyse(text, self.lexicon)

    def score(self, docs: Sequence[Analysis]) -> Scores:
        x = self.features.transform(docs)
        sims = np.asarray((x @ self.exemplars.matrix.T).toarray(), dtype=np.float64)
        per_kind = per_kind_max(self.exemplars, sims)
        clause_kind = clause_per_kind(self.features, self.exemplars, docs, self.lexicon, self.params)
        bm25, expansion = bm25_scores(self.bm25, docs, self.params)
        none_lin, field_dec = self.linear.decisions(docs)
        prior = self.field_prior.scores(docs) if self.field_prior is not None else None
        return finish(x, per_kind, sims, clause_kind, bm25, expansion, none_lin, field_dec, prior, docs, self)

    # --- persistence ---------------------------------------------------------------------

    def header(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            **self.metadata,
            "params": asdict(self.params),
            "none_threshold": self.none_detector.threshold,
        }

    def save(self, path: Path | str) -> None:
        """Write the model atomically enough for a scheduled retrain: a temp file, then a rename."""
        path = Path(path)
        state = {k: v for k, v in self.__dict__.items() if k != "_bm25"}
        buf = io.BytesIO()
        buf.write(json.dumps(self.header(), ensure_ascii=False).encode("utf-8") + b"\n")
        pickle.dump(state, buf, protocol=pickle.HIGHEST_PROTOCOL)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(path)

    @classmethod
    def read_header(cls, path: Path | str) -> dict[str, Any]:
        try:
            with Path(path).open("rb") as fh:
                line = fh.readline(64 * 1024)
        except OSError as exc:
            raise ModelFormatError(f"无法读取派单模型文件 {path}：{exc.strerror or exc}") from exc
        try:
            header = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFormatError(f"{path} 不是派单模型文件（缺少文件头）") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
            raise ModelFormatError(f"{path} 不是派单模型文件")
        return header

    @classmethod
    def load(cls, path: Path | str) -> DispatchModel:
        header = cls.read_header(path)
        version = header.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelFormatError(
                f"派单模型文件格式版本为 {version}，本程序只能读取版本 {FORMAT_VERSION}；"
                "请用 xiezhi dispatch train 重新训练"
            )
        if header.get("sklearn_version") != sklearn.__version__:
            raise ModelFormatError(
                f"派单模型由 scikit-learn {header.get('sklearn_version')} 训练，当前为 {sklearn.__version__}；"
                "请用 xiezhi dispatch train 重新训练"
            )
        with Path(path).open("rb") as fh:
            fh.readline(64 * 1024)
            state = pickle.load(fh)  # our own file: the header was checked above
        model = cls.__new__(cls)
        model.__dict__.update(state)
        model._bm25 = None
        return model


# --- scoring steps, shared with the training-time cross-validation (training.py) ----------


def similarities(features: FeatureSpace, exemplars: Exemplars, docs: Sequence[Analysis]) -> FloatArray:
    if not docs:
        return np.zeros((0, exemplars.matrix.shape[0]))
    return np.asarray((features.transform(docs) @ exemplars.matrix.T).toarray(), dtype=np.float64)


def per_kind_max(exemplars: Exemplars, sims: FloatArray) -> FloatArray:
    """kinds x texts x classes: the best similarity to an exemplar of each kind (0 if none)."""
    out = np.zeros((len(KINDS), sims.shape[0], exemplars.n_classes))
    if not sims.shape[0]:
        return out
    for k in KINDS:
        mask = exemplars.kind == k
        if not mask.any():
            continue
        cls = exemplars.cls[mask]
        sub = sims[:, mask]
        starts = np.flatnonzero(np.r_[True, cls[1:] != cls[:-1]])
        out[k][:, cls[starts]] = np.maximum.reduceat(sub, starts, axis=1)
    return out


def clause_per_kind(
    features: FeatureSpace,
    exemplars: Exemplars,
    docs: Sequence[Analysis],
    lexicon: Lexicon,
    params: Params,
    force: bool = False,
) -> FloatArray | None:
    """Per text, the best clause's per-kind similarities (texts with one clause: zeros)."""
    if params.clause_weight <= 0 and not force:
        return None
    owners: list[int] = []
    pieces: list[Analysis] = []
    for i, d in enumerate(docs):
        if len(d.clauses) > 1:
            for c in d.clauses:
                owners.append(i)
                pieces.append(analyse(c, lexicon))
    out = np.zeros((len(KINDS), len(docs), exemplars.n_classes))
    if pieces:
        pk = per_kind_max(exemplars, similarities(features, exemplars, pieces))
        for j, i in enumerate(owners):
            np.maximum(out[:, i, :], pk[:, j, :], out=out[:, i, :])
    return out


@dataclass
class LinearHeads:
    """Linear classifiers over character 1-3-gram TF-IDF: NONE against the rest (logistic
    regression) and the policy field (linear SVM, one score per field of `fields`)."""

    chars: TfidfVectorizer
    none_clf: LogisticRegression
    field_clf: LinearSVC | None
    fields: tuple[str, ...]

    def decisions(self, docs: Sequence[Analysis]) -> tuple[FloatArray, FloatArray]:
        x = fast_transform(self.chars, [char_ngrams(d.text, 1, 3) for d in docs])
        none = np.asarray(x @ self.none_clf.coef_.ravel() + self.none_clf.intercept_[0], dtype=np.float64)
        if self.field_clf is None:
            return none, np.zeros((len(docs), len(self.fields)))
        raw = np.asarray(x @ self.field_clf.coef_.T + self.field_clf.intercept_, dtype=np.float64)
        if raw.shape[1] == 1:  # two fields: sklearn keeps one column for the second class
            raw = np.hstack([-raw, raw])
        order = [list(self.field_clf.classes_).index(f) for f in self.fields]
        return none, raw[:, order]


def bm25_scores(
    bm25: CatalogueBM25, docs: Sequence[Analysis], params: Params
) -> tuple[FloatArray, FloatArray]:
    n = len(docs)
    b = bm25.matrix([d.tokens for d in docs]) if params.bm25_weight else np.zeros((n, bm25.size))
    e = bm25.matrix([d.expansion for d in docs]) if params.expansion_weight else np.zeros((n, bm25.size))
    return b, e


def knn_scores(
    per_kind: FloatArray, clause_kind: FloatArray | None, params: Params, n_matters: int
) -> FloatArray:
    w = params.kind_weights()[:, None, None]
    knn = (per_kind[:, :, :n_matters] * w).max(axis=0)
    if clause_kind is not None and params.clause_weight > 0:
        clause = (clause_kind[:, :, :n_matters] * w).max(axis=0) * params.clause_weight
        knn = np.maximum(knn, clause)
    return np.asarray(knn, dtype=np.float64)


def combine(
    knn: FloatArray,
    bm25: FloatArray,
    expansion: FloatArray,
    field_dec: FloatArray,
    matter_field: NDArray[np.int64],
    params: Params,
) -> FloatArray:
    combined = standardise(knn)
    if params.field_weight and field_dec.shape[1] > 1:
        combined = combined + params.field_weight * standardise(field_dec)[:, matter_field]
    if params.bm25_weight:
        combined = combined + params.bm25_weight * standardise(bm25)
    if params.expansion_weight:
        combined = combined + params.expansion_weight * standardise(expansion)
    return combined


def apply_fields(
    combined: FloatArray,
    field_dec: FloatArray,
    prior: FloatArray | None,
    matter_field: NDArray[np.int64],
    stacker: FieldStacker | None,
    weight: float,
) -> FloatArray:
    """The matter scores plus `weight` times the stacked field decision of each matter's field."""
    if stacker is None or prior is None or not weight or field_dec.shape[1] < 2 or not combined.size:
        return combined
    groups = FieldGroups(matter_field, field_dec.shape[1])
    decision = stacker.decision(field_features(combined, field_dec, prior, groups))
    return np.asarray(combined + weight * standardise(decision)[:, matter_field], dtype=np.float64)


def softmax(z: FloatArray, temperature: float) -> FloatArray:
    a = z * temperature
    a = a - a.max(axis=1, keepdims=True)
    e = np.exp(a)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def none_features(
    knn: FloatArray,
    none_sim: FloatArray,
    combined: FloatArray,
    none_lin: FloatArray,
    docs: Sequence[Analysis],
) -> FloatArray:
    top = knn.max(axis=1) if knn.size else np.zeros(len(docs))
    part = -np.sort(-combined, axis=1)[:, :2] if combined.size else np.zeros((len(docs), 2))
    margin = part[:, 0] - part[:, 1] if part.shape[1] > 1 else part[:, 0]
    return np.column_stack(
        [
            top,
            none_sim,
            none_sim - top,
            none_lin,
            np.log1p([len(d.hits) for d in docs]),
            np.log1p([len(d.service) for d in docs]),
            margin,
        ]
    )


def finish(
    x: sparse.csr_matrix,
    per_kind: FloatArray,
    sims: FloatArray,
    clause_kind: FloatArray | None,
    bm25: FloatArray,
    expansion: FloatArray,
    none_lin: FloatArray,
    field_dec: FloatArray,
    prior: FloatArray | None,
    docs: Sequence[Analysis],
    model: DispatchModel,
) -> Scores:
    m = len(model.matters)
    p = model.params
    knn = knn_scores(per_kind, clause_kind, p, m)
    mf = model.matter_field
    combined = combine(knn, bm25, expansion, field_dec, mf, p)
    combined = apply_fields(combined, field_dec, prior, mf, model.field_stacker, p.field_stack_weight)
    none_sim = per_kind[ROW, :, m] if per_kind.shape[2] > m else np.zeros(len(docs))
    p_none = model.none_detector.probability(none_features(knn, none_sim, combined, none_lin, docs))
    prob = softmax(combined, p.temperature) * (1.0 - p_none)[:, None]
    return Scores(combined, prob, p_none, per_kind, sims, x)


def exemplar_span(model: DispatchModel, matter_index: int) -> tuple[int, int]:
    """Positions of one matter's exemplars in the exemplar matrix (they are contiguous)."""
    ex = model.exemplars
    start = int(ex.starts[matter_index])
    end = int(ex.starts[matter_index + 1]) if matter_index + 1 < len(ex.starts) else ex.matrix.shape[0]
    return start, end
