"""Measuring the assistant: accuracy, NONE detection and speed, on held-out texts.

Definitions (also in the README):
- top1 / top3: over rows whose gold is a matter, the share whose matter is first / among the
  first three of the answer's ranking; when the answer is NONE the ranking is NONE followed by
  the suggestions, so NONE takes one of the three places.
- field_top1: over the same rows, the share whose first-ranked answer has the gold matter's
  field (a NONE answer has no field).
- none_precision / none_recall: NONE answers against NONE gold over all rows (precision is 1.0
  when nothing was answered NONE and nothing should have been: no false alarms).
- p50_ms / p95_ms: wall time of one call of the suggestion function.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from xiezhi.rulebook.dispatch.fields import FieldCues
from xiezhi.rulebook.dispatch.index import DispatchIndex
from xiezhi.rulebook.dispatch.lexicon import Lexicon
from xiezhi.rulebook.dispatch.profiles import Profiles
from xiezhi.rulebook.dispatch.training import make_folds, train
from xiezhi.rulebook.dispatch.types import NONE_CODE, DispatchResult, LabelledText, Matter

SuggestFn = Callable[[str], DispatchResult]
JSON_KEYS = ("top1", "top3", "field_top1", "none_precision", "none_recall", "p95_ms")


@dataclass(frozen=True)
class Miss:
    id: str
    gold: str
    ranked: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class EvalReport:
    rows: int
    matter_rows: int
    none_rows: int
    top1: float
    top3: float
    field_top1: float
    none_precision: float
    none_recall: float
    p50_ms: float
    p95_ms: float
    misses: tuple[Miss, ...] = field(default=(), repr=False)

    def as_json(self) -> dict[str, float]:
        """Exactly the keys of `xiezhi dispatch eval --json`."""
        return {k: round(float(getattr(self, k)), 4) for k in JSON_KEYS}

    def summary(self) -> str:
        return (
            f"行数 {self.rows}（事项 {self.matter_rows}，NONE {self.none_rows}）  "
            f"top-1 {self.top1:.1%}  top-3 {self.top3:.1%}  领域 top-1 {self.field_top1:.1%}  "
            f"NONE 精确率 {self.none_precision:.1%} 召回率 {self.none_recall:.1%}  "
            f"耗时 p50 {self.p50_ms:.1f} ms p95 {self.p95_ms:.1f} ms"
        )


def eval_json(report: EvalReport) -> dict[str, float]:
    return report.as_json()


@dataclass
class _Tally:
    n: int = 0
    matter: int = 0
    none: int = 0
    top1: int = 0
    top3: int = 0
    field_hits: int = 0
    said_none: int = 0
    said_none_right: int = 0
    ms: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)

    def add(self, row: LabelledText, result: DispatchResult, gold_field: str, ms: float) -> None:
        self.n += 1
        self.ms.append(ms)
        ranked = result.ranked_codes
        if result.none:
            self.said_none += 1
            self.said_none_right += row.is_none
        if row.is_none:
            self.none += 1
            if not result.none:
                self.misses.append(Miss(row.id, row.matter_code, tuple(ranked[:3]), row.text))
            return
        self.matter += 1
        self.top1 += bool(ranked) and ranked[0] == row.matter_code
        self.top3 += row.matter_code in ranked[:3]
        top = None if result.none else result.top
        self.field_hits += bool(top is not None and gold_field and top.field == gold_field)
        if not ranked or ranked[0] != row.matter_code:
            self.misses.append(Miss(row.id, row.matter_code, tuple(ranked[:3]), row.text))

    def report(self) -> EvalReport:
        def share(a: int, b: int, empty: float = 0.0) -> float:
            return a / b if b else empty

        ms = np.asarray(self.ms or [0.0])
        return EvalReport(
            rows=self.n,
            matter_rows=self.matter,
            none_rows=self.none,
            top1=share(self.top1, self.matter),
            top3=share(self.top3, self.matter),
            field_top1=share(self.field_hits, self.matter),
            none_precision=share(self.said_none_right, self.said_none, empty=1.0 if not self.none else 0.0),
            none_recall=share(self.said_none_right, self.none, empty=1.0),
            p50_ms=float(np.percentile(ms, 50)),
            p95_ms=float(np.percentile(ms, 95)),
            misses=tuple(self.misses),
        )


def _field_of(row: LabelledText, fields: Mapping[str, str]) -> str:
    return row.field or fields.get(row.matter_code, "")


def evaluate(
    rows: Sequence[LabelledText], suggest_fn: SuggestFn, matters: Sequence[Matter] = ()
) -> EvalReport:
    """Run `suggest_fn` on every row and score it. `matters` supplies gold fields the rows lack."""
    fields = {m.code: m.field for m in matters}
    tally = _Tally()
    for row in rows:
        start = time.perf_counter()
        result = suggest_fn(row.text)
        tally.add(row, result, _field_of(row, fields), (time.perf_counter() - start) * 1000)
    return tally.report()


def cross_validate(
    rows: Sequence[LabelledText],
    matters: Sequence[Matter],
    k: int = 5,
    *,
    seed: int = 0,
    tune: bool = True,
    lexicon: Lexicon | None = None,
    profiles: Profiles | None = None,
    field_cues: FieldCues | None = None,
) -> EvalReport:
    """k-fold (stratified where possible): train on k-1 folds, answer the held-out one, pool.

    Each fold's model tunes its own weights on its own training rows only (nested), so the
    held-out texts never influence the model that answers them. `lexicon`, `profiles` and
    `field_cues` replace the bundled ones (for ablations).
    """
    index = {m.code: i for i, m in enumerate(matters)}
    labels = [index.get(r.matter_code, len(matters)) for r in rows]
    fields = {m.code: m.field for m in matters}
    tally = _Tally()
    for train_idx, test_idx in make_folds(labels, k, seed):
        model = train(
            [rows[i] for i in train_idx],
            matters,
            tune=tune,
            seed=seed,
            lexicon=lexicon,
            profiles=profiles,
            field_cues=field_cues,
        )
        idx = DispatchIndex(model)
        for i in test_idx:
            row = rows[i]
            start = time.perf_counter()
            result = idx.rank(row.text, k=5)
            tally.add(row, result, _field_of(row, fields), (time.perf_counter() - start) * 1000)
    return tally.report()


def style_shift(
    rows: Sequence[LabelledText], matters: Sequence[Matter], *, seed: int = 0, tune: bool = True
) -> dict[str, EvalReport]:
    """For each source style: train on the other styles, answer this one."""
    fields = {m.code: m.field for m in matters}
    out: dict[str, EvalReport] = {}
    for style in sorted({r.source_style for r in rows if r.source_style}):
        train_rows = [r for r in rows if r.source_style != style]
        test_rows = [r for r in rows if r.source_style == style]
        idx = DispatchIndex(train(train_rows, matters, tune=tune, seed=seed))
        tally = _Tally()
        for row in test_rows:
            start = time.perf_counter()
            result = idx.rank(row.text, k=5)
            tally.add(row, result, _field_of(row, fields), (time.perf_counter() - start) * 1000)
        out[style] = tally.report()
    return out


__all__ = [
    "JSON_KEYS",
    "NONE_CODE",
    "EvalReport",
    "Miss",
    "cross_validate",
    "eval_json",
    "evaluate",
    "style_shift",
]
