"""Eight concurrent writers on PostgreSQL still produce one valid chain: no writer waits for
another (no chain lock in the business transaction), and the chainer links every committed event
exactly once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from xiezhi.audit.chain import chain_pending, wait_background
from xiezhi.audit.hashing import GENESIS, content_hash, event_fields, link_hash
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent, AuditPending
from xiezhi.audit.services import record
from xiezhi.audit.verify import Verification, verify_chain

WRITERS = 8
EACH = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_extend_one_chain() -> None:
    # A preceding transactional test's flush truncates the head row that the migration creates;
    # put it back as a deployed database has it, so the verifier never races its re-creation.
    AuditChainHead.objects.get_or_create(pk=1)
    errors: list[BaseException] = []
    checks: list[Verification] = []
    start = threading.Barrier(WRITERS + 1)
    writing = threading.Event()
    writing.set()

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():  # on commit, this thread tries to chain (record's hook)
                    record(None, "test.concurrent", ("test.thing", f"{n}-{i}", f"线程{n}"), after={"i": i})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def verifier() -> None:
        # Verification running alongside the writers and the chainers must never see a broken
        # chain (events waiting for the chainer are not a problem within the grace period).
        try:
            start.wait()
            while writing.is_set():
                checks.append(verify_chain())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    checker = threading.Thread(target=verifier)
    for t in [*threads, checker]:
        t.start()
    for t in threads:
        t.join()
    writing.clear()
    checker.join()
    assert errors == []

    # Every writer's hook woke the chainer thread after its commit; whatever was committed while it
    # held the lock was picked up by its re-check, so once it is idle the queue is empty.
    assert wait_background()
    assert AuditPending.objects.count() == 0
    assert chain_pending() == 0
    total = WRITERS * EACH
    links = list(AuditChainLink.objects.select_related("event").order_by("seq"))
    assert [link.seq for link in links] == list(range(1, total + 1))
    assert len({link.event_id for link in links}) == total == AuditEvent.objects.count()
    prev = GENESIS
    for link in links:
        event = link.event
        assert event.content_hash == content_hash(event_fields(event), event.algorithm)
        assert link.prev_hash == prev
        assert link.hash == link_hash(prev, link.seq, event.pk, event.content_hash, event.algorithm)
        prev = link.hash
    assert len({link.event.target_id for link in links}) == total
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (total, prev)
    assert checks and all(c.ok for c in checks), [c.message() for c in checks if not c.ok]
    final = verify_chain()
    assert final.ok and final.count == total and final.pending == 0
