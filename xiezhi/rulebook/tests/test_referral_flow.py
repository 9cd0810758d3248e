"""The criminal-referral transition table and its 310号 clocks (pure, no database)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xiezhi.rulebook import referral_flow as rf
from xiezhi.rulebook.deadlines import due
from xiezhi.rulebook.periods import PeriodKind, get_limit
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.workflows import TransitionNotAllowed

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar.default()


def _reachable() -> set[str]:
    seen, frontier = {rf.REFERRAL.initial}, [rf.REFERRAL.initial]
    while frontier:
        state = frontier.pop()
        for action in rf.REFERRAL.allowed_actions(state):
            nxt = rf.REFERRAL.next_state(state, action)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def test_every_state_reachable_closed_states_terminal_every_action_owned() -> None:
    assert _reachable() == set(rf.REFERRAL.states)
    for state in rf.CLOSED_STATES:
        assert rf.REFERRAL.is_terminal(state), state
    for state in rf.OPEN_STATES:
        assert not rf.REFERRAL.is_terminal(state), state
    assert set(rf.ACTORS) == set(rf.REFERRAL.actions)
    # Every open state but the procuratorate's supervision has a clock running.
    assert set(rf.STEP_ON_ENTRY) | {"transferred", "supervision"} == set(rf.OPEN_STATES)


@pytest.mark.rule("R-CR-01")
def test_no_transfer_before_the_head_approves_and_a_rejection_ends_it() -> None:
    with pytest.raises(TransitionNotAllowed):
        rf.REFERRAL.next_state("reported", "transfer")
    assert rf.REFERRAL.next_state("reported", "reject") == "not_approved"
    assert rf.ACTORS["approve"] == rf.ACTORS["reject"] == "unit_head"
    assert "not_approved" in rf.NEVER_REFERRED_STATES
    # A decline the unit accepted is not pending: the administrative case continues (art. 10).
    assert "closed_declined" not in rf.PENDING_STATES | rf.NEVER_REFERRED_STATES
    assert rf.missing_materials({}) == [rf.MATERIALS[k] for k in rf.SUPPLIED_MATERIALS]


@pytest.mark.rule("R-CR-02")
def test_a_decline_can_be_contested_up_to_the_procuratorate() -> None:
    path = ["decline", "reconsider", "reconsider_uphold", "supervise", "supervision_file", "hand_over"]
    state = "received"
    for action in path:
        state = rf.REFERRAL.next_state(state, action)
    assert state == "handed_over"
    assert rf.ACTORS["supervision_file"] == "procuratorate"
    assert rf.STEP_ON_ENTRY["reconsidering"].owner == "police"


def test_310_days_are_natural_days_rolled_over_a_holiday_and_24_hours_run_through_it() -> None:
    # Report on Sun 2025-09-28 (a 调休 working day): 3 days → Wed 10-01, inside 国庆/中秋 10-01..10-08;
    # rolled over to Thu 10-09, until 24:00 (民法典 art. 203).
    head = due(datetime(2025, 9, 28, 10, 0, tzinfo=SH), get_limit("LAW-310-5").period, CAL)
    assert head.last_day == date(2025, 10, 9) and head.ends_at_midnight
    # Approved on 10-01 at 10:00: the 24 hours are a clock period that holidays do not stop.
    start = datetime(2025, 10, 1, 10, 0, tzinfo=SH)
    assert due(start, get_limit("LAW-310-5:transfer").period, CAL).at == start + timedelta(hours=24)
    # An ordinary week: received Mon 2025-11-03 → review ends Thu 11-06 24:00.
    review = due(datetime(2025, 11, 3, 15, 0, tzinfo=SH), get_limit("LAW-310-8").period, CAL)
    assert review.last_day == date(2025, 11, 6)
    assert all(s.period.kind in (PeriodKind.CALENDAR_DAYS, PeriodKind.HOURS) for s in rf.STEPS.values())
