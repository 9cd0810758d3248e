"""The shared state step (`core.transitions.StatusFlow`) and timeline writer (`core.timeline`), on
transfers: a stale page loses with a 409 naming the state the winner committed, and writes nothing."""

from __future__ import annotations

import pytest

from xiezhi.core.errors import Conflict
from xiezhi.core.timeline import add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.testing.factories import Personas
from xiezhi.transfers.models import Transfer, TransferEvent
from xiezhi.transfers.tests.helpers import World, build_world, make_sent
from xiezhi.transfers.timeline import STATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)


def test_move_updates_row_and_instance_and_returns_old_state(world: World) -> None:
    t = make_sent(world)
    old = STATE.move(t, "withdraw", "withdrawn", handling_note="撤回")
    assert (old, t.status, t.handling_note) == ("sent", "withdrawn", "撤回")
    assert Transfer.objects.values_list("status", "handling_note").get(pk=t.pk) == ("withdrawn", "撤回")


def test_stale_move_is_409_with_the_committed_state_and_writes_nothing(world: World) -> None:
    t = make_sent(world)
    stale = Transfer.objects.get(pk=t.pk)
    STATE.move(t, "withdraw", "withdrawn")
    with pytest.raises(Conflict) as exc:
        STATE.move(stale, "accept", "accepted", handling_note="受理")
    assert exc.value.message == "该移送当前状态为“已撤回”，不能受理，请刷新后查看"
    assert exc.value.details == {"status": "withdrawn", "status_label": "已撤回"}
    assert stale.status == "sent" and stale.handling_note == ""
    assert Transfer.objects.values_list("status", "handling_note").get(pk=t.pk) == ("withdrawn", "")


def test_guard_is_part_of_the_condition(world: World) -> None:
    t = make_sent(world)
    with pytest.raises(Conflict):
        STATE.move(t, "withdraw", "withdrawn", guard={"handling_note": "不是这样"})
    assert Transfer.objects.get(pk=t.pk).status == "sent"


def test_refused_action_carries_the_workflow_explanation_or_the_plain_message(world: World) -> None:
    t = make_sent(world)
    with pytest.raises(Conflict) as exc:
        STATE.next_state(t, "submit")
    assert "不能执行“提交审批”操作" in exc.value.message
    with pytest.raises(Conflict) as plain:
        STATE.step(t, "submit")
    assert plain.value.message == "该移送当前状态为“已移送”，不能提交审批，请刷新后查看"
    assert Transfer.objects.get(pk=t.pk).status == "sent"


def test_status_only_details_when_asked(world: World) -> None:
    flow = StatusFlow(Transfer, TRANSFER, TRANSFER.label, label_in_details=False)
    t = make_sent(world)
    err = flow.conflict(t.pk, "accept")
    assert err.message.startswith("案件移送当前状态为“已移送”")
    assert err.details == {"status": "sent"}


def test_event_label_is_cut_to_the_column_and_no_actor_is_the_system(world: World) -> None:
    t = make_sent(world)
    e = add_event(t.events, "x", "长" * 300, None, note="说明")  # type: ignore[attr-defined]
    assert isinstance(e, TransferEvent)
    assert (len(e.label), e.actor_name, e.unit_name, e.note, e.status_from) == (100, "系统", "", "说明", "")
    a = world.actor("township_handler")
    e = add_event(t.events, "y", "说明", a, status_from="sent", status_to="sent")  # type: ignore[attr-defined]
    assert a.person is not None and a.unit is not None
    assert (e.actor_name, e.unit_name, e.status_from) == (a.person.name, a.unit.name, "sent")
