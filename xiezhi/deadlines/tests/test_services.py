"""Opening, settling, extending, suspending, resuming and waiving obligations: due times, history,
authority, and that a refused action changes nothing."""

from __future__ import annotations

import pytest
from django.db.models import Model

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines import selectors, services
from xiezhi.deadlines.models import Obligation, ObligationEvent
from xiezhi.deadlines.tests.conftest import Clock, open_ob, sh, subject
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _state(ob: Obligation) -> tuple[object, ...]:
    ob.refresh_from_db()
    return (
        ob.status,
        ob.due_at,
        ob.due_version,
        ob.events.count(),
        AuditEvent.objects.filter(target_id=str(ob.pk), target_type="deadlines.obligation").count(),
    )


@pytest.mark.rule("R-TR-02")
def test_transfer_obligation_is_due_three_working_days_later_across_national_day(
    personas: Personas, clock: Clock
) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    assert ob.rule_id == "R-TR-02" and ob.period == "3WD"
    assert ob.due_at == sh(2024, 10, 8, 17, 30)
    assert not ob.provisional and ob.status == "open"
    assert "9月29日（星期日）为调休上班日" in ob.explanation and "10月1日至7日为国庆节假期" in ob.explanation
    # Markers for the sweep: remind 1 WD before (30 Sept 17:30), escalate 1 WD after (9 Oct 17:30).
    assert ob.remind_at == sh(2024, 9, 30, 17, 30)
    assert ob.escalate_at == sh(2024, 10, 9, 17, 30)
    opened = ob.events.get()
    assert opened.kind == "opened" and opened.new_due == ob.due_at
    assert AuditEvent.objects.filter(action="obligation.opened", target_id=str(ob.pk)).exists()


@pytest.mark.rule("R-TR-03")
def test_urgent_transfer_is_due_24_clock_hours_later(personas: Personas, clock: Clock) -> None:
    ob = open_ob(
        personas.township, personas.actor("township_handler"), sh(2024, 9, 30, 16), rule_id="R-TR-03"
    )
    assert ob.due_at == sh(2024, 10, 1, 16)


def test_unit_office_close_is_used(personas: Personas, clock: Clock) -> None:
    unit = personas.department
    unit.office_close = sh(2024, 1, 1, 18).timetz().replace(tzinfo=None)
    unit.save()
    ob = open_ob(unit, personas.actor("department_liaison"), sh(2024, 9, 27, 10))
    assert ob.due_at == sh(2024, 10, 8, 18)


def test_open_is_idempotent_per_subject_rule_and_unit(personas: Personas, clock: Clock) -> None:
    thing = subject(personas.township)
    actor = personas.actor("township_handler")
    first = services.open_obligation(
        rule_id="R-TR-02", unit=personas.township, subject=thing, start=sh(2024, 9, 27, 10), actor=actor
    )
    again = services.open_obligation(
        rule_id="R-TR-02", unit=personas.township, subject=thing, start=sh(2024, 9, 27, 11), actor=actor
    )
    assert again.pk == first.pk and Obligation.objects.count() == 1


def test_open_refuses_bad_input(personas: Personas, clock: Clock) -> None:
    actor = personas.actor("township_handler")
    thing = subject(personas.township)
    with pytest.raises(ValidationFailed, match="时区"):
        services.open_obligation(
            rule_id="R-TR-02",
            unit=personas.township,
            subject=thing,
            start=sh(2024, 9, 27, 10).replace(tzinfo=None),
            actor=actor,
        )
    with pytest.raises(ValidationFailed) as exc:
        services.open_obligation(
            rule_id="X-UNKNOWN", unit=personas.township, subject=thing, start=sh(2024, 9, 27, 10), actor=actor
        )
    assert "period" in exc.value.details
    with pytest.raises(ValidationFailed, match="本站"):
        services.open_obligation(
            rule_id="R-TR-02",
            unit=personas.township,
            subject=thing,
            start=sh(2024, 9, 27, 10),
            actor=actor,
            url="javascript:alert(1)",
        )
    with pytest.raises(ValidationFailed, match="3WD"):
        services.open_obligation(
            rule_id="R-TR-02",
            unit=personas.township,
            subject=thing,
            start=sh(2024, 9, 27, 10),
            period="three days",
            actor=actor,
        )
    assert Obligation.objects.count() == 0


@pytest.mark.rule("R-EV-01")
def test_settle_on_time_and_late_feed_the_on_time_rate(personas: Personas, clock: Clock) -> None:
    actor = personas.actor("township_handler")
    on_time = open_ob(personas.township, actor, sh(2024, 9, 27, 10))
    late = open_ob(personas.township, actor, sh(2024, 9, 27, 10))
    overdue = open_ob(personas.township, actor, sh(2024, 9, 27, 10))
    open_ob(personas.township, actor, sh(2024, 9, 27, 10))  # still open: not judged yet
    waived = open_ob(personas.township, actor, sh(2024, 9, 27, 10))
    clock.set(2024, 10, 8, 17, 0)
    assert [o.pk for o in services.settle(on_time, actor)] == [on_time.pk]
    clock.set(2024, 10, 9, 9, 0)
    Obligation.objects.filter(pk=overdue.pk).update(status="overdue")
    # By subject + rule, the way other apps settle.
    done = services.settle(subject_of(late), actor, rule_id="R-TR-02")
    assert [o.pk for o in done] == [late.pk]
    services.waive(personas.actor("justice_office_supervisor"), waived, "移送已撤回")
    counts = selectors.on_time_counts(Obligation.objects.filter(unit=personas.township))
    assert (counts.on_time, counts.counted) == (1, 3)
    assert selectors.on_time_rate(Obligation.objects.filter(unit=personas.township)) == pytest.approx(1 / 3)
    late.refresh_from_db()
    assert late.status == "met" and late.met_on_time is False
    assert "超过截止时间" in late.events.get(kind="met").note
    with pytest.raises(Conflict):
        services.settle(on_time, actor)
    assert services.settle(subject_of(on_time), actor) == []  # nothing active: not an error


def subject_of(ob: Obligation) -> Model:
    return ob.subject_type.get_object_for_this_type(pk=ob.subject_id)


def test_extension_by_a_non_leader_is_refused_and_changes_nothing(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    before = _state(ob)
    with pytest.raises(PermissionDenied):
        services.extend(personas.actor("township_handler"), ob, "2WD", "材料较多")
    with pytest.raises(NotFound):  # another township cannot even see it
        services.extend(personas.actor("other_township_handler"), ob, "2WD", "材料较多")
    with pytest.raises(NotFound):
        services.extend(personas.actor("outsider"), ob, "2WD", "材料较多")
    assert _state(ob) == before


def test_extension_without_a_reason_is_refused_and_changes_nothing(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    before = _state(ob)
    with pytest.raises(ValidationFailed) as exc:
        services.extend(personas.actor("township_leader"), ob, "2WD", "   ")
    assert "reason" in exc.value.details
    with pytest.raises(ValidationFailed):
        services.extend(personas.actor("township_leader"), ob, "24h", "单位不一致")
    with pytest.raises(ValidationFailed):
        services.extend(personas.actor("township_leader"), ob, "0WD", "零")
    assert _state(ob) == before


@pytest.mark.rule("R-TR-02")
def test_extension_by_leader_or_supervisor_moves_the_due_time(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    ob = services.extend(personas.actor("township_leader"), ob, "2WD", "需补充现场检查笔录")
    assert ob.due_at == sh(2024, 10, 10, 17, 30) and ob.due_version == 2
    assert "延期2个工作日（理由：需补充现场检查笔录；批准人：李镇长（城关镇））" in ob.explanation
    event = ob.events.get(kind="extended")
    assert (event.old_due, event.new_due, event.period) == (
        sh(2024, 10, 8, 17, 30),
        sh(2024, 10, 10, 17, 30),
        "2WD",
    )
    ob = services.extend(personas.actor("justice_office_supervisor"), ob, "1WD", "司法所同意")
    assert ob.due_at == sh(2024, 10, 11, 17, 30)
    ob = services.extend(personas.actor("dispatcher"), ob, "1WD", "指挥中心同意")
    assert ob.due_at == sh(2024, 10, 12, 17, 30)  # 12 October 2024 is an adjusted working Saturday
    assert AuditEvent.objects.filter(action="obligation.extended", target_id=str(ob.pk)).count() == 3


def test_department_extension_needs_its_leader_or_the_county(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.department, personas.actor("department_liaison"), sh(2024, 9, 27, 10))
    with pytest.raises(PermissionDenied):
        services.extend(personas.actor("department_liaison"), ob, "1WD", "理由")
    with pytest.raises(NotFound):  # the justice office supervises townships, not departments
        services.extend(personas.actor("justice_office_supervisor"), ob, "1WD", "理由")
    assert services.extend(personas.actor("department_leader"), ob, "1WD", "理由").due_at == sh(
        2024, 10, 9, 17, 30
    )


def test_suspension_stops_the_clock_until_resumed(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    clock.set(2024, 9, 29, 9)
    with pytest.raises(ValidationFailed):
        services.suspend(personas.actor("township_leader"), ob, "")
    ob = services.suspend(personas.actor("township_leader"), ob, "管辖争议提交司法局协调")
    assert ob.status == "suspended" and ob.remind_at is None and ob.escalate_at is None
    with pytest.raises(Conflict):
        services.extend(personas.actor("township_leader"), ob, "1WD", "中止中不能延期")
    clock.set(2024, 10, 9, 15)
    ob = services.resume(personas.actor("justice_office_supervisor"), ob, "争议已协调")
    # Paused 29 Sept..9 Oct inclusive, before any working day was used (the start day 27 is not
    # counted, 28 is a Saturday): all 3 WD remain → 10, 11, 12 (adjusted working Saturday) October.
    assert ob.status == "open" and ob.due_at == sh(2024, 10, 12, 17, 30)
    assert "中止" in ob.explanation and "管辖争议提交司法局协调" in ob.explanation
    resumed = ob.events.get(kind="resumed")
    assert resumed.old_due == sh(2024, 10, 8, 17, 30) and resumed.new_due == ob.due_at


def test_settling_a_suspended_obligation_resumes_it_first(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    services.suspend(personas.actor("township_leader"), ob, "等待鉴定结果")
    clock.set(2024, 10, 10, 9)
    [done] = services.settle(subject_of(ob), personas.actor("township_handler"))
    assert done.status == "met"
    assert list(done.events.values_list("kind", flat=True)) == ["opened", "suspended", "resumed", "met"]


def test_waive_needs_a_supervisor_and_a_reason(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    before = _state(ob)
    with pytest.raises(PermissionDenied):
        services.waive(personas.actor("township_leader"), ob, "本单位不能免除自己的义务")
    with pytest.raises(ValidationFailed):
        services.waive(personas.actor("justice_office_supervisor"), ob, "")
    assert _state(ob) == before
    ob = services.waive(personas.actor("justice_office_supervisor"), ob, "移送已撤回")
    assert ob.status == "waived" and ob.remind_at is None
    with pytest.raises(Conflict):
        services.waive(personas.actor("dispatcher"), ob, "再次免除")


def test_waive_by_process_skips_the_authority_check(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    ob = services.waive(personas.actor("township_handler"), ob, "移送单位撤回移送", by_process=True)
    assert ob.status == "waived"


def test_conditional_update_detects_a_concurrent_change(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    stale = Obligation.objects.select_related("unit").get(pk=ob.pk)
    services.extend(personas.actor("township_leader"), ob, "1WD", "第一次")
    events = ObligationEvent.objects.count()
    with pytest.raises(Conflict):
        services._move_due(
            personas.actor("township_leader"),
            stale,
            "open",
            services.computing.compute(stale, services.WorkCalendar.default()),
            services.WorkCalendar.default(),
            services.new_event(stale, "extended", None, period="1WD"),
            "obligation.extended",
            "x",
        )
    assert ObligationEvent.objects.count() == events
