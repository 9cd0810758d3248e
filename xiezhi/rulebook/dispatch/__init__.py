"""The dispatch assistant: which catalogue matter a complaint is about, and who acts on it.

Pure Python (jieba, bm25s, scikit-learn; no Django). Typical use:

    model = train(load_rows(BUNDLED_DEV_SET), load_matters("xiezhi/catalogue/data/matters.csv"))
    model.save("var/dispatch.model")
    index = DispatchIndex.load("var/dispatch.model")       # once per process
    result = suggest(text, township_code, today, index=index, catalogue=snapshot)

See README.md in this package for the design and the measured figures.
"""

from xiezhi.rulebook.dispatch.evaluation import (
    JSON_KEYS,
    EvalReport,
    cross_validate,
    eval_json,
    evaluate,
    style_shift,
)
from xiezhi.rulebook.dispatch.files import (
    BUNDLED_DEV_SET,
    BUNDLED_HELDOUT_SETS,
    BUNDLED_STYLE_SET,
    DispatchDataError,
    load_matters,
    load_rows,
)
from xiezhi.rulebook.dispatch.index import DispatchIndex, suggest
from xiezhi.rulebook.dispatch.model import FORMAT_VERSION, DispatchModel, ModelFormatError, Params
from xiezhi.rulebook.dispatch.training import train
from xiezhi.rulebook.dispatch.types import (
    NONE_CODE,
    NONE_REASON,
    DispatchResult,
    LabelledText,
    Matter,
    Suggestion,
)

__all__ = [
    "BUNDLED_DEV_SET",
    "BUNDLED_HELDOUT_SETS",
    "BUNDLED_STYLE_SET",
    "FORMAT_VERSION",
    "JSON_KEYS",
    "NONE_CODE",
    "NONE_REASON",
    "DispatchDataError",
    "DispatchIndex",
    "DispatchModel",
    "DispatchResult",
    "EvalReport",
    "LabelledText",
    "Matter",
    "ModelFormatError",
    "Params",
    "Suggestion",
    "cross_validate",
    "eval_json",
    "evaluate",
    "load_matters",
    "load_rows",
    "style_shift",
    "suggest",
    "train",
]
