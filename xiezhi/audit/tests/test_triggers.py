"""The database itself refuses to change or remove audit events and chain links (SQLite and
PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from xiezhi.audit.chain import chain_pending
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import link_of, make_events

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: list[Any] | None = None) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
    return str(exc.value)


def test_update_and_delete_of_events_are_refused() -> None:
    one, two, three = make_events(3)
    assert "只能追加" in _refused("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [two.pk])
    assert "只能追加" in _refused("DELETE FROM audit_auditevent WHERE id = %s", [three.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=one.pk).update(success=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.get(pk=one.pk).delete()
    assert list(AuditEvent.objects.order_by("id").values_list("reason", "success")) == [("", True)] * 3


def test_update_and_delete_of_links_are_refused() -> None:
    events = make_events(3)
    link = link_of(events[1])
    assert "只能追加" in _refused(
        "UPDATE audit_auditchainlink SET hash = %s WHERE seq = %s", ["f" * 64, link.seq]
    )
    assert "只能追加" in _refused(
        "UPDATE audit_auditchainlink SET event_id = %s WHERE seq = %s", [events[0].pk, link.seq]
    )
    assert "只能追加" in _refused("DELETE FROM audit_auditchainlink WHERE seq = %s", [link.seq])
    assert AuditChainLink.objects.get(seq=link.seq).hash == link.hash
    assert AuditChainLink.objects.count() == 3


def test_the_head_cannot_be_deleted_or_moved_back() -> None:
    make_events(2)
    assert "链头" in _refused("DELETE FROM audit_auditchainhead")
    assert "链头" in _refused("UPDATE audit_auditchainhead SET last_seq = 1 WHERE id = 1")
    assert AuditChainHead.objects.get(pk=1).last_seq == 2


def test_the_owner_bypass_switches_the_triggers_back_on(bypass: object) -> None:
    _, second = make_events(2)
    with bypass():  # type: ignore[operator]
        AuditEvent.objects.filter(pk=second.pk).update(reason="改动")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=second.pk).update(reason="再改")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditChainLink.objects.filter(event_id=second.pk).update(prev_hash="0" * 64)
    assert AuditEvent.objects.get(pk=second.pk).reason == "改动"


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_the_triggers() -> None:
    """The test runner flushes after transactional and browser tests; on SQLite that is a
    DELETE, so the audit app's `flush` lifts the triggers for it and puts them back."""
    make_events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditChainHead.objects.exists()
    assert not AuditChainLink.objects.exists()
    event = record(None, "test.after_flush")  # autocommit: its hook chains it at once
    chain_pending()
    assert link_of(event).seq == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
