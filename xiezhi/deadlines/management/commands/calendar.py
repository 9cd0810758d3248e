"""`xiezhi calendar show YEAR` and `xiezhi calendar import FILE.csv`."""

from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezhi.core.actor import SYSTEM
from xiezhi.core.errors import ValidationFailed
from xiezhi.deadlines import calendar_services
from xiezhi.deadlines.calendar_view import KIND_ZH, WEEK_HEAD
from xiezhi.rulebook.workdays import FIRST_YEAR, LAST_YEAR, DayKind, WorkCalendar

BANNER = "该年度放假安排尚未公布，按法定节假日推算，结果为暂定"
# Each mark is two columns wide in a terminal (full-width), so the month grids line up.
MARKS = {
    DayKind.HOLIDAY: "休",
    DayKind.ADJUSTED_WORKDAY: "班",
    DayKind.WEEKEND: "\u3000",
    DayKind.WORKDAY: "\u3000",
}


class Command(BaseCommand):
    help = "工作日历：show 年份（打印全年）；import 文件.csv（导入放假通知，列 date,kind,name,source）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="打印某一年的工作日历")
        show.add_argument("year", type=int)
        show.add_argument("--list", action="store_true", help="只列出节假日与调休上班日，不画月历")
        imp = sub.add_parser("import", help="导入 CSV（任一行有误则全部不导入）")
        imp.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            self._show(options["year"], only_list=options["list"])
        else:
            self._import(options["file"])

    def _show(self, year: int, *, only_list: bool) -> None:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(f"年份须在{FIRST_YEAR}至{LAST_YEAR}之间")
        cal = WorkCalendar.default()
        provisional = year not in cal.notice_years
        self.stdout.write(f"{year}年工作日历" + (f"（{BANNER}）" if provisional else ""))
        if not only_list:
            grid = stdlib_calendar.Calendar(firstweekday=0)
            for month in range(1, 13):
                self.stdout.write(f"\n{month}月")
                self.stdout.write(" ".join(f"{h}\u3000" for h in WEEK_HEAD))
                for week in grid.monthdatescalendar(year, month):
                    cells = []
                    for d in week:
                        if d.month != month:
                            cells.append("    ")
                            continue
                        cells.append(f"{d.day:2d}{MARKS[cal.describe(d).kind]}")
                    self.stdout.write(" ".join(cells).rstrip())
            self.stdout.write("\n（休 = 节假日，班 = 调休上班日；六、日两列无标记为休息日）\n")
        self.stdout.write("非常规日期：")
        workdays = 0
        for ordinal in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()):
            info = cal.describe(date.fromordinal(ordinal))
            workdays += info.is_workday
            if info.kind in (DayKind.HOLIDAY, DayKind.ADJUSTED_WORKDAY):
                self.stdout.write(
                    f"  {info.date.isoformat()} {KIND_ZH[info.kind]} {info.holiday_name or ''}".rstrip()
                )
        self.stdout.write(f"全年工作日 {workdays} 天")

    def _import(self, file: str) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        try:
            result = calendar_services.import_csv(SYSTEM, path.read_bytes(), origin=f"命令行导入 {path.name}")
        except ValidationFailed as exc:
            for line in exc.details.get("rows", []):
                self.stderr.write(line)
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"导入完成：新增 {result.created} 条，修改 {result.updated} 条，未变 {result.unchanged} 条；"
            f"涉及年份 {'、'.join(map(str, result.years)) or '无'}；重新计算 {len(result.recomputed)} 项未办结时限"
        )
