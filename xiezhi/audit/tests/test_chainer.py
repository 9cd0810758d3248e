"""The chainer: events are linked after commit, in the order commits are seen, once; a rolled-back
business transaction leaves nothing; tampering with links or the queue is reported."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from xiezhi.accounts.models import User
from xiezhi.audit.chain import LOCK_KEY, chain_pending, wait_background
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent, AuditPending
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import link_of, make_events
from xiezhi.audit.verify import verify_chain


@pytest.mark.django_db
def test_a_rolled_back_business_transaction_leaves_no_event(django_capture_on_commit_callbacks: Any) -> None:
    make_events(2)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        with pytest.raises(RuntimeError), transaction.atomic():
            User.objects.create(username="never-committed")
            record(None, "test.rolled_back")
            raise RuntimeError("业务失败")
    assert hooks == []  # the chainer hook went with the rolled-back transaction
    assert not User.objects.filter(username="never-committed").exists()
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    assert AuditPending.objects.count() == 0 and chain_pending() == 0
    assert AuditChainLink.objects.count() == 2
    result = verify_chain()
    assert result.ok and result.count == 2 and result.pending == 0


@pytest.mark.django_db
def test_the_event_is_linked_right_after_its_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            User.objects.create(username="committed")
            event = record(None, "test.committed")
            assert not AuditChainLink.objects.filter(event_id=event.pk).exists()  # not before commit
    link = link_of(event)
    assert link.seq == 1 and AuditPending.objects.count() == 0
    assert AuditChainHead.objects.get(pk=1).last_hash == link.hash
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_command_links_what_is_queued_and_a_second_run_links_nothing() -> None:
    events = [record(None, "test.queued") for _ in range(3)]
    out = StringIO()
    call_command("audit-chain", stdout=out)
    assert "已入链 3 条事件；仍在队列中 0 条" in out.getvalue()
    assert [link_of(e).seq for e in events] == [1, 2, 3]
    assert chain_pending() == 0 and AuditChainLink.objects.count() == 3


@pytest.mark.django_db
def test_an_event_waiting_beyond_the_grace_period_is_a_finding(bypass: Any) -> None:
    make_events(2)
    fresh = record(None, "test.fresh")
    result = verify_chain()
    assert result.ok and result.pending == 1 and "另有 1 条刚提交的事件等待入链" in result.message()
    with mock.patch("xiezhi.audit.services.timezone.now", return_value=timezone.now() - timedelta(minutes=5)):
        stale = record(None, "test.stale")
    # Someone removes the queue entry: the chainer never sees the event, the verifier does.
    AuditPending.objects.filter(event_id=stale.pk).delete()
    assert chain_pending() == 1  # only the fresh one
    result = verify_chain()
    assert not result.ok and result.problem is not None
    assert (result.problem.kind, result.problem.event_id, result.problem.seq) == ("unchained", stale.pk, None)
    assert f"编号 {stale.pk} 的事件" in result.message() and "未入链" in result.message()
    assert link_of(fresh).seq == 3


@pytest.mark.django_db
def test_an_event_deleted_before_it_was_chained_is_missing(bypass: Any) -> None:
    make_events(2)
    doomed = record(None, "test.doomed")
    with bypass():
        AuditEvent.objects.filter(pk=doomed.pk).delete()
    assert chain_pending() == 0  # an orphaned queue entry is never linked, and never loops
    result = verify_chain()
    assert result.problem is not None and (result.problem.kind, result.problem.event_id) == (
        "missing",
        doomed.pk,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "kind", "at"),
    [("hash", "link_mismatch", 3), ("prev_hash", "broken_link", 3), ("event_id", "link_mismatch", 3)],
)
def test_a_tampered_link_is_reported(column: str, kind: str, at: int, bypass: Any) -> None:
    events = make_events(5)
    spare = record(None, "test.spare")  # an unlinked event to point a link at
    value: Any = {"hash": "e" * 64, "prev_hash": "d" * 64, "event_id": spare.pk}[column]
    with bypass():
        AuditChainLink.objects.filter(seq=at).update(**{column: value})
    result = verify_chain()
    assert result.problem is not None and (result.problem.kind, result.problem.seq) == (kind, at)
    assert f"第 {at} 号事件" in result.message()
    assert link_of(events[0]).seq == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_later_commit_with_a_smaller_id_is_linked_after_the_earlier_commit() -> None:
    """Ids are allocated at INSERT, before commit: the chain follows commits, not ids."""
    AuditChainHead.objects.get_or_create(pk=1)
    recorded, release = threading.Event(), threading.Event()
    slow: dict[str, AuditEvent] = {}
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                slow["event"] = record(None, "test.slow")
                recorded.set()
                assert release.wait(30)
        except BaseException as exc:  # asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert recorded.wait(30)
    with transaction.atomic():
        fast = record(None, "test.fast")  # a larger id, committed first; its hook links it
    assert wait_background()
    assert fast.pk > slow["event"].pk
    assert link_of(fast).seq == 1 and not AuditChainLink.objects.filter(event_id=slow["event"].pk).exists()
    assert verify_chain().ok  # the uncommitted event is invisible, not a gap
    release.set()
    thread.join()
    assert errors == [] and wait_background()
    assert link_of(slow["event"]).seq == 2  # linked after the slow writer's commit, by its hook
    result = verify_chain()
    assert result.ok and result.count == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_one_chainer_works_at_a_time() -> None:
    AuditChainHead.objects.get_or_create(pk=1)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])  # another chainer at work
        event = record(None, "test.busy")  # autocommit: its hook wakes the chainer, which finds the lock taken
        assert wait_background()
        assert chain_pending() == 0
        assert AuditPending.objects.filter(event_id=event.pk).exists()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
        assert chain_pending() == 1 and link_of(event).seq == 1
    finally:
        other.close()
    assert connection.vendor == "postgresql"
