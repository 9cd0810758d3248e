"""The demo transfers load on top of the demo county and catalogue, once."""

from __future__ import annotations

import pytest

from xiezhi.catalogue.demo import load_catalogue
from xiezhi.catalogue.snapshot import clear_cache
from xiezhi.coordination.models import Dispute
from xiezhi.transfers.demo import load_transfers
from xiezhi.transfers.models import Transfer
from xiezhi.units.demo import DemoContext, load_units

pytestmark = pytest.mark.django_db


def test_demo_transfers_cover_the_states_and_are_idempotent() -> None:
    clear_cache()
    lines: list[str] = []
    ctx = DemoContext(demo=True, write=lines.append)
    load_units(ctx)
    load_catalogue(ctx)
    load_transfers(ctx)
    states = sorted(Transfer.objects.values_list("status", flat=True))
    assert states == sorted(["sent", "accepted", "declined", "draft", "pending_approval", "oral_recorded"])
    declined = Transfer.objects.get(status="declined")
    assert "没有处罚权" in declined.competence_note
    assert Dispute.objects.get().transfer == declined
    assert ctx.created["transfers"] == 6
    load_transfers(ctx)
    assert Transfer.objects.count() == 6
