"""Walking the hash chain: every link, every event's content hash, position continuity, the head,
and the events still waiting for the chainer.

Streaming, inside one snapshot (REPEATABLE READ on PostgreSQL) so head, links and events agree:
one walk over the links in position order, one over the events in id order merged with their
links (server-side cursors read ahead by a helper thread on PostgreSQL, no model instances,
constant memory); see benchmarks/audit.py for the time over a million events.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from xiezhi.audit.hashing import GENESIS, HASHED_FIELDS, canonical_time, content_hash, link_hash
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent, AuditPending
from xiezhi.audit.selectors import require_auditor
from xiezhi.audit.services import record
from xiezhi.audit.verify_worker import check_range
from xiezhi.core.actor import Actor

CHUNK = 10_000
log = logging.getLogger(__name__)

DIGEST_MISMATCH = "digest_mismatch"
LINK_MISMATCH = "link_mismatch"
BROKEN_LINK = "broken_link"
MISSING = "missing"
HEAD_MISMATCH = "head_mismatch"
UNCHAINED = "unchained"

LABELS = {
    DIGEST_MISMATCH: "摘要不符",
    LINK_MISMATCH: "链接摘要不符",
    BROKEN_LINK: "链接断裂",
    MISSING: "缺失事件",
    HEAD_MISMATCH: "链头不符",
    UNCHAINED: "未入链",
}


def zh_time(value: datetime | None) -> str:
    if value is None:
        return "时间不详"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain, at chain position `seq` (None for an event that never
    got a position: UNCHAINED, or deleted before it was chained). For a missing link, time and
    action are empty: the detail names the link found in its place."""

    kind: str
    seq: int | None
    created_at: datetime | None
    action: str
    detail: str
    event_id: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def message(self) -> str:
        if self.seq is None:
            where = f"编号 {self.event_id} 的事件"
            if self.created_at is not None:
                where += f"（{zh_time(self.created_at)}，{self.action}）"
            return f"审计链不完整：{where}——{self.label}：{self.detail}"
        where = f"第 {self.seq} 号事件"
        if self.kind != MISSING:
            where += f"（编号 {self.event_id}，{zh_time(self.created_at)}，{self.action}）"
        return f"审计链损坏：{where}——{self.label}：{self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "seq": self.seq,
            "event_id": self.event_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "action": self.action,
            "detail": self.detail,
        }


@dataclass
class Verification:
    count: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problem: Problem | None = None
    seconds: float = 0.0
    algorithms: set[str] = field(default_factory=set)
    pending: int = 0  # committed within the grace period and not chained yet: not a problem

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self) -> str:
        if self.problem is not None:
            return self.problem.message()
        waiting = f"；另有 {self.pending} 条刚提交的事件等待入链" if self.pending else ""
        return f"审计链完整：共 {self.count} 条事件{waiting}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "message": self.message(),
            "count": self.count,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "algorithms": sorted(self.algorithms),
            "seconds": round(self.seconds, 3),
            "pending": self.pending,
            "problem": self.problem.as_dict() if self.problem else None,
        }


# (seq, prev_hash, hash, event_id, the event's stored content hash, its hashed fields in canonical
# form — None when the event row is missing)
Row = tuple[int, str, str, int, str | None, dict[str, Any] | None]

_LINK_COLUMNS = ("l.seq", "l.prev_hash", "l.hash", "l.event_id", "e.content_hash")
_FROM = f"FROM {AuditChainLink._meta.db_table} l LEFT JOIN {AuditEvent._meta.db_table} e ON e.id = l.event_id"


def grace() -> timedelta:
    """How long a committed event may wait for the chainer before it is a finding."""
    return timedelta(seconds=getattr(settings, "XIEZHI_AUDIT_CHAIN_GRACE", 10))


def iter_chain(where: str = "", params: Sequence[Any] = ()) -> Generator[Row]:
    """Every link (optionally only those whose event matches `where`, on columns `e.…`) in chain
    order, with its event. Also used by the archive."""
    sql_where = f"WHERE {where}" if where else ""
    if connection.vendor == "postgresql":
        return _pg_rows(sql_where, params)
    return _plain_rows(sql_where, params)


def _plain_rows(where: str, params: Sequence[Any]) -> Generator[Row]:
    """SQLite (or any other database): raw values converted the way the ORM would."""
    columns = ", ".join((*_LINK_COLUMNS, *(f"e.{name}" for name in HASHED_FIELDS)))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} {_FROM} {where} ORDER BY l.seq", list(params))
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                yield (*row[:5], None if row[4] is None else _plain_fields(row[5:]))  # type: ignore[misc]


def _plain_fields(row: Sequence[Any]) -> dict[str, Any]:
    fields = dict(zip(HASHED_FIELDS, row, strict=True))
    moment = fields["created_at"]
    fields["created_at"] = canonical_time(
        datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    )
    fields["success"] = bool(fields["success"])
    for name in ("before", "after"):
        if isinstance(fields[name], str):
            fields[name] = json.loads(fields[name])
    return fields


_BEFORE, _AFTER = HASHED_FIELDS.index("before"), HASHED_FIELDS.index("after")


def _pg_rows(where: str, params: Sequence[Any]) -> Generator[Row]:
    """A named (server-side) cursor, with the time formatted canonically by the server and the
    JSON parsed here: no datetime parsing and no Django converters per row."""
    select = ", ".join(
        "to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        if name == "created_at"
        else f"e.{name}::text"
        if name in ("before", "after")
        else f"e.{name}"
        for name in HASHED_FIELDS
    )
    sql = f"SELECT {', '.join(_LINK_COLUMNS)}, {select} {_FROM} {where} ORDER BY l.seq"
    loads = json.loads
    with transaction.atomic():
        connection.ensure_connection()
        assert connection.connection is not None
        raw = connection.connection.cursor(name="xiezhi_verify_audit")
        raw.itersize = CHUNK
        try:
            raw.execute(sql, list(params))
            for row in raw:
                if row[4] is None:
                    yield (*row[:5], None)
                    continue
                values = row[5:]
                fields = dict(zip(HASHED_FIELDS, values, strict=True))
                before, after = values[_BEFORE], values[_AFTER]
                fields["before"] = None if before is None else loads(before)
                fields["after"] = None if after is None else loads(after)
                yield (*row[:5], fields)
        finally:
            raw.close()


def verify_chain() -> Verification:
    """Verify the whole chain as one snapshot shows it: every link and its event, the head, and
    the events not linked yet (a finding once older than the grace period). Events committed
    meanwhile are left for the next run."""
    started = time.perf_counter()
    result = Verification()
    # Inside a caller's transaction (a test's) the snapshot is whatever that transaction has.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # Both walks are ordered index scans; a merge join streams, a hash join spills.
                cursor.execute("SET LOCAL enable_hashjoin = off")
                cursor.execute("SET LOCAL jit = off")
        # Other processes can share the snapshot only when this transaction is the verifier's own.
        result.problem = _verify(result, parallel=connection.vendor == "postgresql" and own_transaction)
    result.seconds = time.perf_counter() - started
    return result


def _verify(result: Verification, parallel: bool = False) -> Problem | None:
    """Two streaming walks: the links in chain order (positions, links between them, the head),
    then the events in id order with their link (content hash, link hash, events not linked).
    The problem named is the one earliest in the chain; then events missing or waiting."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    if head is None:
        # Only a test flush removes the head (a trigger refuses DELETE); links without it are an attack.
        first = AuditChainLink.objects.order_by("seq").values_list("seq", "event_id").first()
        if first is not None:
            return Problem(HEAD_MISMATCH, first[0], None, "", "审计链头记录缺失", first[1])
    else:
        result.head_seq, result.head_hash = head
    found = [p for p in (_walk_links(result), *_walk_events(result, parallel)) if p is not None]
    if found:
        # The earliest position; at a tie, what the walk along the chain saw (listed first).
        return _with_event(min(found, key=lambda p: p.seq if p.seq is not None else 1 << 62))
    return None


def _stream(sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
    """Rows of a query, streamed: on PostgreSQL a named cursor read by a helper thread, so the
    server produces the next chunk while this thread hashes the current one."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
            while chunk := cursor.fetchmany(CHUNK):
                yield from chunk
        return
    connection.ensure_connection()
    assert connection.connection is not None
    raw = connection.connection.cursor(name=f"xiezhi_verify_{threading.get_ident()}")
    chunks: queue.Queue[list[Any] | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        try:
            raw.execute(sql, list(params))
            while not stop.is_set() and (chunk := raw.fetchmany(CHUNK)):
                chunks.put(chunk)
            chunks.put(None)
        except BaseException as exc:  # handed to the consumer
            chunks.put(exc)

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    try:
        while (item := chunks.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield from item
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            try:
                chunks.get(timeout=0.1)
            except queue.Empty:
                pass
        raw.close()


def _walk_links(result: Verification) -> Problem | None:
    """Positions 1…n without a gap, each link's prev_hash = the previous link's hash, and the head."""
    expected, prev_hash = 1, GENESIS
    rows = _stream(f"SELECT seq, prev_hash, hash, event_id FROM {AuditChainLink._meta.db_table} ORDER BY seq")
    for seq, stored_prev, stored_hash, event_id in rows:
        if seq != expected:
            after = f"第 {expected - 1} 号之后" if expected > 1 else "链首"
            return Problem(
                MISSING,
                expected,
                None,
                "",
                f"{after}应为第 {expected} 号，实际为第 {seq} 号（编号 {event_id}）；缺少 {seq - expected} 条事件的链接",
            )
        if stored_prev != prev_hash:
            return Problem(
                BROKEN_LINK,
                seq,
                None,
                "",
                f"记录的前一摘要与第 {seq - 1} 号链接的摘要不一致（该链接或前一链接被改动）"
                if seq > 1
                else "首个链接的前一摘要不是初始值",
                event_id,
            )
        result.count += 1
        expected, prev_hash = seq + 1, stored_hash
    if result.count < result.head_seq:
        return Problem(
            MISSING,
            expected,
            None,
            "",
            f"链头记录共 {result.head_seq} 条，实际只有 {result.count} 条；第 {expected} 号起的事件缺失（链尾被删除）",
        )
    if result.count > result.head_seq or prev_hash != result.head_hash:
        return Problem(
            HEAD_MISMATCH,
            result.head_seq,
            None,
            "",
            f"链头记录（第 {result.head_seq} 号）与链上最后一个链接（第 {result.count} 号）的摘要不一致",
        )
    return None


def _event_rows(
    lo: int | None = None, hi: int | None = None
) -> Iterator[tuple[int, dict[str, Any], str, int | None, str | None, str | None]]:
    """(id, hashed fields in canonical form, content_hash, link seq, link prev_hash, link hash),
    of the events with lo <= id < hi when given."""
    event, link = AuditEvent._meta.db_table, AuditChainLink._meta.db_table
    postgres = connection.vendor == "postgresql"
    select = ", ".join(
        "to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        if postgres and name == "created_at"
        else f"e.{name}::text"
        if postgres and name in ("before", "after")
        else f"e.{name}"
        for name in HASHED_FIELDS
    )
    where = " AND ".join(
        ([f"e.id >= {int(lo)}"] if lo is not None else []) + ([f"e.id < {int(hi)}"] if hi is not None else [])
    )
    sql = (
        f"SELECT e.id, e.content_hash, l.seq, l.prev_hash, l.hash, {select} "
        f"FROM {event} e LEFT JOIN {link} l ON l.event_id = e.id {'WHERE ' + where if where else ''} ORDER BY e.id"
    )
    loads, width = json.loads, len(HASHED_FIELDS)
    for row in _stream(sql):
        values = row[5:]
        if postgres:
            fields = dict(zip(HASHED_FIELDS, values, strict=True))
            before, after = values[_BEFORE], values[_AFTER]
            fields["before"] = None if before is None else loads(before)
            fields["after"] = None if after is None else loads(after)
        else:
            fields = _plain_fields(values[:width])
        yield row[0], fields, row[1], row[2], row[3], row[4]


@dataclass
class EventCheck:
    """What one walk over (a range of) the events found; ranges walked apart are `merge`d."""

    problem: Problem | None = None  # the one earliest in the chain
    matched: int = 0
    stale: int = 0
    first_stale: tuple[int, dict[str, Any]] | None = None
    pending: int = 0
    algorithms: set[str] = field(default_factory=set)

    def merge(self, other: EventCheck) -> None:
        if other.problem is not None and (
            self.problem is None or (other.problem.seq or 1 << 62) < (self.problem.seq or 1 << 62)
        ):
            self.problem = other.problem
        self.matched += other.matched
        self.stale += other.stale
        if other.first_stale is not None and (
            self.first_stale is None or other.first_stale[0] < self.first_stale[0]
        ):
            self.first_stale = other.first_stale
        self.pending += other.pending
        self.algorithms |= other.algorithms


def check_events(lo: int | None = None, hi: int | None = None, *, limit: str) -> EventCheck:
    """Each event's content hash and its link's hash, for the events with lo <= id < hi; events
    without a link older than `limit` (canonical time) are stale."""
    check = EventCheck()
    problem: Problem | None = None
    rows = _event_rows(lo, hi)
    for event_id, fields, stored_content, seq, stored_prev, stored_hash in rows:
        if seq is None:
            # Not linked yet: fine for a moment after commit, a finding after the grace period.
            if fields["created_at"] < limit:  # same canonical form: text order is time order
                check.stale += 1
                check.first_stale = check.first_stale or (event_id, fields)
            else:
                check.pending += 1
            continue
        check.matched += 1
        if problem is not None and problem.seq is not None and problem.seq < seq:
            continue  # an earlier problem is already known; keep counting only
        algorithm = fields["algorithm"]
        try:
            computed = content_hash(fields, algorithm)
        except (RuntimeError, ValueError) as exc:
            problem = Problem(
                DIGEST_MISMATCH, seq, _time(fields), fields["action"], f"无法计算摘要：{exc}", event_id
            )
            continue
        if computed != stored_content:
            problem = Problem(
                DIGEST_MISMATCH,
                seq,
                _time(fields),
                fields["action"],
                "重新计算的内容摘要与记录的不一致（事件内容被改动）",
                event_id,
            )
        elif link_hash(str(stored_prev), seq, event_id, stored_content, algorithm) != stored_hash:
            problem = Problem(
                LINK_MISMATCH,
                seq,
                _time(fields),
                fields["action"],
                "重新计算的链接摘要与记录的不一致（链接记录被改动，或事件内容连同内容摘要被改写）",
                event_id,
            )
        else:
            check.algorithms.add(algorithm)
    check.problem = problem
    return check


# Below this many events one process is quicker than starting helpers (about a second each).
PARALLEL_MIN_EVENTS = 200_000


def check_events_in_parallel(limit: str) -> EventCheck | None:
    """`check_events` split by id range over this process and helper processes that join this
    transaction's snapshot (`pg_export_snapshot`), one per CPU: hashing is the verifier's work and
    Python does it on one core per process. None when not worth it (few events, one CPU). A
    helper that fails has its range checked here instead."""
    workers = int(getattr(settings, "XIEZHI_AUDIT_VERIFY_WORKERS", 0) or os.cpu_count() or 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id), max(id) FROM {AuditEvent._meta.db_table}")
        low, high = cursor.fetchone()
        if workers < 2 or low is None or high - low + 1 < PARALLEL_MIN_EVENTS:
            return None
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    step = (high - low + workers) // workers
    ranges = [(lo, min(lo + step, high + 1)) for lo in range(low, high + 1, step)]
    context = multiprocessing.get_context("spawn")  # a fork would share this connection's socket
    out = context.Queue()
    helpers = [
        context.Process(
            target=check_range,
            args=(snapshot, connection.settings_dict["NAME"], lo, hi, limit, out),
            daemon=True,
        )
        for lo, hi in ranges[1:]
    ]
    for helper in helpers:
        helper.start()
    total = check_events(*ranges[0], limit=limit)
    waiting = {lo: (hi, helper) for (lo, hi), helper in zip(ranges[1:], helpers, strict=True)}
    while waiting:
        try:
            lo, found = out.get(timeout=1.0)
        except queue.Empty:
            for lo, (hi, helper) in list(waiting.items()):
                if not helper.is_alive():  # died without a word: its range is checked here
                    log.warning("verify helper for events from %s exited with %s", lo, helper.exitcode)
                    del waiting[lo]
                    total.merge(check_events(lo, hi, limit=limit))
            continue
        if lo not in waiting:
            continue
        hi, _ = waiting.pop(lo)
        if isinstance(found, BaseException):
            log.warning("verify helper for events from %s failed (%s); checking its range here", lo, found)
            found = check_events(lo, hi, limit=limit)
        total.merge(found)
    for helper in helpers:
        helper.join(timeout=10)
    return total


def _walk_events(result: Verification, parallel: bool = False) -> list[Problem | None]:
    """Each event's content hash, each link's hash over its event; then what has no link."""
    limit = canonical_time(timezone.now() - grace())
    check = (parallel and check_events_in_parallel(limit)) or check_events(limit=limit)
    result.pending += check.pending
    result.algorithms |= check.algorithms
    problem, matched, stale, first_stale = check.problem, check.matched, check.stale, check.first_stale
    found: list[Problem | None] = [problem]
    if matched < result.count:  # a link whose event is gone
        gone = (
            AuditChainLink.objects.exclude(event_id__in=AuditEvent.objects.values("id"))
            .order_by("seq")
            .values_list("seq", "event_id")
            .first()
        )
        if gone is not None:
            found.append(
                Problem(
                    MISSING,
                    gone[0],
                    None,
                    "",
                    f"链接指向的编号 {gone[1]} 的事件不存在（事件被删除）",
                    gone[1],
                )
            )
    orphan = (
        AuditPending.objects.exclude(event_id__in=AuditEvent.objects.values("id"))
        .order_by("event_id")
        .values_list("event_id", flat=True)
        .first()
    )
    if orphan is not None:
        found.append(
            Problem(MISSING, None, None, "", "待入链队列中的事件不存在（事件在入链前被删除）", orphan)
        )
    if first_stale is not None:
        event_id, fields = first_stale
        found.append(
            Problem(
                UNCHAINED,
                None,
                _time(fields),
                fields["action"],
                f"提交后超过 {int(grace().total_seconds())} 秒仍未链入哈希链，共 {stale} 条"
                "（入链任务未运行，或待入链队列被改动）；请运行 xiezhi audit-chain 后再校验",
                event_id,
            )
        )
    return found


def _with_event(problem: Problem) -> Problem:
    """A problem found on the links alone gets its event's time and action for the message."""
    if problem.event_id is None or problem.action or problem.kind == MISSING:
        return problem
    event = AuditEvent.objects.filter(pk=problem.event_id).values_list("created_at", "action").first()
    if event is None:
        return problem
    return replace(problem, created_at=event[0], action=event[1])


def _time(fields: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(fields["created_at"])


def run_verification(actor: Actor) -> Verification:
    """Verification on the auditor's request, recorded as "audit.verify" (a failure is a security
    event). The command line does not record: it must also run against a read-only replica."""
    require_auditor(actor)
    result = verify_chain()
    with transaction.atomic():
        record(
            actor,
            "audit.verify",
            ("audit.auditevent", "", "审计日志"),
            reason=result.message(),
            success=result.ok,
            after={"events": result.count, "head_seq": result.head_seq},
        )
    return result
