"""Benchmark of the working-day calendar: ``.venv/bin/python benchmarks/calendar.py``.

Prints µs per ``add_workdays`` call over 1,000,000 random calls (starts 2019–2026, n 1..30),
the speed-up over the obvious day-by-day loop on PyPI ``chinesecalendar`` (benchmark-only
dependency; timed on a smaller sample and scaled), the index build times, and every date of
2019-01-01..2026-12-31 on which the two calendars disagree. Figures are printed, never asserted.
"""

from __future__ import annotations

import os
import sys

# This file is called calendar.py: keep its folder off sys.path so that any `import calendar`
# (stdlib, used by chinesecalendar's dependencies) does not import this script instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import random  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from xiezhi.rulebook.workdays import WorkCalendar  # noqa: E402

CALLS = 1_000_000
SLOW_CALLS = 5_000
FIRST, LAST = date(2019, 1, 1), date(2026, 12, 31)
ONE_DAY = timedelta(days=1)


def main() -> None:
    try:
        import chinese_calendar
    except ImportError:
        sys.exit("chinesecalendar is not installed: pip install -e '.[bench]'")

    t0 = time.perf_counter()
    cal = WorkCalendar()
    for year in range(2019, 2028):
        cal.is_workday(date(year, 1, 1))
    build_notice = time.perf_counter() - t0
    t0 = time.perf_counter()
    full = WorkCalendar()
    for year in range(1949, 2101):
        full.is_workday(date(year, 6, 1))
    build_full = time.perf_counter() - t0
    print(f"index build: 2019–2027 {build_notice * 1e3:.1f} ms; all of 1949–2100 {build_full * 1e3:.0f} ms")

    rng = random.Random(20240927)
    lo, hi = FIRST.toordinal(), LAST.toordinal()
    starts = [date.fromordinal(rng.randint(lo, hi)) for _ in range(CALLS)]
    counts = [rng.randint(1, 30) for _ in range(CALLS)]

    add = cal.add_workdays
    t0 = time.perf_counter()
    for d, n in zip(starts, counts, strict=True):
        add(d, n)
    fast_total = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _d, _n in zip(starts, counts, strict=True):
        pass
    loop_overhead = time.perf_counter() - t0
    fast_us = fast_total / CALLS * 1e6
    print(
        f"add_workdays: {CALLS:,} calls in {fast_total:.3f} s = {fast_us:.3f} µs/call "
        f"({(fast_total - loop_overhead) / CALLS * 1e6:.3f} µs net of the loop itself)"
    )

    def slow_add(d: date, n: int) -> date:
        while n:
            d += ONE_DAY
            if chinese_calendar.is_workday(d):
                n -= 1
        return d

    # chinesecalendar has no data after 2026: keep the sampled calls whose answer stays in it.
    sample = [
        (d, n) for d, n in zip(starts[:SLOW_CALLS], counts[:SLOW_CALLS], strict=True) if add(d, n) <= LAST
    ]
    t0 = time.perf_counter()
    slow_results = [slow_add(d, n) for d, n in sample]
    slow_total = time.perf_counter() - t0
    slow_us = slow_total / len(sample) * 1e6
    wrong = sum(1 for (d, n), r in zip(sample, slow_results, strict=True) if add(d, n) != r)
    print(
        f"chinesecalendar loop: {len(sample):,} calls in {slow_total:.2f} s = {slow_us:.1f} µs/call "
        f"(≈ {slow_us * CALLS / 1e6:.0f} s for {CALLS:,}); speed-up {slow_us / fast_us:,.0f}×; "
        f"{wrong} different answers"
    )

    disagreements = []
    d = FIRST
    while d <= LAST:
        if cal.is_workday(d) != chinese_calendar.is_workday(d):
            disagreements.append(d)
        d += ONE_DAY
    days = (LAST - FIRST).days + 1
    print(
        f"is_workday vs chinesecalendar over {FIRST}..{LAST} ({days} days): {len(disagreements)} disagreements"
    )
    for d in disagreements:
        info = cal.describe(d)
        print(
            f"  {d} ours={cal.is_workday(d)} ({info.kind}, {info.holiday_name}) chinesecalendar={not cal.is_workday(d)}"
        )


if __name__ == "__main__":
    main()
