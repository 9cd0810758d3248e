"""Training a dispatch model from confirmed dispatches and the catalogue.

`train(rows, matters)` analyses the texts, scores every row out of fold in an inner
cross-validation, chooses the scorer weights on those scores (grid `GRID`), fits the score
temperature and the NONE detector on them, and finally fits the feature space, the exemplars
and the linear classifiers on all rows. A few seconds for the 646 bundled rows.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from xiezhi.rulebook.dispatch.analysis import Analysis, analyse, matter_text
from xiezhi.rulebook.dispatch.fields import (
    FieldCues,
    FieldGroups,
    FieldPrior,
    FieldStacker,
    bundled_field_cues,
    field_documents,
    field_features,
    field_knowledge,
)
from xiezhi.rulebook.dispatch.lexicon import Lexicon, bundled_lexicon
from xiezhi.rulebook.dispatch.model import (
    FIELD_STACK_GRID,
    GRID,
    KINDS,
    DispatchModel,
    LinearHeads,
    NoneDetector,
    Params,
    apply_fields,
    clause_per_kind,
    combine,
    knn_scores,
    none_features,
    per_kind_max,
    similarities,
    softmax,
)
from xiezhi.rulebook.dispatch.profiles import Profiles, bundled_profiles
from xiezhi.rulebook.dispatch.scoring import (
    CATALOGUE,
    PROFILE,
    ROW,
    CatalogueBM25,
    Exemplars,
    FeatureSpace,
    FloatArray,
    IntArray,
)
from xiezhi.rulebook.dispatch.types import NONE_CODE, LabelledText, Matter


@dataclass
class _Corpus:
    """Analysed training material: rows, one catalogue line and one profile per matter."""

    matters: tuple[Matter, ...]
    rows: list[LabelledText]
    row_docs: list[Analysis]
    row_cls: list[int]  # matter index, or n_matters for NONE
    line_docs: list[Analysis]
    line_cls: list[int]
    line_kind: list[int]
    lexicon: Lexicon
    prior: FieldPrior
    field_texts: list[tuple[str, str]]  # (normalised text, field): knowledge the field classifier also learns

    def fit(self, params: Params, subset: Sequence[int] | IntArray) -> tuple[FeatureSpace, Exemplars]:
        docs = [self.row_docs[i] for i in subset] + self.line_docs
        classes = [self.row_cls[i] for i in subset] + self.line_cls
        kinds = [ROW] * len(subset) + self.line_kind
        features = FeatureSpace(params.word_weight).fit(docs)
        return features, Exemplars.build(features.transform(docs), classes, kinds)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(sorted({m.field for m in self.matters}))

    @property
    def matter_field(self) -> NDArray[np.int64]:
        fields = self.fields
        return np.array([fields.index(m.field) for m in self.matters], dtype=np.int64)

    def fit_linear(self, subset: Sequence[int] | IntArray, seed: int) -> LinearHeads:
        none_idx = len(self.matters)
        texts = [self.row_docs[i].text for i in subset] + [d.text for d in self.line_docs]
        cls = [self.row_cls[i] for i in subset] + self.line_cls
        vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        x = vec.fit_transform(texts + [t for t, _ in self.field_texts])
        extra = x[len(texts) :]
        x = x[: len(texts)]
        is_none = [int(c == none_idx) for c in cls]
        if len(set(is_none)) < 2:
            is_none[0] = 1 - is_none[0]  # no NONE texts to learn from: keep the solver happy
        none_clf = LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", random_state=seed)
        none_clf.fit(x, is_none)
        keep = [j for j, c in enumerate(cls) if c != none_idx]
        field_of = [self.matters[cls[j]].field for j in keep]
        field_clf = None
        if len(set(field_of)) > 1:
            xs = sparse.vstack([x[keep], extra], format="csr")
            field_clf = LinearSVC(C=0.5, random_state=seed).fit(
                xs, field_of + [f for _, f in self.field_texts]
            )
        return LinearHeads(vec, none_clf, field_clf, self.fields)


def _corpus(
    rows: Sequence[LabelledText],
    matters: Sequence[Matter],
    lexicon: Lexicon,
    profiles: Profiles,
    cues: FieldCues,
) -> _Corpus:
    index = {m.code: i for i, m in enumerate(matters)}
    none_idx = len(matters)
    # Confirmed dispatches of matters no longer in the catalogue cannot be learned from.
    rows = [r for r in rows if r.matter_code == NONE_CODE or r.matter_code in index]
    row_docs = [analyse(r.text, lexicon) for r in rows]
    row_cls = [none_idx if r.matter_code == NONE_CODE else index[r.matter_code] for r in rows]
    line_docs: list[Analysis] = []
    line_cls: list[int] = []
    line_kind: list[int] = []
    for i, m in enumerate(matters):
        line_docs.append(analyse(matter_text(m), lexicon))
        line_cls.append(i)
        line_kind.append(CATALOGUE)
        profile = profiles.get(m.code)
        if profile:
            line_docs.append(analyse(profile, lexicon))
            line_cls.append(i)
            line_kind.append(PROFILE)
    fields = tuple(sorted({m.field for m in matters}))
    # Knowledge only (no training rows): the same for every fold, so no fold sees another's texts.
    prior = FieldPrior(fields, field_documents(fields, matters, lexicon, profiles, cues))
    return _Corpus(
        tuple(matters),
        list(rows),
        row_docs,
        row_cls,
        line_docs,
        line_cls,
        line_kind,
        lexicon,
        prior,
        field_knowledge(fields, lexicon, cues),
    )


@dataclass
class _OutOfFold:
    per_kind: FloatArray
    clause_kind: FloatArray
    none_lin: FloatArray
    field_dec: FloatArray
    bm25: FloatArray
    expansion: FloatArray
    prior: FloatArray


def make_folds(labels: Sequence[int], k: int, seed: int) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    y = np.asarray(labels)
    k = max(2, min(k, len(y)))
    counts = np.bincount(y)
    with warnings.catch_warnings():
        # Two texts per matter is normal here; sklearn warns that k exceeds the smallest class.
        warnings.simplefilter("ignore", UserWarning)
        if counts[counts > 0].max() >= k:
            return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
        return list(KFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y))))


def _out_of_fold(corpus: _Corpus, params: Params, k: int, seed: int, bm25: CatalogueBM25) -> _OutOfFold:
    n, classes = len(corpus.rows), len(corpus.matters) + 1
    oof = _OutOfFold(
        per_kind=np.zeros((len(KINDS), n, classes)),
        clause_kind=np.zeros((len(KINDS), n, classes)),
        none_lin=np.zeros(n),
        field_dec=np.zeros((n, len(corpus.fields))),
        bm25=bm25.matrix([d.tokens for d in corpus.row_docs]),
        expansion=bm25.matrix([d.expansion for d in corpus.row_docs]),
        prior=corpus.prior.scores(corpus.row_docs),
    )
    for train_idx, test_idx in make_folds(corpus.row_cls, k, seed):
        features, exemplars = corpus.fit(params, train_idx)
        docs = [corpus.row_docs[i] for i in test_idx]
        pk = per_kind_max(exemplars, similarities(features, exemplars, docs))
        oof.per_kind[:, test_idx, : pk.shape[2]] = pk
        ck = clause_per_kind(features, exemplars, docs, corpus.lexicon, params, force=True)
        assert ck is not None
        oof.clause_kind[:, test_idx, : ck.shape[2]] = ck
        heads = corpus.fit_linear(train_idx, seed)
        oof.none_lin[test_idx], oof.field_dec[test_idx] = heads.decisions(docs)
    return oof


def _objective(combined: FloatArray, gold: NDArray[np.int64]) -> tuple[float, float]:
    """Top-1 and top-3 accuracy of matter rows (gold >= 0)."""
    mask = gold >= 0
    if not mask.any():
        return 0.0, 0.0
    c, g = combined[mask], gold[mask]
    gold_score = c[np.arange(len(g)), g]
    better = (c > gold_score[:, None]).sum(axis=1)
    return float((better == 0).mean()), float((better < 3).mean())


def _tune(oof: _OutOfFold, gold: NDArray[np.int64], base: Params, corpus: _Corpus) -> Params:
    m = len(corpus.matters)
    mf = corpus.matter_field
    best, best_key = base, (-1.0, -1.0)
    for cw in GRID["catalogue_weight"]:
        for pw in GRID["profile_weight"]:
            for cl in GRID["clause_weight"]:
                p = replace(base, catalogue_weight=cw, profile_weight=pw, clause_weight=cl)
                knn = knn_scores(oof.per_kind, oof.clause_kind, p, m)
                for bw in GRID["bm25_weight"]:
                    for ew in GRID["expansion_weight"]:
                        for fw in GRID["field_weight"]:
                            p2 = replace(p, bm25_weight=bw, expansion_weight=ew, field_weight=fw)
                            combined = combine(knn, oof.bm25, oof.expansion, oof.field_dec, mf, p2)
                            t1, t3 = _objective(combined, gold)
                            # Ties go to the simpler model (fewer and smaller extra weights).
                            key = (round(t1 + 0.5 * t3, 6), -(bw + ew + cl + fw))
                            if key > best_key:
                                best, best_key = p2, key
    return best


def _stacker(
    combined: FloatArray, oof: _OutOfFold, gold: NDArray[np.int64], corpus: _Corpus, seed: int
) -> FieldStacker | None:
    """The field stacker fitted on the out-of-fold scores of the matter rows."""
    mask = gold >= 0
    groups = FieldGroups(corpus.matter_field, len(corpus.fields))
    features = field_features(combined, oof.field_dec, oof.prior, groups)
    return FieldStacker.fit(features[mask], corpus.matter_field[gold[mask]], seed)


def _fit_field_stacker(
    knn: FloatArray, oof: _OutOfFold, gold: NDArray[np.int64], base: Params, corpus: _Corpus, seed: int
) -> tuple[FieldStacker | None, Params]:
    """Fit the field stacker on the out-of-fold scores and choose its weight together with the
    linear field classifier's (`FIELD_STACK_GRID` x `GRID["field_weight"]`): the stacker already
    holds that classifier, so the best share between the two is decided here.

    The objective adds field top-1 to the matter objective: a wrong field is a wrong department.
    """
    mf = corpus.matter_field
    mask = gold >= 0
    if not mask.any():
        return None, base
    best: tuple[FieldStacker | None, Params] = (None, base)
    best_key = (-1.0, 0.0)
    for fw in GRID["field_weight"]:
        p = replace(base, field_weight=fw)
        combined = combine(knn, oof.bm25, oof.expansion, oof.field_dec, mf, p)
        stacker = _stacker(combined, oof, gold, corpus, seed)
        for w in FIELD_STACK_GRID if stacker is not None else (0.0,):
            final = apply_fields(combined, oof.field_dec, oof.prior, mf, stacker, w)
            t1, t3 = _objective(final, gold)
            field_top1 = float((mf[final[mask].argmax(axis=1)] == mf[gold[mask]]).mean())
            key = (round(t1 + 0.5 * t3 + 0.5 * field_top1, 6), -(w + fw))
            if key > best_key:
                best, best_key = (stacker, replace(p, field_stack_weight=w)), key
    return best


def _fit_temperature(combined: FloatArray, gold: NDArray[np.int64]) -> float:
    mask = gold >= 0
    if not mask.any():
        return Params.temperature
    c, g = combined[mask], gold[mask]
    best_t, best_ll = Params.temperature, -math.inf
    for t in (0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0):
        ll = float(np.log(softmax(c, t)[np.arange(len(g)), g] + 1e-12).mean())
        if ll > best_ll:
            best_t, best_ll = t, ll
    return best_t


def _fit_none_detector(features: FloatArray, is_none: NDArray[np.bool_], seed: int) -> NoneDetector:
    if is_none.sum() < 5 or (~is_none).sum() < 5:
        return NoneDetector()
    scaler = StandardScaler().fit(features)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000, random_state=seed)
    model.fit(scaler.transform(features), is_none.astype(int))
    proba = model.predict_proba(scaler.transform(features))[:, 1]
    # F1 on out-of-fold probabilities; among equal F1 the highest threshold. Calling a report
    # of a violation a service request leaves the violation unhandled, while a service request
    # dispatched as a matter comes back from the unit: the first is the costlier mistake.
    best_t, best_key = 0.5, (-1.0, 0.0)
    for t in np.linspace(0.2, 0.8, 25):
        pred = proba >= t
        tp = float((pred & is_none).sum())
        f1 = 2 * tp / max(1.0, float(pred.sum() + is_none.sum()))
        key = (round(f1, 6), t)
        if key > best_key:
            best_t, best_key = float(t), key
    return NoneDetector(scaler, model, best_t)


def train(
    rows: Sequence[LabelledText],
    matters: Sequence[Matter],
    *,
    params: Params | None = None,
    tune: bool = True,
    folds: int = 5,
    seed: int = 0,
    lexicon: Lexicon | None = None,
    profiles: Profiles | None = None,
    field_cues: FieldCues | None = None,
) -> DispatchModel:
    """Train a model on confirmed dispatches (`rows`, NONE for service requests) and the catalogue.

    Rows whose matter is not in `matters` (a matter since removed) are left out and counted in
    the metadata as `skipped_rows`.

    With `tune`, the scorer weights are chosen on an inner `folds`-fold cross-validation of
    `rows` (grid `GRID`); the NONE detector and the score temperature are always fitted on
    those out-of-fold scores. Deterministic for a given `seed`.
    """
    if not matters:
        raise ValueError("事项目录为空，无法训练派单模型")
    lexicon = lexicon or bundled_lexicon()
    profiles = profiles if profiles is not None else bundled_profiles()
    field_cues = field_cues if field_cues is not None else bundled_field_cues()
    params = params or Params()
    corpus = _corpus(rows, matters, lexicon, profiles, field_cues)
    skipped = len(rows) - len(corpus.rows)
    m = len(corpus.matters)
    bm25 = CatalogueBM25(corpus.matters)
    gold = np.array([c if c < m else -1 for c in corpus.row_cls], dtype=np.int64)

    detector = NoneDetector()
    stacker: FieldStacker | None = None
    if len(corpus.rows) >= 2 * max(2, folds):
        oof = _out_of_fold(corpus, params, folds, seed, bm25)
        if tune:
            params = _tune(oof, gold, params, corpus)
        knn = knn_scores(oof.per_kind, oof.clause_kind, params, m)
        if tune:
            stacker, params = _fit_field_stacker(knn, oof, gold, params, corpus, seed)
        combined = combine(knn, oof.bm25, oof.expansion, oof.field_dec, corpus.matter_field, params)
        if not tune:
            stacker = _stacker(combined, oof, gold, corpus, seed)
        combined = apply_fields(
            combined, oof.field_dec, oof.prior, corpus.matter_field, stacker, params.field_stack_weight
        )
        params = replace(params, temperature=_fit_temperature(combined, gold))
        nf = none_features(knn, oof.per_kind[ROW, :, m], combined, oof.none_lin, corpus.row_docs)
        detector = _fit_none_detector(nf, gold < 0, seed)

    everything = range(len(corpus.rows))
    features, exemplars = corpus.fit(params, everything)
    model = DispatchModel(
        matters=corpus.matters,
        params=params,
        features=features,
        exemplars=exemplars,
        linear=corpus.fit_linear(everything, seed),
        none_detector=detector,
        lexicon=lexicon,
        field_prior=corpus.prior,
        field_stacker=stacker,
        metadata={
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "training_size": len(corpus.rows),
            "skipped_rows": skipped,  # their matter is not in the catalogue
            "none_rows": int((gold < 0).sum()),
            "matters": m,
            "seed": seed,
            "lexicon_digest": lexicon.digest,
            "profiles_digest": profiles.digest,
            "fields_digest": field_cues.digest,
            "numpy_version": np.__version__,
        },
    )
    model._bm25 = bm25
    return model
