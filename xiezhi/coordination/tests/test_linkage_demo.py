from __future__ import annotations

import pytest

from xiezhi.coordination.meetings.demo import load_linkage
from xiezhi.coordination.models import JointOperation, Meeting, MeetingSeries
from xiezhi.coordination.tests.linkage_helpers import _media  # noqa: F401 (autouse fixture)
from xiezhi.deadlines.models import Obligation
from xiezhi.units.demo import DemoContext, load_units

pytestmark = pytest.mark.django_db


def test_demo_quarterly_meeting_and_operation_are_idempotent() -> None:
    ctx = DemoContext(demo=True, write=lambda s: None)
    load_units(ctx)
    load_linkage(ctx)
    [series] = MeetingSeries.objects.all()
    [meeting] = Meeting.objects.all()
    assert meeting.series == series and meeting.minutes is not None and meeting.status == "following"
    assert [i.status for i in meeting.items.order_by("number")] == ["done", "open"]
    [op] = JointOperation.objects.all()
    assert op.meeting == meeting and op.status == "done" and op.findings.count() == 1
    assert list(op.officers.order_by("role").values_list("role", flat=True)) == [
        "auxiliary",
        "enforcer",
        "enforcer",
    ]
    assert Obligation.objects.filter(rule_id="CP-CO-01-REGULAR", status="open").count() == 1
    load_linkage(ctx)
    assert (Meeting.objects.count(), JointOperation.objects.count()) == (1, 1)
