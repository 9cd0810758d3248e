"""Eight concurrent writers on PostgreSQL still produce one valid chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from xiezhi.audit.hashing import GENESIS, chain_hash, event_fields
from xiezhi.audit.models import AuditChainHead, AuditEvent
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
                with transaction.atomic():
                    record(None, "test.concurrent", ("test.thing", f"{n}-{i}", f"线程{n}"), after={"i": i})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    def verifier() -> None:
        # Verification running alongside the writers must never see a broken chain.
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
    total = WRITERS * EACH
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in rows] == list(range(1, total + 1))
    prev = GENESIS
    for event in rows:
        assert event.prev_hash == prev
        assert event.hash == chain_hash(prev, event_fields(event), event.algorithm)
        prev = event.hash
    assert len({e.target_id for e in rows}) == total
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (total, prev)
    assert checks and all(c.ok for c in checks), [c.message() for c in checks if not c.ok]
    final = verify_chain()
    assert final.ok and final.count == total
