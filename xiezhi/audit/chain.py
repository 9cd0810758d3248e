"""The chainer: links committed audit events into the hash chain, one chainer at a time.

Business transactions only INSERT an event and a queue entry (`AuditPending`). After commit,
`chain_after_commit` (registered by `record` with `transaction.on_commit`) links whatever is
queued; the scheduler's `audit-chain` job and `xiezhi audit-chain` do the same for anything a
crashed process left behind. See docs/adr/0002-audit-chaining.md.

Order: each batch takes the queue entries it can see — committed events only — and links them
in id order after the current head. An event whose transaction committed late (a smaller id
than events already linked) simply gets a later position: the chain records the order in which
the chainer saw commits, never the id order.

One chainer at a time: on PostgreSQL a transaction-scoped advisory lock, tried without waiting
(a busy chainer is already working, and re-checks the queue after it commits, so nothing is left
behind); then the head row is locked as well. On SQLite writers are serialised by the database;
the batch starts with a write to the head so it holds the write lock from its first statement.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

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
# linked and never keeps a chainer looping; `verify-audit` reports it.
_LINKABLE = f"FROM {_PENDING} p JOIN {_EVENT} e ON e.id = p.event_id"


def chain_pending(rounds: int | None = None) -> int:
    """Link every committed, unlinked event (at most `rounds` batches). Returns how many were linked.

    After each batch has committed, the queue is looked at again: a writer that committed while
    this chainer held the lock found it busy and left its event to this one."""
    total, done = 0, 0
    while rounds is None or done < rounds:
        done += 1
        linked, busy = _chain_batch()
        total += linked
        if busy or (linked < BATCH and not _linkable_exists()):
            break
    return total


def chain_after_commit() -> None:
    """`record`'s on_commit hook."""
    linked = chain_pending(rounds=ON_COMMIT_ROUNDS)
    if linked:
        log.debug("audit chainer linked %d events", linked)


def pending_count() -> int:
    return AuditPending.objects.count()


def _linkable_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 {_LINKABLE})")
        row = cursor.fetchone()
    return bool(row[0])


def _chain_batch() -> tuple[int, bool]:
    """One batch in one transaction: (events linked, whether another chainer held the lock)."""
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                return 0, True
        seq, prev = _lock_head(cursor)
        cursor.execute(
            f"SELECT p.event_id, e.content_hash, e.algorithm {_LINKABLE} ORDER BY p.event_id LIMIT %s",
            [BATCH],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0, False
        links: list[tuple[int, int, str, str]] = []
        for event_id, content, algorithm in rows:
            seq += 1
            digest = link_hash(prev, seq, event_id, content, algorithm)
            links.append((seq, event_id, prev, digest))
            prev = digest
        _insert_links(cursor, links, postgres)
        ids = [link[1] for link in links]
        if postgres:
            cursor.execute(f"DELETE FROM {_PENDING} WHERE event_id = ANY(%s)", [ids])
        else:
            cursor.execute(f"DELETE FROM {_PENDING} WHERE event_id IN ({', '.join(['%s'] * len(ids))})", ids)
        cursor.execute(f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
    return len(links), False


def _insert_links(cursor: CursorWrapper, links: Sequence[tuple[int, int, str, str]], postgres: bool) -> None:
    columns = "(seq, event_id, prev_hash, hash)"
    if postgres:
        # One statement for the whole batch.
        seqs, events, prevs, hashes = (list(col) for col in zip(*links, strict=True))
        cursor.execute(
            f"INSERT INTO {_LINK} {columns} "
            "SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])",
            [seqs, events, prevs, hashes],
        )
    else:
        cursor.executemany(f"INSERT INTO {_LINK} {columns} VALUES (%s, %s, %s, %s)", links)


def _lock_head(cursor: CursorWrapper) -> tuple[int, str]:
    if connection.vendor == "postgresql":
        sql = f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1 FOR UPDATE"
    else:
        # A write first, so this transaction holds SQLite's write lock from its first statement.
        sql = f"UPDATE {_HEAD} SET last_seq = last_seq WHERE id = 1 RETURNING last_seq, last_hash"
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
