"""record(): events linked into one linear chain, masking, and a failed write failing the business
transaction."""

from __future__ import annotations

import itertools

import pytest
from django.db import IntegrityError, connection, transaction

from xiezhi.accounts.models import User
from xiezhi.audit.chain import chain_pending
from xiezhi.audit.hashing import GENESIS, content_hash, event_fields, link_hash
from xiezhi.audit.models import AuditChainHead, AuditEvent, AuditPending
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import link_of

pytestmark = pytest.mark.django_db


def test_events_form_one_chain_and_the_head_follows() -> None:
    events = [record(None, "test.event", reason=str(i)) for i in range(5)]
    for e in events:
        assert e.content_hash == content_hash(event_fields(e), "sha256")
    assert AuditPending.objects.count() == 5  # queued, not linked: nothing has committed yet
    assert chain_pending() == 5 and AuditPending.objects.count() == 0
    links = [link_of(e) for e in events]
    assert [link.seq for link in links] == [1, 2, 3, 4, 5]
    assert links[0].prev_hash == GENESIS
    for prev, nxt in itertools.pairwise(links):
        assert nxt.prev_hash == prev.hash
    for e, link in zip(events, links, strict=True):
        assert link.hash == link_hash(link.prev_hash, link.seq, e.pk, e.content_hash, "sha256")
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (5, links[-1].hash)
    times = list(AuditEvent.objects.order_by("link__seq").values_list("created_at", flat=True))
    assert times == sorted(times)
    assert chain_pending() == 0  # linked once, never again


def test_personal_data_and_secrets_are_masked_in_before_and_after() -> None:
    event = record(
        None,
        "test.mask",
        before={"phone": "13812345678", "id_number": "330183198503120012", "name": "单位名称"},
        after={
            "new_password": "Secret-123",
            "api_token": "abc",
            "note": "电话 13912345678",
            "reporter_name": "张三丰",
        },
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before is not None and stored.after is not None
    assert stored.before["phone"] == "138****5678"
    assert stored.before["id_number"].startswith("330") and "1985" not in stored.before["id_number"]
    assert "Secret" not in str(stored.after) and "abc" not in str(stored.after)
    assert "13912345678" not in stored.after["note"]
    assert stored.after["reporter_name"] == "张**"


def test_dates_and_decimals_are_stored_as_the_text_that_was_hashed() -> None:
    from datetime import date
    from decimal import Decimal

    event = record(None, "test.types", after={"due": date(2025, 10, 8), "fine": Decimal("200.50")})
    assert AuditEvent.objects.get(pk=event.pk).after == {"due": "2025-10-08", "fine": "200.50"}


def test_nul_characters_do_not_stop_a_sign_in_failure_being_recorded() -> None:
    event = record(
        None,
        "account.login",
        ("accounts.user", "", "bad\x00name"),
        actor_name="bad\x00name",
        success=False,
        after={"username": "x\x00y"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert "\x00" not in stored.actor_name and "\x00" not in stored.target_repr
    assert stored.after == {"username": "x\ufffdy"}


def _next_event_id() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT last_value, is_called FROM audit_auditevent_id_seq")
            value, called = cursor.fetchone()
            return int(value) + 1 if called else int(value)
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit_auditevent'")
        row = cursor.fetchone()
        return int(row[0]) + 1 if row else 1


def test_an_audit_failure_rolls_back_the_business_change() -> None:
    """The event is written in the caller's transaction: if it cannot be written, nothing is."""
    record(None, "test.first")
    record(None, "test.second")
    AuditPending.objects.create(event_id=_next_event_id())  # the next event's queue entry now collides
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="rolled-back")
        record(None, "test.duplicate")
    assert not User.objects.filter(username="rolled-back").exists()
    assert AuditEvent.objects.count() == 2


def test_a_missing_head_resumes_from_the_last_link(bypass: object) -> None:
    events = [record(None, "test.event") for _ in range(3)]
    chain_pending()
    with bypass():  # type: ignore[operator]
        AuditChainHead.objects.all().delete()
    fourth = record(None, "test.event")
    chain_pending()
    link = link_of(fourth)
    assert (link.seq, link.prev_hash) == (4, link_of(events[-1]).hash)
