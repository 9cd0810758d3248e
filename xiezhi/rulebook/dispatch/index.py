"""Ranking a complaint against the catalogue, with the competent unit and the reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from scipy import sparse

from xiezhi.rulebook.dispatch.analysis import Analysis
from xiezhi.rulebook.dispatch.model import DispatchModel, exemplar_span
from xiezhi.rulebook.dispatch.types import NONE_REASON, DispatchResult, Suggestion
from xiezhi.rulebook.jurisdiction import CatalogueSnapshot, JurisdictionError, resolve

EMPTY_REASON = "诉求内容为空，无法派单"
MAX_WHY = 6


class DispatchIndex:
    """A loaded model ready to answer; build one per process and share it (read-only)."""

    def __init__(self, model: DispatchModel) -> None:
        self.model = model
        # Build the lazy parts now (BM25 index, sorted word list, jieba's dictionary) so that
        # the first request is as fast as the others and no two requests race to build them.
        _ = model.bm25
        model.features.word_names()
        self.rank("油烟扰民")

    @classmethod
    def load(cls, path: Path | str) -> DispatchIndex:
        return cls(DispatchModel.load(path))

    def rank(self, text: str, k: int = 5) -> DispatchResult:
        """The top `k` matters for a text (no jurisdiction), and whether it is NONE."""
        if not text or not text.strip():
            return DispatchResult(none=True, reason=EMPTY_REASON)
        doc = self.model.analyse(text)
        scores = self.model.score([doc])
        prob = scores.probability[0]
        order = np.argsort(-scores.combined[0], kind="stable")[: max(0, k)]
        p_none = float(scores.none[0])
        none = p_none >= self.model.none_detector.threshold
        x = scores.x[0]
        sims = scores.sims[0]
        suggestions = tuple(
            Suggestion(
                matter_code=self.model.matters[i].code,
                matter_name=self.model.matters[i].name,
                field=self.model.matters[i].field,
                score=round(float(prob[i]), 4),
                why=self._why(doc, x, sims, int(i)),
            )
            for i in order
        )
        return DispatchResult(
            none=none,
            reason=NONE_REASON if none else "",
            suggestions=suggestions,
            none_score=round(p_none, 4),
        )

    def _why(
        self, doc: Analysis, x: sparse.csr_matrix, sims: np.ndarray, matter_index: int
    ) -> tuple[str, ...]:
        """The text's words that the matter's closest exemplar shares, strongest first."""
        start, end = exemplar_span(self.model, matter_index)
        best = start + int(sims[start:end].argmax())
        ex = self.model.exemplars.matrix
        cut = self.model.features.char_size
        lo, hi = ex.indptr[best], ex.indptr[best + 1]
        theirs = dict(zip(ex.indices[lo:hi].tolist(), ex.data[lo:hi].tolist(), strict=True))
        mine = {j: v for j, v in zip(x.indices.tolist(), x.data.tolist(), strict=True) if j >= cut}
        shared = sorted(((v * theirs[j], j - cut) for j, v in mine.items() if j in theirs), reverse=True)
        if not shared:
            return ()
        names = self.model.features.word_names()
        via: dict[str, str] = {}
        for hit in doc.hits:
            for term in hit.terms:
                via.setdefault(term, hit.phrase)
        own = set(doc.tokens)
        out: list[str] = []
        for _, j in shared:
            word = str(names[j])
            label = word if word in own else (f"{via[word]}→{word}" if word in via else "")
            shown = label.split("→")[0]
            if not label or any(shown in w.split("→")[0] for w in out):
                continue
            out = [w for w in out if w.split("→")[0] not in shown] + [label]
            if len(out) >= MAX_WHY:
                break
        return tuple(out)


def suggest(
    text: str,
    township: str,
    on_date: date,
    *,
    index: DispatchIndex,
    catalogue: CatalogueSnapshot | None = None,
    k: int = 5,
) -> DispatchResult:
    """Rank the catalogue's matters for a complaint received in `township` on `on_date`.

    With a catalogue snapshot each suggestion also names the unit that acts on it there and
    then (`acting_unit`, `mode`, `explanation` from the jurisdiction resolver); a matter the
    resolver cannot place keeps its rank and carries the resolver's message instead.
    """
    result = index.rank(text, k)
    if catalogue is None or not result.suggestions:
        return result
    placed: list[Suggestion] = []
    for s in result.suggestions:
        try:
            r = resolve(s.matter_code, township, on_date, catalogue)
        except JurisdictionError as exc:
            placed.append(replace(s, jurisdiction_error=exc.message))
        else:
            placed.append(replace(s, acting_unit=r.acting_unit, mode=r.mode, explanation=r.explanation))
    return DispatchResult(result.none, result.reason, tuple(placed), result.none_score)
