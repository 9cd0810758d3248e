"""Transition tables (DESIGN §4 Transitions)."""

from __future__ import annotations

import pytest

from xiezhi.rulebook.workflows import (
    CATALOGUE_VERSION,
    OBLIGATION,
    TRANSFER,
    WORKFLOWS,
    TransitionNotAllowed,
    Workflow,
)


def _reachable(wf: Workflow) -> set[str]:
    seen = {wf.initial}
    frontier = [wf.initial]
    while frontier:
        state = frontier.pop()
        for action in wf.allowed_actions(state):
            nxt = wf.next_state(state, action)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


@pytest.mark.parametrize("wf", list(WORKFLOWS.values()), ids=list(WORKFLOWS))
def test_every_state_is_reachable_and_labelled(wf: Workflow) -> None:
    assert _reachable(wf) == set(wf.states)
    assert all(wf.state_label(s) != s for s in wf.states)
    used_actions = {a for (_, a) in wf.transitions}
    assert used_actions == set(wf.actions)


def test_refusal_names_state_and_action_in_chinese() -> None:
    with pytest.raises(TransitionNotAllowed) as exc:
        TRANSFER.next_state("accepted", "withdraw")
    assert exc.value.state == "accepted" and exc.value.action == "withdraw"
    assert "已受理" in exc.value.message and "撤回" in exc.value.message
    assert "可执行：无" in exc.value.message
    assert str(exc.value) == exc.value.message


def test_refusal_lists_what_is_allowed() -> None:
    with pytest.raises(TransitionNotAllowed) as exc:
        TRANSFER.next_state("sent", "approve")
    assert "“受理”、“不予受理”、“撤回”" in exc.value.message


def test_workflow_rejects_unlabelled_states() -> None:
    with pytest.raises(ValueError, match="unlabelled state"):
        Workflow("x", "x", "a", {"a": "甲"}, {"go": "走"}, {("a", "go"): "b"})


# --- obligations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "action", "new"),
    [
        ("open", "meet", "met"),
        ("open", "mark_overdue", "overdue"),
        ("open", "waive", "waived"),
        ("open", "extend", "open"),
        ("open", "suspend", "suspended"),
        ("suspended", "resume", "open"),
        ("overdue", "meet", "met"),
        ("overdue", "waive", "waived"),
    ],
)
def test_obligation_allowed(state: str, action: str, new: str) -> None:
    assert OBLIGATION.next_state(state, action) == new


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("overdue", "extend"),  # a period that has run out cannot be extended afterwards
        ("overdue", "suspend"),
        ("met", "meet"),
        ("met", "waive"),
        ("waived", "resume"),
        ("suspended", "meet"),
        ("suspended", "mark_overdue"),  # a suspended clock does not run
    ],
)
def test_obligation_refused(state: str, action: str) -> None:
    assert not OBLIGATION.can(state, action)
    with pytest.raises(TransitionNotAllowed):
        OBLIGATION.next_state(state, action)


def test_obligation_terminal_states() -> None:
    assert {s for s in OBLIGATION.states if OBLIGATION.is_terminal(s)} == {"met", "waived"}


# --- catalogue versions --------------------------------------------------------------------------


@pytest.mark.rule("R-CAT-06")
def test_published_catalogue_is_never_edited_or_discarded_only_superseded() -> None:
    assert CATALOGUE_VERSION.next_state("draft", "publish") == "published"
    assert CATALOGUE_VERSION.allowed_actions("published") == ["supersede"]
    assert CATALOGUE_VERSION.next_state("published", "supersede") == "superseded"
    assert CATALOGUE_VERSION.is_terminal("superseded")
    with pytest.raises(TransitionNotAllowed, match="已公布"):
        CATALOGUE_VERSION.next_state("published", "discard")
    assert CATALOGUE_VERSION.next_state("draft", "discard") == "discarded"
    assert "R-CAT-06" in CATALOGUE_VERSION.rules_for("draft", "publish")


# --- transfers -----------------------------------------------------------------------------------


@pytest.mark.rule("R-TR-06")
def test_written_transfer_needs_approval_before_it_is_sent() -> None:
    assert not TRANSFER.can("draft", "approve")
    assert "sent" not in {TRANSFER.next_state("draft", a) for a in TRANSFER.allowed_actions("draft")}
    state = TRANSFER.next_state("draft", "submit")
    assert state == "pending_approval"
    assert TRANSFER.next_state(state, "return") == "draft"
    assert TRANSFER.next_state(state, "approve") == "sent"


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_becomes_sent_only_when_formalities_are_completed() -> None:
    state = TRANSFER.next_state("draft", "record_oral")
    assert state == "oral_recorded"
    assert TRANSFER.allowed_actions(state) == ["complete_formalities"]
    assert TRANSFER.next_state(state, "complete_formalities") == "sent"


@pytest.mark.rule("R-TR-08")
def test_receiver_accepts_or_declines_a_sent_transfer_once() -> None:
    assert TRANSFER.next_state("sent", "accept") == "accepted"
    assert TRANSFER.next_state("sent", "decline") == "declined"
    for answered in ("accepted", "declined"):
        assert TRANSFER.is_terminal(answered)
    for unsent in ("draft", "pending_approval", "oral_recorded"):
        assert not TRANSFER.can(unsent, "accept")
        assert not TRANSFER.can(unsent, "decline")


def test_withdraw_only_before_the_receiver_answers() -> None:
    assert TRANSFER.next_state("sent", "withdraw") == "withdrawn"
    assert not TRANSFER.can("accepted", "withdraw")
    assert TRANSFER.next_state("draft", "cancel") == "cancelled"
    assert not TRANSFER.can("sent", "cancel")
