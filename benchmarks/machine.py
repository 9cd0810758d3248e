"""A reference figure for the machine a benchmark ran on, printed beside its results: machines
of the same kind differ (and shared ones vary by the hour), so figures from two runs compare only
together with this one."""

from __future__ import annotations

import time


def python_loop_seconds(n: int = 10_000_000) -> float:
    """Seconds one core takes for `n` additions in a pure-Python loop (best of three)."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def describe() -> str:
    return f"本机单核参考：纯 Python 循环 1,000 万次加法 {python_loop_seconds():.2f} 秒（越小越快）"
