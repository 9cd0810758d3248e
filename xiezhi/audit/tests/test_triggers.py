"""The database itself refuses to change or remove audit events (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from xiezhi.audit.models import AuditChainHead, AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import make_events

pytestmark = pytest.mark.django_db


def _refused(sql: str) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(exc.value)


def test_update_and_delete_of_events_are_refused() -> None:
    make_events(3)
    assert "只能追加" in _refused("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2")
    assert "只能追加" in _refused("DELETE FROM audit_auditevent WHERE seq = 3")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(success=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.get(seq=1).delete()
    assert list(AuditEvent.objects.values_list("seq", "reason", "success")) == [
        (1, "", True),
        (2, "", True),
        (3, "", True),
    ]


def test_the_head_cannot_be_deleted_or_moved_back() -> None:
    make_events(2)
    assert "链头" in _refused("DELETE FROM audit_auditchainhead")
    assert "链头" in _refused("UPDATE audit_auditchainhead SET last_seq = 1 WHERE id = 1")
    assert AuditChainHead.objects.get(pk=1).last_seq == 2


def test_the_owner_bypass_switches_the_triggers_back_on(bypass: object) -> None:
    make_events(2)
    with bypass():  # type: ignore[operator]
        AuditEvent.objects.filter(seq=2).update(reason="改动")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(seq=2).update(reason="再改")
    assert AuditEvent.objects.get(seq=2).reason == "改动"


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_the_triggers() -> None:
    """The test runner flushes after transactional and browser tests; on SQLite that is a
    DELETE, so the audit app's `flush` lifts the triggers for it and puts them back."""
    make_events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists() and not AuditChainHead.objects.exists()
    event = record(None, "test.after_flush")
    assert event.seq == 1
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()
