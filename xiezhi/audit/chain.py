"""The chainer: links committed audit events into the hash chain, one chainer at a time.

Business transactions only INSERT an event and a queue entry (`AuditPending`). After commit,
`chain_after_commit` (registered by `record` with `transaction.on_commit`) links whatever is
queued — on PostgreSQL by waking the process's chainer thread, so the request does not wait;
the scheduler's `audit-chain` job and `xiezhi audit-chain` do the same for anything a
crashed process left behind. See docs/adr/0002-audit-chaining.md.

Order: each batch takes the queue entries it can see — committed events only — and links them
in id order after the current head. An event whose transaction committed late (a smaller id
than events already linked) simply gets a later position: the chain records the order in which
the chainer saw commits, never the id order.

One chainer at a time: on PostgreSQL a session advisory lock, tried without waiting (a busy
chainer is already working, and re-checks the queue after it releases the lock, so nothing is
left behind); the head only moves from the position the chainer read. On SQLite writers are
serialised by the database; the batch starts with a write to the head so it holds the write lock
from its first statement.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from xiezhi.audit.hashing import GENESIS, link_hash
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent, AuditPending

log = logging.getLogger(__name__)

BATCH = 500  # within SQLite's 999 bound parameters for the DELETE … IN (…)
ON_COMMIT_ROUNDS = 5  # a request thread helps for at most this many batches; the job does the rest
# pg_try_advisory_xact_lock key: "XZAU" (Xiezhi audit) — any constant no other code uses.
LOCK_KEY = 0x585A4155

_EVENT = AuditEvent._meta.db_table
_LINK = AuditChainLink._meta.db_table
_PENDING = AuditPending._meta.db_table
_HEAD = AuditChainHead._meta.db_table

# Queue entries whose event is visible: an entry without its event (removed by someone) is never
# linked and never keeps a chainer looping; `verify-audit` reports it. The queue drives the join
# (a bounded subquery): left to itself the planner may scan the whole event table to probe a
# queue it believes empty.
_LINKABLE = (
    f"FROM (SELECT event_id FROM {_PENDING} ORDER BY event_id LIMIT {BATCH}) p "
    f"JOIN {_EVENT} e ON e.id = p.event_id"
)


def chain_pending(rounds: int | None = None) -> int:
    """Link every committed, unlinked event (at most `rounds` batches). Returns how many were linked.

    After the lock is released the queue is looked at again: a writer that committed while this
    chainer held the lock found it busy and left its event to this one."""
    total, left = 0, rounds
    while True:
        linked, left, more = chain_pass(left)
        total += linked
        if not more:
            return total


def chain_pass(rounds: int | None = None) -> tuple[int, int | None, bool]:
    """One turn of the lock: (events linked, rounds left, whether linkable events remain after the
    lock was released — someone's hook may have found it busy, and it is now this caller's to do)."""
    chain = _pg_chain if connection.vendor == "postgresql" else _sqlite_chain
    linked, busy, left = chain(rounds)
    return linked, left, not busy and left != 0 and _linkable_exists()


def _pg_chain(rounds: int | None) -> tuple[int, bool, int | None]:
    """PostgreSQL: a session advisory lock, tried in autocommit (one round trip when another
    chainer is at work); each batch is then one statement and one commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0, True, rounds
        total = 0
        try:
            head: tuple[int, str] | None = None
            while rounds is None or rounds > 0:
                rounds = None if rounds is None else rounds - 1
                rows = _linkable(cursor)
                if not rows:
                    break
                if head is None:  # nobody else moves it while the lock is held
                    head = _read_head(cursor)
                links = _links(head, rows)
                with transaction.atomic():
                    _pg_write(cursor, links, head[0])
                head = (links[-1][0], links[-1][3])
                total += len(links)
                if len(rows) < BATCH:
                    break
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    return total, False, rounds


def _sqlite_chain(rounds: int | None) -> tuple[int, bool, int | None]:
    """SQLite serialises writers itself: each batch takes the write lock with its first statement."""
    total = 0
    while rounds is None or rounds > 0:
        rounds = None if rounds is None else rounds - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET last_seq = last_seq WHERE id = 1")
            rows = _linkable(cursor)
            if not rows:
                break
            links = _links(_read_head(cursor), rows)
            cursor.executemany(
                f"INSERT INTO {_LINK} (seq, event_id, prev_hash, hash) VALUES (%s, %s, %s, %s)", links
            )
            ids = [link[1] for link in links]
            cursor.execute(f"DELETE FROM {_PENDING} WHERE event_id IN ({', '.join(['%s'] * len(ids))})", ids)
            cursor.execute(
                f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [links[-1][0], links[-1][3]]
            )
        total += len(links)
        if len(rows) < BATCH:
            break
    return total, False, rounds


def _linkable(cursor: CursorWrapper) -> list[tuple[int, str, str]]:
    """Queued events that are visible — committed — in id order (within a batch any order would
    do: all of them committed before this statement)."""
    cursor.execute(f"SELECT p.event_id, e.content_hash, e.algorithm {_LINKABLE} ORDER BY p.event_id")
    return [(int(r[0]), str(r[1]), str(r[2])) for r in cursor.fetchall()]


def _links(head: tuple[int, str], rows: Sequence[tuple[int, str, str]]) -> list[tuple[int, int, str, str]]:
    seq, prev = head
    links = []
    for event_id, content, algorithm in rows:
        seq += 1
        digest = link_hash(prev, seq, event_id, content, algorithm)
        links.append((seq, event_id, prev, digest))
        prev = digest
    return links


_PG_WRITE = (
    f"WITH l AS (INSERT INTO {_LINK} (seq, event_id, prev_hash, hash) "
    "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[]) RETURNING event_id), "
    f"p AS (DELETE FROM {_PENDING} WHERE event_id IN (SELECT event_id FROM l)) "
    f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1 AND last_seq = %s RETURNING id"
)


def _pg_write(cursor: CursorWrapper, links: Sequence[tuple[int, int, str, str]], after_seq: int) -> None:
    """Links, queue and head in one statement; the head moves only from where this chainer read
    it, so a chainer that somehow ran without the lock fails instead of forking the chain."""
    seqs, events, prevs, hashes = (list(col) for col in zip(*links, strict=True))
    cursor.execute(_PG_WRITE, [seqs, events, prevs, hashes, links[-1][0], links[-1][3], after_seq])
    if cursor.fetchone() is None:
        raise RuntimeError("审计链头已被其他入链进程移动：本批次放弃，下次重试")


def chain_after_commit() -> None:
    """`record`'s on_commit hook. On PostgreSQL it wakes this process's chainer thread and returns
    at once, so an audited request pays nothing for the chain after its commit; several commits
    while the thread works cost it one more round. Inline elsewhere (SQLite serialises writers
    anyway), when XIEZHI_AUDIT_CHAIN_BACKGROUND is off, and inside an enclosing transaction (a
    test executing captured hooks: another connection could not see its rows)."""
    if (
        connection.vendor == "postgresql"
        and getattr(settings, "XIEZHI_AUDIT_CHAIN_BACKGROUND", True)
        and not connection.in_atomic_block
    ):
        _background.notify()
        return
    linked = chain_pending(rounds=ON_COMMIT_ROUNDS)
    if linked:
        log.debug("audit chainer linked %d events", linked)


class _BackgroundChainer:
    """One daemon thread per process, started on first use (after gunicorn's fork) with its own
    database connection, closed whenever no commit has woken it for IDLE_CLOSE seconds."""

    IDLE_CLOSE = 0.5
    # Commits arriving within this delay after a wake-up are chained in the same batch: under
    # load each process then makes a few chaining attempts a second, not one per commit. 0.05 s
    # cost 8 writer processes a quarter or more of their appends (benchmarks/audit.py); the chain
    # still trails the commits by well under a second.
    LINGER = 0.2

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def notify(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="xiezhi-audit-chainer", daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every commit notified so far has been chained (or another process's chainer, which
        re-checks the queue, has it). For tests and the benchmark."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            if not self._wake.wait(self.IDLE_CLOSE):
                connection.close()
                continue
            time.sleep(self.LINGER)
            self._wake.clear()
            try:
                connection.close_if_unusable_or_obsolete()
                # One turn, not chain_pending's loop: what is left (events committed meanwhile, or
                # handed over by a chainer that found the lock busy) is for the next turn, after
                # the linger — chasing each new commit would cost a chainer commit per event.
                if chain_pass()[2]:
                    self._wake.set()
            except Exception:  # logged; the next commit or the scheduler's audit-chain job retries
                log.exception("audit chainer failed")
                connection.close()
            with self._lock:
                if not self._wake.is_set():
                    self._idle.set()


_background = _BackgroundChainer()
# A forked child (a gunicorn worker, a benchmark writer) starts its own thread.
os.register_at_fork(after_in_child=_background._reset)
wait_background = _background.wait_idle


def pending_count() -> int:
    return AuditPending.objects.count()


def _linkable_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 {_LINKABLE})")
        row = cursor.fetchone()
    return bool(row[0])


def _read_head(cursor: CursorWrapper) -> tuple[int, str]:
    sql = f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1"
    cursor.execute(sql)
    row = cursor.fetchone()
    if row is None:
        _create_head()
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _create_head() -> None:
    """The migration creates the head; it is missing only after a test flush. Resume from the
    last link, if any, so that a lost head can never start a second chain."""
    last = AuditChainLink.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last else (0, GENESIS)
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=1, last_seq=seq, last_hash=digest)], ignore_conflicts=True
    )
