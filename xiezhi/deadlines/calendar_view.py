"""A year of the working-day calendar as 12 month grids (Monday first) for the calendar page."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from xiezhi.rulebook.workdays import DayKind, WorkCalendar

KIND_CSS = {
    DayKind.WORKDAY: "workday",
    DayKind.WEEKEND: "weekend",
    DayKind.HOLIDAY: "holiday",
    DayKind.ADJUSTED_WORKDAY: "adjusted",
}
KIND_ZH = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "休息日",
    DayKind.HOLIDAY: "节假日",
    DayKind.ADJUSTED_WORKDAY: "调休上班",
}
WEEK_HEAD = ("一", "二", "三", "四", "五", "六", "日")


@dataclass(frozen=True)
class Cell:
    day: date
    css: str
    title: str
    mark: str


@dataclass(frozen=True)
class Month:
    number: int
    weeks: list[list[Cell | None]]
    workdays: int


def _cell(calendar: WorkCalendar, d: date) -> Cell:
    info = calendar.describe(d)
    css = KIND_CSS[info.kind] + (" provisional" if info.provisional else "")
    title = f"{d.month}月{d.day}日 {KIND_ZH[info.kind]}"
    if info.holiday_name:
        title += f"（{info.holiday_name}）"
    mark = {DayKind.HOLIDAY: "休", DayKind.ADJUSTED_WORKDAY: "班"}.get(info.kind, "")
    return Cell(d, css, title, mark)


def year_grid(calendar: WorkCalendar, year: int) -> list[Month]:
    months = []
    grid = stdlib_calendar.Calendar(firstweekday=0)
    for m in range(1, 13):
        weeks: list[list[Cell | None]] = []
        count = 0
        for week in grid.monthdatescalendar(year, m):
            row: list[Cell | None] = []
            for d in week:
                if d.month != m:
                    row.append(None)
                    continue
                cell = _cell(calendar, d)
                count += cell.css.startswith(("workday", "adjusted"))
                row.append(cell)
            weeks.append(row)
        months.append(Month(m, weeks, count))
    return months
