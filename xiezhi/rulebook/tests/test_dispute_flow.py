"""The dispute transition table and its step limits (pure, no database)."""

from __future__ import annotations

import pytest

from xiezhi.rulebook import dispute_flow as df
from xiezhi.rulebook.periods import COUNTY_POLICY, PeriodKind
from xiezhi.rulebook.workflows import TransitionNotAllowed


def _reachable() -> set[str]:
    seen, frontier = {df.DISPUTE.initial}, [df.DISPUTE.initial]
    while frontier:
        state = frontier.pop()
        for action in df.DISPUTE.allowed_actions(state):
            nxt = df.DISPUTE.next_state(state, action)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


def test_every_state_reachable_and_closed_states_terminal() -> None:
    assert _reachable() == set(df.DISPUTE.states)
    for state in df.CLOSED_STATES:
        assert df.DISPUTE.is_terminal(state), state
    for state in df.OPEN_STATES:
        assert not df.DISPUTE.is_terminal(state), state


@pytest.mark.rule("R-DIS-01")
def test_negotiation_first_an_agreement_closes() -> None:
    assert df.DISPUTE.initial == "negotiating"
    assert df.DISPUTE.next_state("negotiating", "agree") == "agreed"
    assert df.DISPUTE.next_state("negotiating", "negotiate") == "negotiating"
    assert not df.is_open("agreed")
    # The government cannot decide a dispute the parties have not yet negotiated and coordinated.
    with pytest.raises(TransitionNotAllowed) as exc:
        df.DISPUTE.next_state("negotiating", "decide")
    assert "双方协商中" in exc.value.message


@pytest.mark.rule("R-DIS-02")
def test_escalation_ladder_bureau_then_government_then_referral() -> None:
    state = df.DISPUTE.next_state("negotiating", "apply")
    assert state == "coordinating"
    assert df.DISPUTE.next_state(state, "coordinate") == "coordinated"
    state = df.DISPUTE.next_state(state, "propose")
    assert state == "proposed"
    assert df.DISPUTE.next_state(state, "decide") == "decided"
    assert df.DISPUTE.next_state(state, "refer") == "referred"
    assert not df.DISPUTE.can("coordinating", "decide")
    assert not df.DISPUTE.can("negotiating", "propose")


@pytest.mark.rule("R-DIS-02")
def test_each_step_has_a_county_policy_limit() -> None:
    for step in df.STEPS.values():
        limit = COUNTY_POLICY[step.limit_id]
        assert limit.category == "policy"
        assert step.period == limit.period
        assert step.period.kind is PeriodKind.WORKDAYS and step.period.n > 0
    assert df.step_entered("coordinating") is df.COORDINATION
    assert df.step_entered("proposed") is df.DECISION
    assert df.step_entered("decided") is None


@pytest.mark.rule("R-DIS-03")
def test_provisional_handler_step_is_owned_by_the_handler() -> None:
    assert df.PROVISIONAL.owner == "handler"
    assert df.PROVISIONAL.limit_id == "CP-DIS-PROVISIONAL"
