"""Calendar overrides: they change the calendar everywhere, imports are all-or-nothing with every
bad row reported, and open obligations of a changed year are recomputed with history and notice."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xiezhi.audit.models import AuditEvent
from xiezhi.core.actor import SYSTEM
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.deadlines import calendar_services
from xiezhi.deadlines.models import CalendarOverride, CalendarStamp
from xiezhi.deadlines.tests.conftest import Clock, open_ob, sh
from xiezhi.notifications.models import Notification
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.testing.factories import Personas, actor_of

pytestmark = pytest.mark.django_db

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知（测试）"
NATIONAL_DAY_2027 = (
    "date,kind,name,source\n"
    + "".join(f"2027-10-0{d},holiday,国庆节,{NOTICE_2027}\n" for d in range(1, 8))
    + f"2027-09-26,workday,国庆节,{NOTICE_2027}\n2027-10-09,workday,国庆节,{NOTICE_2027}\n"
)

BAD_CSV = (
    "date,kind,name,source\n"
    "2027-10-01,holiday,国庆节,通知\n"  # line 2: fine
    "2027-13-01,holiday,国庆节,通知\n"  # line 3: no such date
    "2027-10-08,workday,国庆节,通知\n"  # line 4: a Friday cannot be an adjusted working day
    "2027-10-01,holiday,国庆节,通知\n"  # line 5: duplicate of line 2
    "2027-10-09,rest,国庆节,通知\n"  # line 6: unknown kind
    "2027-10-10,holiday,,通知\n"  # line 7: no name
)


def sysadmin(personas: Personas) -> object:
    return actor_of(personas.sysadmin)


def test_an_override_changes_is_workday_and_deleting_it_restores(personas: Personas) -> None:
    admin = actor_of(personas.sysadmin)
    assert WorkCalendar.default().is_workday(date(2025, 3, 3))
    calendar_services.set_override(
        admin, day="2025-03-03", kind="holiday", name="临时放假", source="县政府通知"
    )
    assert not WorkCalendar.default().is_workday(date(2025, 3, 3))
    assert WorkCalendar.default().describe(date(2025, 3, 3)).holiday_name == "临时放假"
    calendar_services.delete_override(admin, date(2025, 3, 3), "录入错误")
    assert WorkCalendar.default().is_workday(date(2025, 3, 3))
    assert AuditEvent.objects.filter(action__startswith="calendar.").count() == 2


def test_only_the_system_administrator_maintains_the_calendar(personas: Personas) -> None:
    for who in ("dispatcher", "justice_office_supervisor", "township_leader"):
        with pytest.raises(PermissionDenied):
            calendar_services.import_csv(personas.actor(who), NATIONAL_DAY_2027)
    for user in (personas.secadmin, personas.auditadmin):
        with pytest.raises(PermissionDenied):
            calendar_services.set_override(actor_of(user), day="2027-10-01", kind="holiday", name="国庆节")
    assert CalendarOverride.objects.count() == 0


def test_an_import_with_errors_lists_every_bad_row_and_imports_nothing(personas: Personas) -> None:
    stamp = CalendarStamp.objects.first()
    with pytest.raises(ValidationFailed) as exc:
        calendar_services.import_csv(actor_of(personas.sysadmin), BAD_CSV.encode())
    rows = exc.value.details["rows"]
    assert [r.split("：")[0] for r in rows] == ["第3行", "第4行", "第5行", "第6行", "第7行"]
    assert "YYYY-MM-DD" in rows[0]
    assert "星期六或星期日" in rows[1]
    assert "与第2行重复" in rows[2]
    assert "holiday" in rows[3]
    assert "名称" in rows[4]
    assert "5处错误" in exc.value.message
    assert CalendarOverride.objects.count() == 0
    assert CalendarStamp.objects.first() == stamp
    assert WorkCalendar.default().is_workday(date(2027, 10, 8))


def test_import_header_and_empty_files_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="第1行"):
        calendar_services.parse_csv("day,type\n2027-10-01,holiday\n")
    with pytest.raises(ValidationFailed, match="没有数据"):
        calendar_services.parse_csv("date,kind,name,source\n")
    with pytest.raises(ValidationFailed, match="UTF-8"):
        calendar_services.parse_csv("date,kind,name\n2027-10-01,holiday,国庆节\n".encode("gbk"))
    with pytest.raises(ValidationFailed, match="1949"):
        calendar_services.parse_csv("date,kind,name\n2101-10-01,holiday,国庆节\n")


@pytest.mark.rule("R-TR-02")
def test_publishing_a_year_recomputes_its_open_obligations(personas: Personas, clock: Clock) -> None:
    clock.set(2027, 9, 29, 11)
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2027, 9, 29, 10))
    done = open_ob(personas.township, personas.actor("township_handler"), sh(2027, 9, 29, 10))
    # A 2026 duty's window does not touch 2027. (A March 2027 one would be recomputed: once any
    # row of the 2027 notice exists the whole year stops being a provisional estimate.)
    untouched = open_ob(personas.township, personas.actor("township_handler"), sh(2026, 3, 2, 10))
    from xiezhi.deadlines import services

    services.settle(done, personas.actor("township_handler"))
    # Provisional: 2027 has no notice yet; statutory 国庆 1–3 October only.
    assert ob.provisional and ob.due_at == sh(2027, 10, 5, 17, 30)

    result = calendar_services.import_csv(actor_of(personas.sysadmin), NATIONAL_DAY_2027)
    assert (result.created, result.years) == (9, [2027])
    assert [o.pk for o, _, _ in result.recomputed] == [ob.pk]

    ob.refresh_from_db()
    # 30 Sept, 8 Oct, 9 Oct (an adjusted working Saturday) — and no longer provisional.
    assert ob.due_at == sh(2027, 10, 9, 17, 30) and not ob.provisional and ob.due_version == 2
    event = ob.events.get(kind="recomputed")
    assert (event.old_due, event.new_due) == (sh(2027, 10, 5, 17, 30), sh(2027, 10, 9, 17, 30))
    assert "2027年工作日历已更新" in event.reason
    [notice] = Notification.objects.filter(kind="deadline_changed")
    assert notice.recipient_unit == personas.township
    assert "2027年10月5日17:30 → 2027年10月9日17:30" in notice.body
    done.refresh_from_db()
    assert done.status == "met" and not done.events.filter(kind="recomputed").exists()
    untouched.refresh_from_db()
    assert not untouched.events.filter(kind="recomputed").exists()

    # Importing the same file again changes nothing and recomputes nothing.
    again = calendar_services.import_csv(actor_of(personas.sysadmin), NATIONAL_DAY_2027)
    assert (again.changed, again.unchanged, again.recomputed) == (0, 9, [])


def test_recompute_reopens_a_duty_that_was_only_overdue_under_the_old_calendar(
    personas: Personas, clock: Clock
) -> None:
    from xiezhi.deadlines import sweep

    clock.set(2027, 9, 29, 11)
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2027, 9, 29, 10))
    clock.set(2027, 10, 6, 9)
    sweep.run()
    ob.refresh_from_db()
    assert ob.status == "overdue"
    calendar_services.import_csv(actor_of(personas.sysadmin), NATIONAL_DAY_2027)
    ob.refresh_from_db()
    assert ob.status == "open" and ob.overdue_at is None and ob.escalation_level == 0
    assert ob.remind_at == sh(2027, 10, 8, 17, 30)


def test_cli_import_and_show(personas: Personas, tmp_path: Path) -> None:
    out = StringIO()
    call_command("calendar", "show", "2027", "--list", stdout=out)
    assert "该年度放假安排尚未公布，按法定节假日推算，结果为暂定" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("calendar", "import", str(bad), stderr=err)
    assert [line.split("：")[0] for line in err.getvalue().splitlines()] == [
        "第3行",
        "第4行",
        "第5行",
        "第6行",
        "第7行",
    ]
    assert CalendarOverride.objects.count() == 0

    good = tmp_path / "2027.csv"
    good.write_text(NATIONAL_DAY_2027, encoding="utf-8")
    out = StringIO()
    call_command("calendar", "import", str(good), stdout=out)
    assert "新增 9 条" in out.getvalue()
    assert CalendarOverride.objects.filter(created_by__isnull=True).count() == 9
    out = StringIO()
    call_command("calendar", "show", "2027", stdout=out)
    text = out.getvalue()
    assert "暂定" not in text
    assert "2027-10-09 调休上班 国庆节" in text and "10月" in text
    assert AuditEvent.objects.filter(action="calendar.imported", actor_name="命令行").count() == 1


def test_cli_show_refuses_a_year_out_of_range() -> None:
    with pytest.raises(CommandError, match="1949"):
        call_command("calendar", "show", "1900")


def test_system_actor_is_the_command_line_operator() -> None:
    result = calendar_services.import_csv(SYSTEM, NATIONAL_DAY_2027)
    assert result.created == 9
