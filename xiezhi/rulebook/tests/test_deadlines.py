"""Due times: the counting rules of LAW.md §D and every RULES.md limit through ``periods``.

Expected dates are worked out by hand from the bundled notices (data/cn_holidays.csv).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiezhi.rulebook import periods as P
from xiezhi.rulebook.deadlines import PROVISIONAL_NOTE, Extension, Suspension, due, remind_at
from xiezhi.rulebook.periods import Period, PeriodKind, parse_period
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.zh import format_date_zh, format_datetime_zh

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.default()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_the_issue_example_exactly() -> None:
    r = due(at(2024, 9, 27, 10, 0), parse_period("3WD"), CAL)
    assert r.explanation == (
        "自2024年9月27日起算3个工作日：9月29日（星期日）为调休上班日，10月1日至7日为国庆节假期，截止2024年10月8日17:30"
    )
    assert r.at == at(2024, 10, 8)
    assert r.counted_days == [date(2024, 9, 29), date(2024, 9, 30), date(2024, 10, 8)]
    assert not r.provisional


def test_start_in_another_time_zone_is_read_in_shanghai() -> None:
    assert due(datetime(2024, 9, 27, 2, 0, tzinfo=UTC), parse_period("3WD"), CAL).at == at(2024, 10, 8)
    # 18:00 UTC on the 27th is already 02:00 on Saturday the 28th in Shanghai.
    r = due(datetime(2024, 9, 27, 18, 0, tzinfo=UTC), parse_period("1WD"), CAL)
    assert r.at == at(2024, 9, 29) and r.explanation.startswith("自2024年9月28日起算")


def test_office_close_is_configurable() -> None:
    assert due(at(2024, 9, 27, 10), parse_period("3WD"), CAL, office_close=time(18, 0)).at == at(
        2024, 10, 8, 18, 0
    )


def test_naive_start_refused() -> None:
    with pytest.raises(ValueError, match="必须带时区"):
        due(datetime(2024, 9, 27, 10), parse_period("3WD"), CAL)


def test_bad_period_grammar_refused() -> None:
    with pytest.raises(ValueError, match="无法识别的时限“3 days”"):
        due(at(2024, 9, 27), parse_period("3 days"), CAL)


@pytest.mark.rule("R-TR-02")
def test_transfer_within_3_working_days() -> None:
    # Fri 2025-09-26; Sun 09-28 is a 调休 working day (1), Mon 29 (2), Tue 30 (3).
    r = due(at(2025, 9, 26, 15, 0), P.TRANSFER_NORMAL.period, CAL)
    assert r.at == at(2025, 9, 30)
    assert "9月28日（星期日）为调休上班日" in r.explanation


@pytest.mark.rule("R-TR-03")
def test_urgent_transfer_24_hours_over_a_weekend() -> None:
    # Fri 2025-03-07 16:20 → Sat 2025-03-08 16:20: the weekend does not stop the clock.
    r = due(at(2025, 3, 7, 16, 20), P.TRANSFER_URGENT.period, CAL)
    assert r.at == at(2025, 3, 8, 16, 20)
    assert r.counted_days == []
    assert r.explanation == (
        "自2025年3月7日16:20起算24小时：小时时限按自然时间连续计算，休息日、节假日不中断，截止2025年3月8日16:20"
    )


@pytest.mark.rule("R-TR-04")
def test_major_violation_transferred_immediately() -> None:
    start = at(2025, 5, 1, 9, 5)  # a holiday: "immediately" does not wait for a working day
    r = due(start, P.TRANSFER_IMMEDIATE.period, CAL)
    assert r.at == start
    assert r.explanation == "自2025年5月1日09:05起立即办理：迟延时长自该时起计算，截止2025年5月1日09:05"


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_formalities_within_24_hours() -> None:
    # Mon 2024-09-30 20:15 → Tue 2024-10-01 20:15, a national holiday.
    r = due(at(2024, 9, 30, 20, 15), P.ORAL_TRANSFER_FORMALITIES.period, CAL)
    assert r.at == at(2024, 10, 1, 20, 15)


@pytest.mark.rule("R-TR-08")
def test_acceptance_reply_within_3_working_days() -> None:
    # Wed 2025-04-30; 劳动节 05-01..05-05; Tue 05-06 (1), 05-07 (2), 05-08 (3).
    r = due(at(2025, 4, 30, 9, 0), P.ACCEPTANCE_REPLY.period, CAL)
    assert r.at == at(2025, 5, 8)
    assert "5月1日至5日为劳动节假期" in r.explanation


@pytest.mark.rule("R-CO-05")
def test_assistance_reply_within_3_working_days() -> None:
    # Fri 2026-02-13; Sat 02-14 is a 调休 working day (1); 春节 02-15..02-23; 02-24 (2), 02-25 (3).
    r = due(at(2026, 2, 13, 11, 0), P.ASSISTANCE_REPLY.period, CAL)
    assert r.at == at(2026, 2, 25)
    assert r.explanation == (
        "自2026年2月13日起算3个工作日：2月14日（星期六）为调休上班日，2月15日至23日为春节假期，截止2026年2月25日17:30"
    )


@pytest.mark.rule("R-SH-02")
def test_share_within_1_working_day() -> None:
    # Tue 2024-12-31; 元旦 2025-01-01; Thu 2025-01-02.
    r = due(at(2024, 12, 31, 16, 0), P.SHARE.period, CAL)
    assert r.at == at(2025, 1, 2)
    assert r.explanation == "自2024年12月31日起算1个工作日：2025年1月1日为元旦假期，截止2025年1月2日17:30"


@pytest.mark.rule("R-SUP-04")
def test_supervision_report_within_3_working_days() -> None:
    # Thu 2023-09-28; 中秋/国庆 09-29..10-06; Sat 10-07 (1) and Sun 10-08 (2) are 调休; Mon 10-09 (3).
    r = due(at(2023, 9, 28, 10, 0), P.SUP_REPORT.period, CAL)
    assert r.at == at(2023, 10, 9)
    assert r.counted_days == [date(2023, 10, 7), date(2023, 10, 8), date(2023, 10, 9)]
    assert "9月29日至10月6日为中秋节、国庆节假期" in r.explanation
    assert "10月7日（星期六）、10月8日（星期日）为调休上班日" in r.explanation


@pytest.mark.rule("R-SUP-06")
def test_opinion_reply_within_3_working_days() -> None:
    # Thu 2026-09-24; 中秋 09-25..09-27; Mon 09-28 (1), 09-29 (2), 09-30 (3).
    r = due(at(2026, 9, 24, 14, 0), P.SUP_OPINION_REPLY.period, CAL)
    assert r.at == at(2026, 9, 30)


def test_calendar_days_ending_on_a_holiday_roll_over() -> None:
    # 行政处罚法 art. 67: 15 days from Sat 2025-09-20 → Sun 10-05, inside 国庆/中秋 10-01..10-08;
    # 民法典 art. 203 → the first working day after it, Thu 10-09, until 24:00.
    r = due(at(2025, 9, 20, 9, 0), P.APL_FINE_PAYMENT.period, CAL)
    assert r.at == datetime(2025, 10, 10, 0, 0, tzinfo=SH)
    assert r.ends_at_midnight and r.last_day == date(2025, 10, 9)
    assert r.at_zh == "2025年10月9日24:00"
    assert len(r.counted_days) == 15 and r.counted_days[-1] == date(2025, 10, 5)
    assert r.explanation == (
        "自2025年9月20日起算15日：最后一日10月5日（星期日）为国庆节、中秋节假期，"
        "依民法典第二百零三条顺延至10月9日，截止2025年10月9日24:00"
    )


def test_calendar_days_ending_on_a_weekend_or_workday() -> None:
    r = due(at(2025, 3, 1, 9, 0), Period(PeriodKind.CALENDAR_DAYS, 15), CAL)
    assert r.last_day == date(2025, 3, 17)  # Sun 03-16 → Mon 03-17
    assert "为休息日" in r.explanation
    # Ending on a 调休 Sunday: a working day, so no roll-over.
    r = due(at(2024, 9, 19, 9, 0), Period(PeriodKind.CALENDAR_DAYS, 10), CAL)
    assert r.last_day == date(2024, 9, 29)
    assert r.explanation == "自2024年9月19日起算10日，截止2024年9月29日24:00"


def test_suspension_and_extension() -> None:
    # 3WD + 2WD extension → 5WD: 09-29, 09-30, 10-08, 10-09, 10-10. Suspended 10-08..10-10
    # (3 working days) → they are added back after 10-10: 10-11, 10-12 (调休 Sat), 10-14.
    r = due(
        at(2024, 9, 27, 10),
        parse_period("3WD"),
        CAL,
        pauses=[Suspension(date(2024, 10, 8), date(2024, 10, 10), "等待检测结果", "张三")],
        extensions=[Extension(parse_period("2WD"), "案情复杂", "李四")],
    )
    assert r.at == at(2024, 10, 14)
    assert r.counted_days == [
        date(2024, 9, 29),
        date(2024, 9, 30),
        date(2024, 10, 11),
        date(2024, 10, 12),
        date(2024, 10, 14),
    ]
    assert "延期2个工作日（理由：案情复杂；批准人：李四）" in r.explanation
    assert "中止10月8日至10日（理由：等待检测结果；批准人：张三），其间3个工作日不计入" in r.explanation
    assert r.explanation.endswith("截止2024年10月14日17:30")


def test_suspension_outside_the_period_changes_nothing() -> None:
    base = due(at(2024, 9, 27, 10), parse_period("3WD"), CAL)
    later = due(
        at(2024, 9, 27, 10),
        parse_period("3WD"),
        CAL,
        pauses=[Suspension(date(2024, 10, 9), date(2024, 10, 20), "事后", "王五")],
    )
    assert later.at == base.at
    assert "不在计算期间内" in later.explanation


def test_suspension_running_past_the_due_day_resumes_the_remainder() -> None:
    # Due Tue 10-08; suspended from the holiday 10-07 to 10-20: 1 WD (10-08) was left → Mon 10-21.
    r = due(
        at(2024, 9, 27, 10),
        parse_period("3WD"),
        CAL,
        pauses=[Suspension(date(2024, 10, 7), date(2024, 10, 20), "鉴定", "赵六")],
    )
    assert r.at == at(2024, 10, 21)


def test_suspension_of_calendar_day_and_hour_periods() -> None:
    # 15d from 2025-03-03 → 03-18; paused 03-10..03-12 (3 days) → 03-21 (Fri).
    r = due(
        at(2025, 3, 3, 9, 0),
        parse_period("15d"),
        CAL,
        pauses=[Suspension(date(2025, 3, 10), date(2025, 3, 12), "中止", "甲")],
    )
    assert r.last_day == date(2025, 3, 21)
    assert len(r.counted_days) == 15
    # 24h from Mon 2025-03-03 10:00; paused all of 03-04: 14 h had run, 10 h were left → 03-05 10:00.
    r = due(
        at(2025, 3, 3, 10, 0),
        parse_period("24h"),
        CAL,
        pauses=[Suspension(date(2025, 3, 4), date(2025, 3, 4), "中止", "乙")],
    )
    assert r.at == at(2025, 3, 5, 10, 0)


def test_extension_must_use_the_same_unit() -> None:
    with pytest.raises(ValueError, match="应与原时限"):
        due(at(2024, 9, 27), parse_period("3WD"), CAL, extensions=[Extension(parse_period("5d"), "x", "y")])
    with pytest.raises(ValueError, match="不能延期"):
        due(at(2024, 9, 27), P.IMMEDIATE, CAL, extensions=[Extension(parse_period("1WD"), "x", "y")])
    with pytest.raises(ValueError, match="结束日期"):
        Suspension(date(2024, 10, 9), date(2024, 10, 1), "x", "y")


def test_provisional_year_is_flagged() -> None:
    # No 2027 notice: 除夕 Fri 2027-02-05 and 初三 Mon 02-08 are estimated holidays.
    r = due(at(2027, 2, 4, 10), parse_period("2WD"), CAL)
    assert r.at == at(2027, 2, 10)
    assert r.provisional
    assert r.explanation == (
        "自2027年2月4日起算2个工作日：2月5日至8日为春节假期，截止2027年2月10日17:30" + PROVISIONAL_NOTE
    )
    assert not due(at(2026, 12, 1, 10), parse_period("3WD"), CAL).provisional


def test_remaining_workdays_for_the_todo_page() -> None:
    r = due(at(2024, 9, 27, 10), parse_period("3WD"), CAL)  # due 2024-10-08 17:30
    assert r.remaining_workdays(at(2024, 9, 27, 12), CAL) == 3
    assert r.remaining_workdays(at(2024, 9, 30, 12), CAL) == 1
    assert r.remaining_workdays(at(2024, 10, 8, 10), CAL) == 0
    assert r.remaining_workdays(at(2024, 10, 8, 18), CAL) == -1
    assert r.remaining_workdays(at(2024, 10, 10, 9), CAL) == -2
    with pytest.raises(ValueError, match="必须带时区"):
        r.remaining_workdays(datetime(2024, 10, 1), CAL)


def test_remind_one_working_day_before() -> None:
    r = due(at(2024, 9, 27, 10), parse_period("3WD"), CAL)
    assert remind_at(r, P.REMINDER_BEFORE.period, CAL) == at(2024, 9, 30)
    assert remind_at(r, P.REMINDER_AT_DUE.period, CAL) == r.at
    cal_due = due(at(2025, 9, 20, 9), parse_period("15d"), CAL)  # 24:00 of 10-09
    # One working day before 10-09 is 09-30 (10-01..10-08 are holidays): 24:00 of 09-30.
    assert remind_at(cal_due, P.REMINDER_BEFORE.period, CAL) == datetime(2025, 10, 1, 0, 0, tzinfo=SH)


def test_zh_helpers() -> None:
    assert format_date_zh(date(2025, 10, 8)) == "2025年10月8日"
    assert format_datetime_zh(datetime(2024, 10, 8, 9, 30, tzinfo=UTC)) == "2024年10月8日17:30"
    assert format_datetime_zh(datetime(2025, 10, 10, tzinfo=SH), end_of_day=True) == "2025年10月9日24:00"
    assert format_datetime_zh(datetime(2025, 10, 10, tzinfo=SH)) == "2025年10月10日00:00"


def test_every_rules_md_working_day_limit_lands_on_a_working_day() -> None:
    start = at(2024, 4, 30, 10)
    for limit in P.LIMITS.values():
        if limit.period.kind is PeriodKind.WORKDAYS:
            r = due(start, limit.period, CAL)
            assert len(r.counted_days) == limit.period.n
            assert all(CAL.is_workday(d) for d in r.counted_days)
            assert r.at.date() == (r.counted_days[-1] if r.counted_days else start.date())
            assert r.at - start > timedelta(0)
