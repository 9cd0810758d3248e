"""The working-day calendar: bundled notice data, statutory estimates, O(1) arithmetic."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Lunar, LunarMonth

from xiezhi.rulebook import workdays
from xiezhi.rulebook.workdays import (
    RANGE_ERROR,
    DayKind,
    HolidayRow,
    WorkCalendar,
    bundled_rows,
    default_provider,
    register_default_provider,
    statutory_holidays,
)

CAL = WorkCalendar.default()
CSV_PATH = Path(workdays.__file__).parent / "data" / "cn_holidays.csv"
with CSV_PATH.open(encoding="utf-8") as fh:
    CSV_ROWS = [(date.fromisoformat(r["date"]), r["kind"], r["name"]) for r in csv.DictReader(fh)]
LISTED = {d for d, _, _ in CSV_ROWS}


def test_bundled_csv_covers_the_2019_to_2026_notices() -> None:
    assert len(CSV_ROWS) == 285
    assert CSV_ROWS[0][0] == date(2018, 12, 29)
    assert {r.notice_year for r in bundled_rows()} == set(range(2019, 2027))
    assert CAL.notice_years == frozenset(range(2019, 2027))


def _notice_row_problems(day: date, kind: str, name: str) -> list[str]:
    info = CAL.describe(day)
    problems = []
    if info.provisional or info.holiday_name != name:
        problems.append(f"{day}: {info}")
    if kind == "holiday":
        if CAL.is_workday(day) or info.kind is not DayKind.HOLIDAY:
            problems.append(f"{day}: a holiday counted as {info.kind}")
    elif not CAL.is_workday(day) or day.weekday() < 5 or info.kind is not DayKind.ADJUSTED_WORKDAY:
        # Every 调休 date of the notices is a Saturday or Sunday made a working day.
        problems.append(f"{day}: a 调休 date counted as {info.kind}")
    return problems


def test_every_notice_date() -> None:
    """Table-driven over all 285 rows: each holiday is not a working day, each 调休 date is."""
    problems = [p for row in CSV_ROWS for p in _notice_row_problems(*row)]
    assert problems == []
    assert sum(1 for _, kind, _ in CSV_ROWS if kind == "workday") > 40


def test_the_table_check_can_fail() -> None:
    assert _notice_row_problems(date(2024, 10, 8), "holiday", "国庆节")
    assert _notice_row_problems(date(2024, 10, 5), "workday", "国庆节")


def test_unlisted_dates_of_notice_years_are_plain_weekdays() -> None:
    d = date(2019, 1, 1)
    while d <= date(2026, 12, 31):
        if d not in LISTED:
            assert CAL.is_workday(d) == (d.weekday() < 5), d
            assert CAL.describe(d).kind is (DayKind.WORKDAY if d.weekday() < 5 else DayKind.WEEKEND)
        d += timedelta(days=1)


def test_describe_agrees_with_the_index() -> None:
    d = date(2017, 12, 1)
    while d <= date(2028, 1, 31):
        info = CAL.describe(d)
        assert info.is_workday == CAL.is_workday(d), d
        assert (
            info.provisional == CAL.is_provisional(d) == (d.year not in range(2019, 2027) and d not in LISTED)
        )
        d += timedelta(days=1)


def test_weekends_joined_to_a_holiday_are_ordinary_weekends() -> None:
    # LAW.md rule 57: 2019 清明 was Fri 5 April "与周末连休"; the weekend is not a holiday.
    assert CAL.describe(date(2019, 4, 5)).kind is DayKind.HOLIDAY
    for d in (date(2019, 4, 6), date(2019, 4, 7), date(2023, 12, 30), date(2023, 12, 31)):
        info = CAL.describe(d)
        assert info.kind is DayKind.WEEKEND
        assert info.holiday_name is None
        assert not info.provisional


def test_the_2020_spring_festival_extension_is_applied() -> None:
    assert not CAL.is_workday(date(2020, 1, 31))
    assert CAL.add_workdays(date(2020, 1, 23), 1) == date(2020, 2, 3)


def test_add_workdays_basics() -> None:
    assert CAL.add_workdays(date(2024, 9, 27), 0) == date(2024, 9, 27)
    assert CAL.add_workdays(date(2024, 9, 28), 0) == date(2024, 9, 28)  # even on a weekend
    assert CAL.add_workdays(date(2024, 9, 27), 1) == date(2024, 9, 29)  # Sunday 调休
    assert CAL.add_workdays(date(2024, 9, 27), 3) == date(2024, 10, 8)
    assert CAL.add_workdays(date(2018, 12, 28), 1) == date(2018, 12, 29)
    assert CAL.add_workdays(date(2018, 12, 29), 1) == date(2019, 1, 2)  # across the year
    assert CAL.add_workdays(date(2024, 1, 2), 250) > date(2024, 12, 1)


def test_negative_n_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="工作日数不能为负数"):
        CAL.add_workdays(date(2024, 9, 27), -1)


def test_next_workday_is_strictly_after() -> None:
    assert CAL.next_workday(date(2024, 9, 30)) == date(2024, 10, 8)
    assert CAL.next_workday(date(2024, 10, 8)) == date(2024, 10, 9)  # a working day is not its own next


def test_workdays_between_is_half_open_and_antisymmetric() -> None:
    a, b = date(2024, 9, 27), date(2024, 10, 8)
    assert CAL.workdays_between(a, b) == 3
    assert CAL.workdays_between(b, a) == -3
    assert CAL.workdays_between(a, a) == 0
    assert CAL.workdays_between(date(2024, 10, 1), date(2024, 10, 7)) == 0
    assert CAL.workdays_between(date(2018, 12, 31), date(2027, 1, 1)) == sum(
        1
        for k in range(1, (date(2027, 1, 1) - date(2018, 12, 31)).days + 1)
        if CAL.is_workday(date(2018, 12, 31) + timedelta(days=k))
    )


def test_sub_workdays() -> None:
    assert CAL.sub_workdays(date(2024, 10, 8), 1) == date(2024, 9, 30)
    assert CAL.sub_workdays(date(2024, 10, 8), 3) == date(2024, 9, 27)
    assert CAL.sub_workdays(date(2019, 1, 2), 1) == date(2018, 12, 29)
    assert CAL.sub_workdays(date(2019, 1, 2), 0) == date(2019, 1, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.is_workday(date(1948, 12, 31)),
        lambda: CAL.is_workday(date(2101, 1, 1)),
        lambda: CAL.add_workdays(date(2100, 12, 30), 5),
        lambda: CAL.sub_workdays(date(1949, 1, 3), 5),
        lambda: CAL.workdays_between(date(2000, 1, 1), date(2101, 1, 1)),
        lambda: CAL.describe(date(1900, 1, 1)),
    ],
)
def test_outside_the_supported_range(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError) as err:
        call()
    assert str(err.value) == RANGE_ERROR == "日期超出支持范围（1949年至2100年）"


def _chuxi(year: int) -> date:
    """除夕 of Gregorian ``year``: the last day (29th or 30th) of the previous lunar year's 12th month."""
    last = LunarMonth.fromYm(year - 1, 12).getDayCount()
    s = Lunar.fromYmd(year - 1, 12, last).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def test_2027_spring_festival_is_estimated_from_the_lunar_calendar() -> None:
    # Known fact: Chinese New Year 2027 is Saturday 6 February, 除夕 Friday 5 February.
    assert _chuxi(2027) == date(2027, 2, 5)
    eve = CAL.describe(date(2027, 2, 5))
    assert (eve.kind, eve.holiday_name, eve.provisional) == (DayKind.HOLIDAY, "春节", True)
    # 初一/初二 fall on the weekend: they stay weekends (no compensation day is computed).
    assert CAL.describe(date(2027, 2, 6)).kind is DayKind.WEEKEND
    assert CAL.describe(date(2027, 2, 6)).holiday_name == "春节"
    assert CAL.describe(date(2027, 2, 8)).kind is DayKind.HOLIDAY  # 初三, Monday
    assert CAL.is_workday(date(2027, 2, 9))  # 初四
    assert "全国年节及纪念日放假办法" in (CAL.describe(date(2027, 2, 5)).source or "")


@pytest.mark.parametrize("year", [2027, 2031, 2050, 2100])
def test_statutory_estimate_from_2025(year: int) -> None:
    hol = statutory_holidays(year)
    spring = Lunar.fromYmd(year, 1, 1).getSolar()
    first = date(spring.getYear(), spring.getMonth(), spring.getDay())
    assert _chuxi(year) == first - timedelta(days=1)
    qm = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    dw = Lunar.fromYmd(year, 5, 5).getSolar()
    zq = Lunar.fromYmd(year, 8, 15).getSolar()
    expected = {
        date(year, 1, 1),
        _chuxi(year),
        first,
        first + timedelta(days=1),
        first + timedelta(days=2),
        date(qm.getYear(), qm.getMonth(), qm.getDay()),
        date(year, 5, 1),
        date(year, 5, 2),
        date(dw.getYear(), dw.getMonth(), dw.getDay()),
        date(zq.getYear(), zq.getMonth(), zq.getDay()),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    assert set(hol) == expected
    for d in expected:
        assert CAL.is_workday(d) is False
        assert CAL.describe(d).provisional
    assert CAL.is_provisional(date(year, 7, 1))


def test_statutory_estimate_before_2025_has_no_chuxi_and_one_labour_day() -> None:
    # 2018 (no bundled notice): 初一 2018-02-16; the 2008–2024 pattern has 3 spring days.
    hol = statutory_holidays(2018)
    assert date(2018, 2, 15) not in hol and CAL.is_workday(date(2018, 2, 15))
    assert [d for d in hol if d.month == 2] == [date(2018, 2, 16), date(2018, 2, 17), date(2018, 2, 18)]
    assert not CAL.is_workday(date(2018, 5, 1)) and CAL.is_workday(date(2018, 5, 2))
    assert len(hol) == 11
    # 2018-12-29..31 come from the 2019 notice and are therefore confirmed.
    assert not CAL.describe(date(2018, 12, 29)).provisional
    assert CAL.describe(date(2018, 12, 28)).provisional


def test_overrides_add_a_new_years_notice() -> None:
    src = "国务院办公厅关于2027年部分节假日安排的通知（测试数据）"
    rows = [HolidayRow(date(2027, 2, 5) + timedelta(days=k), "holiday", "春节", src) for k in range(8)]
    rows.append(HolidayRow(date(2027, 2, 20), "workday", "春节", src))
    cal = WorkCalendar.from_rows(rows)
    assert 2027 in cal.notice_years
    info = cal.describe(date(2027, 2, 11))
    assert (info.kind, info.provisional) == (DayKind.HOLIDAY, False)
    assert cal.describe(date(2027, 2, 20)).kind is DayKind.ADJUSTED_WORKDAY
    # Once the year has a notice, dates it does not list are plain weekdays (清明 not entered here).
    assert cal.is_workday(date(2027, 4, 5)) and not CAL.is_workday(date(2027, 4, 5))
    # The bundled calendar is untouched.
    assert CAL.describe(date(2027, 2, 11)).provisional


def test_override_replaces_a_bundled_row() -> None:
    cal = WorkCalendar([HolidayRow(date(2024, 10, 7), "workday", "国庆节", "更正")])
    assert cal.is_workday(date(2024, 10, 7))
    assert cal.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 7)


def test_holiday_row_validation_and_notice_year() -> None:
    with pytest.raises(ValueError, match="holiday"):
        HolidayRow(date(2027, 1, 1), "rest", "元旦")
    assert HolidayRow(date(2026, 12, 31), "holiday", "元旦").notice_year == 2027
    assert (
        HolidayRow(date(2026, 12, 31), "holiday", "元旦", "关于2026年部分节假日安排的通知").notice_year
        == 2026
    )


def test_default_provider_hook() -> None:
    custom = WorkCalendar([HolidayRow(date(2025, 3, 3), "holiday", "测试", "测试")])
    previous = default_provider()
    register_default_provider(lambda: custom)
    try:
        assert WorkCalendar.default() is custom
        assert not WorkCalendar.default().is_workday(date(2025, 3, 3))
        register_default_provider(None)
        assert WorkCalendar.default() is CAL
        assert CAL.is_workday(date(2025, 3, 3))
    finally:
        register_default_provider(previous)


# --- properties --------------------------------------------------------------------------

# Each year outside the notices costs ~3 ms of lunar_python the first time it is used, so
# the whole range gets fewer examples than the years around the notices.
any_day = st.dates(min_value=date(1949, 1, 1), max_value=date(2100, 10, 15))
notice_day = st.dates(min_value=date(2018, 10, 1), max_value=date(2027, 3, 31))
provisional_day = st.dates(min_value=date(2027, 1, 1), max_value=date(2100, 10, 15))
counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=60, deadline=None)
@given(d=any_day, n=counts)
def test_add_then_count_round_trips(d: date, n: int) -> None:
    _check_round_trip(d, n)


@settings(max_examples=300, deadline=None)
@given(d=notice_day, n=counts)
def test_add_then_count_round_trips_around_the_notices(d: date, n: int) -> None:
    _check_round_trip(d, n)


def _check_round_trip(d: date, n: int) -> None:
    r = CAL.add_workdays(d, n)
    assert CAL.workdays_between(d, r) == n
    assert CAL.workdays_between(r, d) == -n
    if n == 0:
        assert r == d
    else:
        assert r > d and CAL.is_workday(r)
        assert CAL.add_workdays(d, n + 1) > r  # strictly monotonic in n
        # Going back n working days lands on d, or on the last working day before it
        # (1949-01-03 is the first working day of the supported range).
        if d >= date(1949, 1, 3):
            back = CAL.sub_workdays(r, n)
            assert back == (d if CAL.is_workday(d) else CAL.sub_workdays(d, 1))


@settings(max_examples=40, deadline=None)
@given(d=provisional_day, n=st.integers(min_value=1, max_value=25))
def test_index_agrees_with_a_day_by_day_walk(d: date, n: int) -> None:
    walked, left = d, n
    while left:
        walked += timedelta(days=1)
        if CAL.is_workday(walked):
            left -= 1
    assert CAL.add_workdays(d, n) == walked
    info = CAL.describe(walked)
    assert info.is_workday and info.provisional
    # No invented 调休: in a provisional year a working day is always Monday–Friday.
    assert walked.weekday() < 5
