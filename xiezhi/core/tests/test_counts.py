"""core.pagination.remembered_count: small totals always exact; a large total is reused for
COUNT_TTL seconds, longer the longer it took to count, never more than COUNT_TTL_MAX."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from xiezhi.core import pagination


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    c = Clock()
    monkeypatch.setattr(pagination.time, "monotonic", c)
    pagination._counts.clear()
    yield c
    pagination._counts.clear()


def counting(clock: Clock, total: int, takes: float) -> tuple[Callable[[], int], list[int]]:
    calls: list[int] = []

    def count() -> int:
        calls.append(1)
        clock.now += takes
        return total

    return count, calls


@pytest.mark.parametrize(
    ("takes", "kept_for"),
    [(0.001, pagination.COUNT_TTL), (0.06, 60.0), (5.0, pagination.COUNT_TTL_MAX)],
)
def test_a_large_total_is_kept_longer_the_longer_it_took(clock: Clock, takes: float, kept_for: float) -> None:
    count, calls = counting(clock, 45_000, takes)
    started = clock.now
    assert pagination.remembered_count("default", "k", count) == 45_000
    clock.now = started + kept_for - 0.5
    assert pagination.remembered_count("default", "k", count) == 45_000 and len(calls) == 1
    clock.now = started + kept_for + 0.5
    pagination.remembered_count("default", "k", count)
    assert len(calls) == 2


def test_a_small_total_is_always_counted(clock: Clock) -> None:
    count, calls = counting(clock, pagination.COUNT_EXACT_UPTO, 0.5)
    for _ in range(3):
        assert pagination.remembered_count("default", "k", count) == pagination.COUNT_EXACT_UPTO
    assert len(calls) == 3


def test_keys_and_databases_are_kept_apart(clock: Clock) -> None:
    a, _ = counting(clock, 5000, 0.0)
    b, _ = counting(clock, 7000, 0.0)
    assert pagination.remembered_count("default", "a", a) == 5000
    assert pagination.remembered_count("default", "b", b) == 7000
    assert pagination.remembered_count("other", "a", b) == 7000
