"""Benchmark of the dispatch assistant: ``.venv/bin/python benchmarks/dispatch_eval.py``.

Prints, for the bundled development set (xiezhi/rulebook/dispatch/data/dispatch_dev.csv):
- training time on all of it (the product's initial model);
- k-fold cross-validation (default 5, stratified, nested weight tuning), overall and per
  source style: the figures the issue's targets apply to, since the product trains on this set;
- style shift: train on two source styles, answer the third;
- the bundled style-check set (dispatch_styles.csv, transcripts, elderly speech, group chats,
  several problems, consequences: never used for training or tuning), with its misses;
- the bundled held-out sets (dispatch_heldout*.csv: spoken calls, dialect, forwarded chats,
  media posts; never used for training or tuning), per source style where the file has one,
  with their misses;
- suggestion time p50/p95 for short texts and for long messages (MAX_CHARS characters);
- with --ablation, k-fold without the per-matter profiles and without the synonym list.
Figures are printed, never asserted. --json prints the `xiezhi dispatch eval --json` dict of
the k-fold run instead of the report. --matters points at another catalogue CSV.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from xiezhi.rulebook.dispatch import (
    BUNDLED_DEV_SET,
    BUNDLED_HELDOUT_SETS,
    BUNDLED_STYLE_SET,
    DispatchIndex,
    EvalReport,
    LabelledText,
    Matter,
    cross_validate,
    evaluate,
    load_matters,
    load_rows,
    style_shift,
    train,
)
from xiezhi.rulebook.dispatch.lexicon import Lexicon
from xiezhi.rulebook.dispatch.profiles import Profiles
from xiezhi.rulebook.dispatch.text import MAX_CHARS

DEFAULT_MATTERS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "xiezhi", "catalogue", "data", "matters.csv"
)


def print_check_set(title: str, path: Path, index: DispatchIndex, matters: Sequence[Matter]) -> None:
    """A set never trained or tuned on: overall, per source style where it has one, its misses."""
    rows = load_rows(path)
    report = evaluate(rows, index.rank, matters)
    print(f"\n{title}（{path.name}，不参与训练和调参）：\n  {report.summary()}")
    for style in sorted({r.source_style for r in rows if r.source_style}):
        sub = [r for r in rows if r.source_style == style]
        print(f"    {style:12s} {evaluate(sub, index.rank, matters).summary()}")
    for miss in report.misses:
        print(f"    未中 {miss.gold} → {' '.join(miss.ranked)}｜{' '.join(miss.text.split())[:50]}")


def per_style(rows: Sequence[LabelledText], report: EvalReport) -> list[str]:
    """Top-1/top-3 of the matter rows of each source style, from a pooled report's misses."""
    missed = {m.id: m for m in report.misses}
    out = []
    for style in sorted({r.source_style for r in rows if r.source_style}):
        matter_rows = [r for r in rows if r.source_style == style and not r.is_none]
        if not matter_rows:
            continue
        t1 = sum(r.id not in missed for r in matter_rows) / len(matter_rows)
        t3 = sum(r.id not in missed or r.matter_code in missed[r.id].ranked for r in matter_rows) / len(
            matter_rows
        )
        out.append(f"    {style:8s} top-1 {t1:.1%}  top-3 {t3:.1%}  ({len(matter_rows)} 行)")
    return out


def timing(index: DispatchIndex, texts: Sequence[str], repeat: int = 1) -> tuple[float, float]:
    ms = []
    for _ in range(repeat):
        for t in texts:
            start = time.perf_counter()
            index.rank(t)
            ms.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matters", default=DEFAULT_MATTERS, help="catalogue CSV (code,name,field,...)")
    ap.add_argument("-k", type=int, default=5, help="folds of the cross-validation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print only the k-fold JSON of `dispatch eval`")
    ap.add_argument("--ablation", action="store_true", help="also k-fold without profiles / synonyms")
    args = ap.parse_args()

    matters: list[Matter] = load_matters(args.matters)
    rows = load_rows(BUNDLED_DEV_SET)
    if args.json:
        print(json.dumps(cross_validate(rows, matters, args.k, seed=args.seed).as_json(), ensure_ascii=False))
        return

    print(f"开发集 {len(rows)} 行，事项目录 {len(matters)} 项（{args.matters}）")
    start = time.perf_counter()
    model = train(rows, matters, seed=args.seed)
    print(f"训练（全部开发集）：{time.perf_counter() - start:.1f} s；参数 {model.params}")
    print(f"  NONE 阈值 {model.none_detector.threshold:.3f}")

    start = time.perf_counter()
    kfold = cross_validate(rows, matters, args.k, seed=args.seed)
    print(f"\n{args.k} 折交叉验证（{time.perf_counter() - start:.0f} s）：\n  {kfold.summary()}")
    print("\n".join(per_style(rows, kfold)))
    print(f"  JSON {json.dumps(kfold.as_json(), ensure_ascii=False)}")

    print("\n风格迁移（用另外两种风格训练，测这一种）：")
    for style, report in style_shift(rows, matters, seed=args.seed).items():
        print(f"  {style:8s} {report.summary()}")

    index = DispatchIndex(model)
    print_check_set("风格检查集", BUNDLED_STYLE_SET, index, matters)
    for path in BUNDLED_HELDOUT_SETS:
        print_check_set("留出集", path, index, matters)

    short = [r.text for r in rows]
    long_texts = ["。".join(r.text for r in rows[i : i + 30])[:MAX_CHARS] for i in range(0, len(rows), 30)]
    p50, p95 = timing(index, short)
    lp50, lp95 = timing(index, long_texts, repeat=3)
    print(f"\n耗时（单条，{os.cpu_count()} 核）：短文本 p50 {p50:.1f} ms p95 {p95:.1f} ms；")
    print(f"  长文本（{MAX_CHARS} 字，更长的部分不读）p50 {lp50:.1f} ms p95 {lp95:.1f} ms")

    if args.ablation:
        print("\n消融（k 折）：")
        no_profiles = cross_validate(rows, matters, args.k, seed=args.seed, profiles=Profiles({}, "none"))
        print(f"  不用逐项说法（profiles）：{no_profiles.summary()}")
        no_synonyms = cross_validate(rows, matters, args.k, seed=args.seed, lexicon=Lexicon((), (), "none"))
        print(f"  不用同义词表（synonyms）：{no_synonyms.summary()}")


if __name__ == "__main__":
    main()
