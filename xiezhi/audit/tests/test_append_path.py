"""What one append costs the database: an event of its own is one statement (its own transaction),
and the event table carries only the indexes the auditor's filters use (migration 0004)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from xiezhi.audit.chain import wait_background
from xiezhi.audit.models import AuditChainLink, AuditEvent, AuditPending
from xiezhi.audit.services import record

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL append path")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_event_of_its_own_commits_in_one_statement_and_is_chained() -> None:
    import psycopg

    assert connection.get_autocommit() and not connection.in_atomic_block
    event = record(None, "test.standalone", ("test.thing", "7", "东西7"), after={"phone": "13812345678"})
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
    ) as other:
        seen = other.execute(
            f"SELECT count(*) FROM {AuditEvent._meta.db_table} WHERE id = %s", [event.pk]
        ).fetchone()
    assert seen == (1,)  # committed by the statement itself: another session sees it at once
    assert wait_background()
    link = AuditChainLink.objects.get(event_id=event.pk)
    assert link.seq >= 1 and not AuditPending.objects.filter(event_id=event.pk).exists()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.after == {"phone": "138****5678"} and stored.content_hash == event.content_hash


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_failed_standalone_append_raises_djangos_error_and_leaves_nothing() -> None:
    first = record(None, "test.first")
    assert wait_background()
    AuditPending.objects.create(event_id=first.pk + 1)  # the next event's queue entry now collides
    with pytest.raises(IntegrityError):
        record(None, "test.collides")
    assert not AuditEvent.objects.filter(action="test.collides").exists()
    AuditPending.objects.filter(event_id=first.pk + 1).delete()


@pg_only
@pytest.mark.django_db
def test_the_event_table_has_only_the_filters_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [AuditEvent._meta.db_table]
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [AuditChainLink._meta.db_table, "%(hash%"],
        )
        link_hash_indexes = cursor.fetchone()[0]
    assert len(indexes) == 5, indexes  # primary key, time, unit, action, target
    assert "varchar_pattern_ops" in indexes["audit_event_action"]  # serves the prefix filter
    assert "(target_id, target_type)" in indexes["audit_event_target"]
    assert link_hash_indexes == 0
