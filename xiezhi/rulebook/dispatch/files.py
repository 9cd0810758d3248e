"""Reading the catalogue's matters and labelled complaint texts from CSV files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from xiezhi.rulebook.dispatch.types import NONE_CODE, LabelledText, Matter

DATA_DIR = Path(__file__).resolve().parent / "data"
BUNDLED_DEV_SET = DATA_DIR / "dispatch_dev.csv"
BUNDLED_STYLE_SET = DATA_DIR / "dispatch_styles.csv"
# Never trained or tuned on. The first two were written for the field-prior work (the second
# after the first had been run once); the third was written by someone who had seen neither the
# development set nor the knowledge files (see data/README.md), so it is the cleanest.
BUNDLED_HELDOUT_SETS = (
    DATA_DIR / "dispatch_heldout.csv",
    DATA_DIR / "dispatch_heldout2.csv",
    DATA_DIR / "dispatch_heldout3.csv",
)


class DispatchDataError(ValueError):
    """A data file is unusable; the message is a Chinese sentence naming the file and line."""


def _read(path: Path | str, required: Iterable[str]) -> list[dict[str, str]]:
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise DispatchDataError(f"{path.name} 缺少列：{'、'.join(missing)}")
            return list(reader)
    except OSError as exc:
        raise DispatchDataError(f"无法读取 {path}：{exc.strerror or exc}") from exc


def load_matters(path: Path | str) -> list[Matter]:
    """Matters from a catalogue CSV with at least the columns code, name, field."""
    rows = _read(path, ("code", "name", "field"))
    matters: list[Matter] = []
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        if not code or code == NONE_CODE or code in seen:
            raise DispatchDataError(f"{Path(path).name} 第{line}行：事项编码为空、重复或为保留字 NONE")
        seen.add(code)
        matters.append(
            Matter(
                code=code,
                name=(row.get("name") or "").strip(),
                field=(row.get("field") or "").strip(),
                legal_basis_violation=(row.get("legal_basis_violation") or "").strip(),
                legal_basis_penalty=(row.get("legal_basis_penalty") or "").strip(),
                penalty=(row.get("penalty") or "").strip(),
            )
        )
    return matters


def load_rows(path: Path | str) -> list[LabelledText]:
    """Labelled texts from a CSV with the columns text and matter_code (NONE for service requests).

    Optional columns: id, source_style (or style), field. Empty texts are refused rather than skipped, so that an
    evaluation never silently measures fewer rows than the file holds.
    """
    rows = _read(path, ("text", "matter_code"))
    out: list[LabelledText] = []
    for line, row in enumerate(rows, start=2):
        text = (row.get("text") or "").strip()
        code = (row.get("matter_code") or "").strip() or NONE_CODE
        if not text:
            raise DispatchDataError(f"{Path(path).name} 第{line}行：诉求文本为空")
        out.append(
            LabelledText(
                text=text,
                matter_code=code,
                id=(row.get("id") or "").strip(),
                source_style=(row.get("source_style") or row.get("style") or "").strip(),
                field=(row.get("field") or "").strip(),
            )
        )
    return out
