"""`_jsonable`'s one-walk path for plain values gives exactly what encoding, decoding and cleaning
give (no database: it is pure)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiezhi.audit import services
from xiezhi.audit.services import _jsonable


def _clean(value: Any) -> Any:
    """NUL replaced in every key and string: what the trail stores (PostgreSQL refuses NUL)."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _slow(data: dict[str, Any]) -> Any:
    """The reference: masked, encoded to JSON, decoded and cleaned."""
    masked = services.mask_mapping(data, services._SENSITIVE)
    return _clean(json.loads(json.dumps(masked, ensure_ascii=False, default=str, allow_nan=False)))


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


text = st.text(alphabet=st.sampled_from("ab张三\x00\u0000-13812345678 "), max_size=12)
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
    | st.sampled_from([Colour.RED, Level.HIGH, date(2025, 10, 8), Decimal("1.50"), (1, "a")])
)
values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3)
)
keys = st.sampled_from(["status", "phone", "reporter_name", "note", "address", "n\x00ote", "password"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=4))
def test_plain_values_take_one_walk_and_come_out_the_same(data: dict[str, Any]) -> None:
    fast = _jsonable(data)
    assert fast == _slow(data)
    assert json.dumps(fast, ensure_ascii=False, sort_keys=True) == json.dumps(
        _slow(data), ensure_ascii=False, sort_keys=True
    )


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_values_json_cannot_hold_are_still_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        _jsonable({"ratio": bad})
