"""The working-day calendar (工作日历): pure Python, O(1) look-ups through a precomputed index.

A working day (LAW.md rule 56) is Monday–Friday, minus the dates a State Council notice lists
as holidays, plus the weekend dates it lists as working days (调休, ``adjusted_workday``).

Where the data comes from, per date:

* A date listed in a notice row (bundled ``data/cn_holidays.csv``, 2019–2026 notices, or an
  override row added by an administrator) follows that row.
* Any other date of a year that has a notice ("notice year") is a plain Mon–Fri working day.
* A year without a notice (before 2019, 2027 onwards) is not simply weekdays: the statutory
  holidays of 全国年节及纪念日放假办法 (LAW.md rule 55) are computed, with lunar dates and the
  清明 solar term from ``lunar_python`` (no hand-written lunar tables), and every answer is
  flagged ``provisional``. Two documented simplifications: no 调休 is invented, and a statutory
  holiday that falls on a weekend stays an ordinary weekend (the statutory compensation day is
  not computed). The 2025 pattern (13 days) applies from 2025; every earlier year uses the
  2008–2024 pattern (11 days), although 1949–2007 really had other schedules (e.g. the
  1999–2007 three-day 劳动节/国庆 "golden weeks" and no 清明/端午/中秋 holidays) — those
  years only matter for arithmetic on historical dates, which the platform does not need to
  be exact about.
* Weekends a notice merely joins to a holiday (与周末连休) are ordinary weekends (LAW.md
  rule 57): the bundled data does not list them, so ``describe`` says ``weekend``.

The index: for every day of 1949-01-01..2100-12-31 one byte (working day or not) and the
count of working days from 1 January of that year up to the day, and per year the list of its
working days as ``date`` objects. ``add_workdays`` is then two list look-ups (plus one hop per
year boundary crossed); nothing loops over days. Years are built lazily, one at a time, on
first use: the day arithmetic is cheap, but ``lunar_python`` needs ~3 ms per year, so building
all 152 years eagerly would cost ~0.5 s at start-up.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from importlib import resources
from types import MappingProxyType

from lunar_python import Lunar, LunarYear, Solar

FIRST_YEAR = 1949
LAST_YEAR = 2100
RANGE_ERROR = "日期超出支持范围（1949年至2100年）"

_BASE = date(FIRST_YEAR, 1, 1).toordinal()
_SIZE = date(LAST_YEAR, 12, 31).toordinal() - _BASE + 1
_NYEARS = LAST_YEAR - FIRST_YEAR + 1
# Offset (from _BASE) of 1 January of each supported year, plus the end sentinel.
_YEAR_START = tuple(date(y, 1, 1).toordinal() - _BASE for y in range(FIRST_YEAR, LAST_YEAR + 2))

HOLIDAY = "holiday"
WORKDAY = "workday"

STATUTE_2024 = "《全国年节及纪念日放假办法》（2024年修订，2025年1月1日起施行）第二条"
STATUTE_2013 = "《全国年节及纪念日放假办法》（2013年修订）第二条"
_NOTICE_YEAR_RE = re.compile(r"关于(?:调整|延长)?(\d{4})年")


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    ADJUSTED_WORKDAY = "adjusted_workday"


@dataclass(frozen=True, slots=True)
class HolidayRow:
    """One date named in a State Council notice: ``kind`` 'holiday' (放假) or 'workday' (上班)."""

    date: date
    kind: str
    name: str
    source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (HOLIDAY, WORKDAY):
            raise ValueError(f"日历条目类型应为 holiday（放假）或 workday（上班），而不是“{self.kind}”")
        _check_range(self.date)

    @property
    def notice_year(self) -> int:
        """The year whose notice this row belongs to.

        Read from the notice title in ``source`` ("关于2019年部分节假日安排的通知"); failing
        that, a late-December 元旦 row belongs to the next year's notice (the 2019 notice
        lists 2018-12-29..31).
        """
        match = _NOTICE_YEAR_RE.search(self.source)
        if match:
            return int(match.group(1))
        if self.date.month == 12 and "元旦" in self.name:
            return self.date.year + 1
        return self.date.year


@dataclass(frozen=True, slots=True)
class DayInfo:
    """What the calendar says about one date.

    ``holiday_name`` is the holiday for a holiday, the holiday an adjusted working day makes
    up for, or (provisional years) the statutory holiday that fell on a weekend; else None.
    ``source`` names the notice row, the year's notice, or the statute the estimate uses.
    """

    date: date
    kind: DayKind
    holiday_name: str | None
    provisional: bool
    source: str | None

    @property
    def is_workday(self) -> bool:
        return self.kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY)


def _check_range(d: date) -> None:
    i = d.toordinal() - _BASE
    if i < 0 or i >= _SIZE:
        raise ValueError(RANGE_ERROR)


def _solar_to_date(julian_day: float) -> date:
    s = Solar.fromJulianDay(julian_day)
    return date(s.getYear(), s.getMonth(), s.getDay())


@functools.cache
def lunar_festivals(year: int) -> Mapping[str, date]:
    """Gregorian dates of 除夕, 春节 (初一), 清明, 端午 and 中秋 in ``year``, from ``lunar_python``."""
    lunar_year = LunarYear(year)
    first_day = {m.getMonth(): m.getFirstJulianDay() for m in lunar_year.getMonths() if m.getYear() == year}
    spring = _solar_to_date(first_day[1])
    qingming = _solar_to_date(lunar_year.getJieQiJulianDays()[Lunar.JIE_QI_IN_USE.index("清明")])
    return MappingProxyType(
        {
            # 除夕 is the last day of the 12th lunar month (the 29th or 30th): the eve of 初一.
            "除夕": spring - timedelta(days=1),
            "春节": spring,
            "清明节": qingming,
            "端午节": _solar_to_date(first_day[5]) + timedelta(days=4),
            "中秋节": _solar_to_date(first_day[8]) + timedelta(days=14),
        }
    )


@functools.cache
def statutory_holidays(year: int) -> Mapping[date, str]:
    """The statutory full-public holidays of ``year`` (LAW.md rule 55), without any 调休."""
    festivals = lunar_festivals(year)
    spring = festivals["春节"]
    spring_days = [spring + timedelta(days=k) for k in range(3)]
    labour_days = [date(year, 5, 1)]
    if year >= 2025:
        spring_days.insert(0, festivals["除夕"])
        labour_days.append(date(year, 5, 2))
    runs: list[tuple[str, list[date]]] = [
        ("元旦", [date(year, 1, 1)]),
        ("春节", spring_days),
        ("清明节", [festivals["清明节"]]),
        ("劳动节", labour_days),
        ("端午节", [festivals["端午节"]]),
        ("中秋节", [festivals["中秋节"]]),
        ("国庆节", [date(year, 10, k) for k in (1, 2, 3)]),
    ]
    result: dict[date, str] = {}
    for name, days in runs:
        for d in days:
            # Overlaps (e.g. 中秋 on 1 October) keep both names: "国庆节、中秋节".
            result[d] = f"{result[d]}、{name}" if d in result else name
    return MappingProxyType(result)


def statutory_source(year: int) -> str:
    statute = STATUTE_2024 if year >= 2025 else STATUTE_2013
    return f"按{statute}推算（暂定，{year}年放假安排尚未公布）"


@functools.cache
def bundled_rows() -> tuple[HolidayRow, ...]:
    """The rows of the bundled ``data/cn_holidays.csv`` (see ``data/README.md``)."""
    text = resources.files(__package__).joinpath("data", "cn_holidays.csv").read_text(encoding="utf-8")
    return tuple(
        HolidayRow(date.fromisoformat(r["date"]), r["kind"], r["name"], r["source"])
        for r in csv.DictReader(io.StringIO(text))
    )


class WorkCalendar:
    """Bundled notice data, plus override rows layered on top (an override replaces a bundled
    row of the same date). A year gets "notice" treatment as soon as any row belongs to its
    notice, so an administrator who enters next year's notice turns that year from a
    provisional statutory estimate into confirmed data — enter the whole notice at once.
    """

    __slots__ = ("_cum", "_flags", "_lock", "_notice_source", "_notice_years", "_rows", "_wd")

    def __init__(self, overrides: Iterable[HolidayRow] = (), *, include_bundled: bool = True) -> None:
        rows: dict[date, HolidayRow] = {}
        if include_bundled:
            rows.update((r.date, r) for r in bundled_rows())
        for row in overrides:
            rows[row.date] = row
        self._rows = rows
        self._notice_years = frozenset(r.notice_year for r in rows.values())
        sources: dict[int, str] = {}
        for r in sorted(rows.values(), key=lambda r: r.date):
            sources.setdefault(r.notice_year, r.source)
        self._notice_source = sources
        self._flags = bytearray(_SIZE)
        self._cum: list[int] = [0] * _SIZE
        self._wd: list[list[date] | None] = [None] * _NYEARS
        self._lock = threading.Lock()

    @classmethod
    def from_rows(cls, rows: Iterable[HolidayRow]) -> WorkCalendar:
        """Bundled data plus ``rows`` (e.g. the database overrides)."""
        return cls(rows)

    @classmethod
    def default(cls) -> WorkCalendar:
        """The calendar the application uses: the registered provider's (bundled + DB
        overrides, once the Django app registers one), else the bundled calendar."""
        provider = _default_provider
        if provider is not None:
            return provider()
        return _bundled_calendar()

    @property
    def notice_years(self) -> frozenset[int]:
        """Years whose State Council notice is known (non-provisional)."""
        return self._notice_years

    # -- index ---------------------------------------------------------------------------

    def _build(self, yi: int) -> list[date]:
        with self._lock:
            built = self._wd[yi]
            if built is not None:
                return built
            year = FIRST_YEAR + yi
            rows = self._rows
            stat: Mapping[date, str] = {} if year in self._notice_years else statutory_holidays(year)
            flags, cum = self._flags, self._cum
            workdays: list[date] = []
            count = 0
            for i in range(_YEAR_START[yi], _YEAR_START[yi + 1]):
                d = date.fromordinal(_BASE + i)
                row = rows.get(d)
                if row is not None:
                    working = row.kind == WORKDAY
                else:
                    working = d.weekday() < 5 and d not in stat
                if working:
                    count += 1
                    workdays.append(d)
                flags[i] = working
                cum[i] = count
            # Published last, so a reader that sees the list also sees flags and counts.
            self._wd[yi] = workdays
            return workdays

    def _year(self, yi: int) -> list[date]:
        if not 0 <= yi < _NYEARS:
            raise ValueError(RANGE_ERROR)
        wd = self._wd[yi]
        return wd if wd is not None else self._build(yi)

    # -- queries -------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        i = d.toordinal() - _BASE
        if i < 0 or i >= _SIZE:
            raise ValueError(RANGE_ERROR)
        if self._wd[d.year - FIRST_YEAR] is None:
            self._build(d.year - FIRST_YEAR)
        return self._flags[i] == 1

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself is never counted); ``n == 0`` → ``d``."""
        i = d.toordinal() - _BASE
        if i < 0 or i >= _SIZE:
            raise ValueError(RANGE_ERROR)
        if n <= 0:
            if n == 0:
                return d
            raise ValueError(f"工作日数不能为负数（{n}）")
        yi = d.year - FIRST_YEAR
        wd = self._wd[yi]
        if wd is None:
            wd = self._build(yi)
        k = self._cum[i] + n
        if k <= len(wd):
            return wd[k - 1]
        k -= len(wd)
        while True:
            yi += 1
            wd = self._year(yi)
            if k <= len(wd):
                return wd[k - 1]
            k -= len(wd)

    def sub_workdays(self, d: date, n: int) -> date:
        """The n-th working day before ``d`` (``d`` not counted); ``n == 0`` → ``d``."""
        i = d.toordinal() - _BASE
        if i < 0 or i >= _SIZE:
            raise ValueError(RANGE_ERROR)
        if n <= 0:
            if n == 0:
                return d
            raise ValueError(f"工作日数不能为负数（{n}）")
        yi = d.year - FIRST_YEAR
        self._year(yi)
        # 1-based position, within d's year, of the working day we want.
        k = self._cum[i] - self._flags[i] - n + 1
        while k < 1:
            yi -= 1
            k += len(self._year(yi))
        wd = self._wd[yi]
        assert wd is not None
        return wd[k - 1]

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d`` — even when ``d`` is itself a working day."""
        return self.add_workdays(d, 1)

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; ``-workdays_between(b, a)`` when b < a; 0 when equal."""
        if b < a:
            return -self.workdays_between(b, a)
        ia = a.toordinal() - _BASE
        ib = b.toordinal() - _BASE
        if ia < 0 or ib >= _SIZE:
            raise ValueError(RANGE_ERROR)
        ya = a.year - FIRST_YEAR
        yb = b.year - FIRST_YEAR
        wa = self._year(ya)
        self._year(yb)
        cum = self._cum
        if ya == yb:
            return cum[ib] - cum[ia]
        total = len(wa) - cum[ia] + cum[ib]
        for yi in range(ya + 1, yb):
            total += len(self._year(yi))
        return total

    def is_provisional(self, d: date) -> bool:
        """True when ``d`` is not covered by a known notice (statutory estimate)."""
        _check_range(d)
        return d not in self._rows and d.year not in self._notice_years

    def describe(self, d: date) -> DayInfo:
        _check_range(d)
        weekend = d.weekday() >= 5
        row = self._rows.get(d)
        if row is not None:
            if row.kind == HOLIDAY:
                kind = DayKind.HOLIDAY
            else:
                kind = DayKind.ADJUSTED_WORKDAY if weekend else DayKind.WORKDAY
            return DayInfo(d, kind, row.name, False, row.source)
        plain = DayKind.WEEKEND if weekend else DayKind.WORKDAY
        if d.year in self._notice_years:
            return DayInfo(d, plain, None, False, self._notice_source.get(d.year))
        name = statutory_holidays(d.year).get(d)
        kind = DayKind.HOLIDAY if name is not None and not weekend else plain
        return DayInfo(d, kind, name, True, statutory_source(d.year))


_default_provider: Callable[[], WorkCalendar] | None = None


def register_default_provider(provider: Callable[[], WorkCalendar] | None) -> None:
    """Let the Django side make ``WorkCalendar.default()`` return bundled + DB overrides.

    The provider is called on every ``default()`` call, so it should cache its calendar and
    rebuild it when the overrides change. ``None`` restores the plain bundled calendar.
    """
    global _default_provider
    _default_provider = provider


def default_provider() -> Callable[[], WorkCalendar] | None:
    """The provider now registered, so a caller that swaps it can put it back."""
    return _default_provider


@functools.cache
def _bundled_calendar() -> WorkCalendar:
    return WorkCalendar()
