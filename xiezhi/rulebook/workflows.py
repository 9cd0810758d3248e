"""Transition tables: which (status, action) pairs are allowed and where they lead.

One table per entity (DESIGN §4 Transitions, no FSM library). A service asks
``wf.next_state(current, action)`` before its conditional UPDATE; the table is the single
place a legal officer reads to see what the platform lets people do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class TransitionNotAllowed(Exception):
    """The action is not allowed from the current state; `message` is for the user."""

    def __init__(self, workflow: Workflow, state: str, action: str) -> None:
        self.workflow = workflow
        self.state = state
        self.action = action
        allowed = workflow.allowed_actions(state) if state in workflow.states else []
        hint = "、".join(f"“{workflow.action_label(a)}”" for a in allowed) or "无"
        self.message = (
            f"{workflow.label}当前状态为“{workflow.state_label(state)}”，"
            f"不能执行“{workflow.action_label(action)}”操作（可执行：{hint}）"
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class Workflow:
    """A transition table with Chinese labels.

    ``transitions`` maps (state, action) → new state; ``rules`` optionally names the rule IDs
    (docs/RULES.md) behind a transition, for the entity's README and the audit reason.
    """

    name: str
    label: str
    initial: str
    states: Mapping[str, str]
    actions: Mapping[str, str]
    transitions: Mapping[tuple[str, str], str]
    rules: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"{self.name}: unknown initial state {self.initial!r}")
        for (src, action), dst in self.transitions.items():
            for state in (src, dst):
                if state not in self.states:
                    raise ValueError(f"{self.name}: unlabelled state {state!r}")
            if action not in self.actions:
                raise ValueError(f"{self.name}: unlabelled action {action!r}")
        for key in self.rules:
            if key not in self.transitions:
                raise ValueError(f"{self.name}: rule IDs given for a missing transition {key!r}")

    def state_label(self, state: str) -> str:
        return self.states.get(state, state)

    def action_label(self, action: str) -> str:
        return self.actions.get(action, action)

    def next_state(self, state: str, action: str) -> str:
        try:
            return self.transitions[(state, action)]
        except KeyError:
            raise TransitionNotAllowed(self, state, action) from None

    def can(self, state: str, action: str) -> bool:
        return (state, action) in self.transitions

    def allowed_actions(self, state: str) -> list[str]:
        """Actions allowed from ``state``, in table order."""
        return [a for (s, a) in self.transitions if s == state]

    def is_terminal(self, state: str) -> bool:
        return not self.allowed_actions(state)

    def rules_for(self, state: str, action: str) -> tuple[str, ...]:
        return tuple(self.rules.get((state, action), ()))

    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs for Django ``choices``."""
        return list(self.states.items())


# --- Obligation (时限) -------------------------------------------------------------------------
# DESIGN §4 Obligations. Lateness is not a state: an obligation met after `due` is `met` and the
# on-time rate compares the met time with due; `overdue → met` is the late path. "Extended" is an
# action, not a state: the due date moves and the obligation stays open, so the sweep needs to
# look at one status only. Suspension (中止) covers periods that stop running (e.g. while a
# dispute or hearing suspends the clock) and resumes to open.
OBLIGATION = Workflow(
    name="obligation",
    label="时限",
    initial="open",
    states={
        "open": "进行中",
        "suspended": "中止",
        "overdue": "已超期",
        "met": "已完成",
        "waived": "已免除",
    },
    actions={
        "meet": "完成",
        "mark_overdue": "标记超期",
        "extend": "延长时限",
        "suspend": "中止计时",
        "resume": "恢复计时",
        "waive": "免除",
    },
    transitions={
        ("open", "meet"): "met",
        ("open", "mark_overdue"): "overdue",
        ("open", "extend"): "open",
        ("open", "suspend"): "suspended",
        ("open", "waive"): "waived",
        ("suspended", "resume"): "open",
        ("suspended", "waive"): "waived",
        ("overdue", "meet"): "met",
        ("overdue", "waive"): "waived",
    },
    rules={
        # Extension only where the rule provides one (e.g. identification/appraisal, sharing).
        ("open", "extend"): ("R-CO-05", "R-SH-02"),
        ("open", "suspend"): ("R-DIS-03",),
    },
)

# --- Catalogue version (事项清单版本) ---------------------------------------------------------------
# R-CAT-06: every change is a new dated, published version; a published version is never
# edited or deleted (decisions are judged against it), only superseded by a later one.
# A draft that was never published may be discarded.
CATALOGUE_VERSION = Workflow(
    name="catalogue_version",
    label="事项目录版本",
    initial="draft",
    states={
        "draft": "草稿",
        "published": "已公布",
        "superseded": "已被替代",
        "discarded": "已废弃",
    },
    actions={
        "publish": "公布",
        "supersede": "由新版本替代",
        "discard": "废弃草稿",
    },
    transitions={
        ("draft", "publish"): "published",
        ("draft", "discard"): "discarded",
        ("published", "supersede"): "superseded",
    },
    rules={
        ("draft", "publish"): ("R-CAT-01", "R-CAT-06", "R-PUB-03"),
        ("published", "supersede"): ("R-CAT-06",),
    },
)

# --- Transfer (案件移送) ------------------------------------------------------------------------
# R-TR-06: a written transfer needs the leader's approval before it is sent. R-TR-07: in a
# particularly urgent case the transfer may be oral, recorded at once, and the written
# formalities (letter with approval) completed within 24 hours — completing them makes it a sent
# transfer. R-TR-08: the receiver accepts or declines in writing. The sender may withdraw a
# transfer the receiver has not yet answered (e.g. sent to the wrong unit); an answered one can
# only be disputed (R-DIS-01), which is a Dispute, not a transfer state.
TRANSFER = Workflow(
    name="transfer",
    label="案件移送",
    initial="draft",
    states={
        "draft": "草稿",
        "pending_approval": "待领导审批",
        "oral_recorded": "已口头移送（待补办书面手续）",
        "sent": "已移送",
        "accepted": "已受理",
        "declined": "不予受理",
        "withdrawn": "已撤回",
        "cancelled": "已作废",
    },
    actions={
        "submit": "提交审批",
        "approve": "批准并移送",
        "return": "退回修改",
        "record_oral": "登记口头移送",
        "complete_formalities": "补办书面手续",
        "accept": "受理",
        "decline": "不予受理",
        "withdraw": "撤回",
        "cancel": "作废",
    },
    transitions={
        ("draft", "submit"): "pending_approval",
        ("draft", "record_oral"): "oral_recorded",
        ("draft", "cancel"): "cancelled",
        ("pending_approval", "approve"): "sent",
        ("pending_approval", "return"): "draft",
        ("oral_recorded", "complete_formalities"): "sent",
        ("sent", "accept"): "accepted",
        ("sent", "decline"): "declined",
        ("sent", "withdraw"): "withdrawn",
    },
    rules={
        ("draft", "submit"): ("R-TR-06",),
        ("pending_approval", "approve"): ("R-TR-01", "R-TR-02", "R-TR-06", "R-TR-10"),
        ("draft", "record_oral"): ("R-TR-07",),
        ("oral_recorded", "complete_formalities"): ("R-TR-06", "R-TR-07"),
        ("sent", "accept"): ("R-TR-08",),
        ("sent", "decline"): ("R-TR-08",),
    },
)

WORKFLOWS: dict[str, Workflow] = {wf.name: wf for wf in (OBLIGATION, CATALOGUE_VERSION, TRANSFER)}
