"""The sweep: overdue marking, reminders once, escalation at 1 WD and 3 WD to the right units,
idempotence, and (PostgreSQL) two sweeps at once sending each reminder exactly once."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from xiezhi.deadlines import sweep
from xiezhi.deadlines.models import Obligation, ObligationEvent
from xiezhi.deadlines.tests.conftest import Clock, open_ob, sh
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas, make_unit
from xiezhi.units.models import UnitKind

pytestmark = pytest.mark.django_db


def notices(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def recipients(kind: str) -> set[str]:
    found = Notification.objects.filter(kind=kind).select_related("recipient_unit")
    return {n.recipient_unit.name for n in found if n.recipient_unit is not None}


def run_at(
    clock: Clock, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> sweep.SweepResult:
    clock.set(year, month, day, hour, minute)
    return sweep.run()


@pytest.mark.rule("R-TR-02")
def test_township_duty_reminded_once_then_overdue_then_escalated_twice(
    personas: Personas, clock: Clock
) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    assert not run_at(clock, 2024, 9, 30, 17, 29).anything

    # 1 WD before the due time (8 Oct 17:30 → 30 Sept 17:30, the holidays in between don't count).
    result = run_at(clock, 2024, 9, 30, 17, 30)
    assert (result.reminded, result.overdue, result.escalated) == (1, 0, 0)
    [reminder] = notices("reminder")
    assert reminder.recipient_unit == personas.township
    assert reminder.dedupe_key == f"ob:{ob.pk}:v1:remind:1WD"
    assert reminder.url == f"/deadlines/obligations/{ob.pk}/"
    assert not run_at(clock, 2024, 9, 30, 17, 31).anything
    assert len(notices("reminder")) == 1

    # At the due time: overdue, and the at-due notice to the responsible unit.
    assert not run_at(clock, 2024, 10, 8, 17, 29).anything
    result = run_at(clock, 2024, 10, 8, 17, 30)
    assert result.overdue == 1 and result.escalated == 0
    ob.refresh_from_db()
    assert ob.status == "overdue" and ob.overdue_at == sh(2024, 10, 8, 17, 30)
    assert recipients("due") == {"城关镇"}
    assert not run_at(clock, 2024, 10, 9, 9).anything

    # 1 WD overdue: level 1, to the township's justice office and the command centre.
    assert not run_at(clock, 2024, 10, 9, 17, 29).anything
    result = run_at(clock, 2024, 10, 9, 17, 30)
    assert result.escalated == 1
    ob.refresh_from_db()
    assert ob.escalation_level == 1 and ob.escalate_at == sh(2024, 10, 11, 17, 30)
    assert recipients("escalation") == {"城关镇司法所", "示例县综合行政执法指挥中心", "城关镇"}
    first_round = len(notices("escalation"))
    assert not run_at(clock, 2024, 10, 10, 12).anything

    # 3 WD overdue (9, 10, 11 October): level 2, and nothing after that.
    result = run_at(clock, 2024, 10, 11, 17, 30)
    assert result.escalated == 1
    ob.refresh_from_db()
    assert ob.escalation_level == 2 and ob.escalate_at is None
    assert len(notices("escalation")) == 2 * first_round
    assert not run_at(clock, 2024, 12, 1, 9).anything

    kinds = list(ob.events.values_list("kind", flat=True))
    assert kinds == ["opened", "reminded", "overdue", "escalated", "escalated"]
    assert "第2级督办" in ob.events.filter(kind="escalated").last().note  # type: ignore[union-attr]


def test_department_duty_escalates_to_the_justice_bureau(personas: Personas, clock: Clock) -> None:
    open_ob(personas.department, personas.actor("department_liaison"), sh(2024, 9, 27, 10), rule_id="R-TR-08")
    run_at(clock, 2024, 10, 9, 17, 30)
    assert recipients("escalation") == {"示例县司法局", "示例县城市管理局"}


def test_a_late_sweep_jumps_to_the_due_level_and_skips_stale_reminders(
    personas: Personas, clock: Clock
) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    result = run_at(clock, 2024, 10, 15, 9)  # first sweep in a week
    assert (result.overdue, result.reminded, result.escalated) == (1, 0, 1)
    ob.refresh_from_db()
    assert ob.escalation_level == 2 and ob.escalate_at is None
    assert notices("reminder") == []
    assert {n.title.split("：")[0] for n in notices("escalation")} == {"第2级督办"}


def test_met_and_waived_duties_are_left_alone(personas: Personas, clock: Clock) -> None:
    from xiezhi.deadlines import services

    met = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    waived = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    clock.set(2024, 9, 30, 9)
    services.settle(met, personas.actor("township_handler"))
    services.waive(personas.actor("dispatcher"), waived, "重复登记")
    assert not run_at(clock, 2024, 10, 20, 9).anything
    assert Notification.objects.count() == 0


def test_extension_gives_the_new_due_time_its_own_reminder(personas: Personas, clock: Clock) -> None:
    from xiezhi.deadlines import services

    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    run_at(clock, 2024, 9, 30, 17, 30)
    clock.set(2024, 10, 8, 9)
    services.extend(personas.actor("township_leader"), ob, "2WD", "补充证据")
    run_at(clock, 2024, 10, 9, 17, 30)  # 1 WD before the new due time, 10 Oct 17:30
    keys = [n.dedupe_key for n in notices("reminder")]
    assert keys == [f"ob:{ob.pk}:v1:remind:1WD", f"ob:{ob.pk}:v2:remind:1WD"]


def test_notices_are_batched_per_unit(personas: Personas, clock: Clock) -> None:
    for _ in range(3):
        open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    open_ob(personas.other_township, personas.actor("other_township_handler"), sh(2024, 9, 27, 10))
    result = run_at(clock, 2024, 9, 30, 17, 30)
    assert result.reminded == 4
    by_unit = {n.recipient_unit.name: n for n in notices("reminder") if n.recipient_unit is not None}
    assert set(by_unit) == {"城关镇", "河西镇"}
    assert by_unit["城关镇"].body.count("R-TR-02") == 3
    assert by_unit["城关镇"].url == "/deadlines/"


def test_sweep_command_prints_counts(personas: Personas, clock: Clock) -> None:
    open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    clock.set(2024, 10, 8, 17, 30)
    out = StringIO()
    call_command("sweep", stdout=out)
    assert "超期 1 项" in out.getvalue()
    out = StringIO()
    call_command("sweep", stdout=out)
    assert "超期 0 项" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_send_each_reminder_exactly_once(personas: Personas, clock: Clock) -> None:
    units = [personas.township, personas.other_township, personas.department]
    units += [make_unit(f"第{i}镇", UnitKind.TOWNSHIP, personas.county) for i in range(3)]
    actor = personas.actor("dispatcher")
    per_unit = 25
    for unit in units:
        for _ in range(per_unit):
            open_ob(unit, actor, sh(2024, 9, 27, 10))
    total = per_unit * len(units)
    clock.set(2024, 9, 30, 17, 30)
    barrier = threading.Barrier(2)
    results: list[sweep.SweepResult] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(sweep.run())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sum(r.reminded for r in results) == total
    assert ObligationEvent.objects.filter(kind="reminded").count() == total
    per_ob = ObligationEvent.objects.filter(kind="reminded").values_list("obligation_id", flat=True)
    assert len(set(per_ob)) == total
    listed = sum(n.body.count("R-TR-02") for n in Notification.objects.filter(kind="reminder"))
    assert listed == total  # every reminder in exactly one notice
    assert Obligation.objects.filter(remind_at__isnull=False).count() == 0
    # And a third sweep finds nothing.
    assert not sweep.run().anything


def test_reminder_offsets_are_configurable(personas: Personas, clock: Clock, settings: object) -> None:
    settings.XIEZHI_REMINDER_OFFSETS = ["1WD", "2WD", "4h"]  # type: ignore[attr-defined]  # no at-due notice
    clock.set(2024, 9, 23, 10)
    ob = open_ob(
        personas.township, personas.actor("township_handler"), sh(2024, 9, 23, 10), rule_id="R-TR-08"
    )
    # Due 26 Sept 17:30: reminders 24 Sept 17:30 (2 WD), 25 Sept 17:30 (1 WD), 26 Sept 13:30 (4 h).
    assert ob.remind_at == sh(2024, 9, 24, 17, 30)
    assert run_at(clock, 2024, 9, 24, 17, 30).reminded == 1
    ob.refresh_from_db()
    assert ob.remind_at == sh(2024, 9, 25, 17, 30) and ob.reminders_sent == 1
    assert run_at(clock, 2024, 9, 25, 17, 30).reminded == 1
    assert run_at(clock, 2024, 9, 26, 13, 30).reminded == 1
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in notices("reminder")] == ["2WD", "1WD", "4h"]
    assert run_at(clock, 2024, 9, 26, 17, 30).overdue == 1
    assert notices("due") == []


def test_escalation_points_are_configurable(personas: Personas, clock: Clock, settings: object) -> None:
    settings.XIEZHI_ESCALATION_AFTER = ["2h", "1d"]  # type: ignore[attr-defined]
    ob = open_ob(personas.department, personas.actor("department_liaison"), sh(2024, 9, 27, 10))
    assert ob.escalate_at == sh(2024, 10, 8, 19, 30)
    run_at(clock, 2024, 10, 8, 19, 30)
    ob.refresh_from_db()
    assert ob.escalation_level == 1 and ob.escalate_at == sh(2024, 10, 9, 17, 30)
