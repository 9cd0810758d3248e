"""Walking the hash chain: every event's digest, every link, seq continuity and the head row.

Streaming: one ordered query over exactly the hashed columns (a server-side cursor on
PostgreSQL), no model instances, constant memory; see benchmarks/audit.py for the time over a
million events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xiezhi.audit.hashing import GENESIS, HASHED_FIELDS, chain_hash, fields_from_row
from xiezhi.audit.models import AuditChainHead, AuditEvent
from xiezhi.audit.selectors import require_auditor
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor

CHUNK = 10_000

DIGEST_MISMATCH = "digest_mismatch"
BROKEN_LINK = "broken_link"
MISSING = "missing"
HEAD_MISMATCH = "head_mismatch"

LABELS = {
    DIGEST_MISMATCH: "摘要不符",
    BROKEN_LINK: "链接断裂",
    MISSING: "缺失事件",
    HEAD_MISMATCH: "链头不符",
}


def zh_time(value: datetime | None) -> str:
    if value is None:
        return "时间不详"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with the chain. For a missing event, time and action are those of
    the event found in its place (the next one), or empty when the chain's end is missing."""

    kind: str
    seq: int
    created_at: datetime | None
    action: str
    detail: str

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def message(self) -> str:
        where = f"第 {self.seq} 号事件"
        if self.kind != MISSING:
            where += f"（{zh_time(self.created_at)}，{self.action}）"
        return f"审计链损坏：{where}——{self.label}：{self.detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "seq": self.seq,
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

    @property
    def ok(self) -> bool:
        return self.problem is None

    def message(self) -> str:
        if self.problem is not None:
            return self.problem.message()
        return f"审计链完整：共 {self.count} 条事件"

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "message": self.message(),
            "count": self.count,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "algorithms": sorted(self.algorithms),
            "seconds": round(self.seconds, 3),
            "problem": self.problem.as_dict() if self.problem else None,
        }


Row = tuple[dict[str, Any], str, str]  # (hashed fields in canonical form, prev_hash, hash)

_BEFORE, _AFTER = HASHED_FIELDS.index("before"), HASHED_FIELDS.index("after")


def _rows(head_seq: int) -> Generator[Row]:
    if connection.vendor == "postgresql":
        return _pg_rows(head_seq)
    return _orm_rows(head_seq)


def _orm_rows(head_seq: int) -> Generator[Row]:
    columns = (*HASHED_FIELDS, "prev_hash", "hash")
    qs = AuditEvent.objects.filter(seq__lte=head_seq).order_by("seq").values_list(*columns)
    for row in qs.iterator(chunk_size=CHUNK):
        yield fields_from_row(row[:-2]), row[-2], row[-1]


def _pg_rows(head_seq: int) -> Generator[Row]:
    """A named (server-side) cursor, with the time formatted canonically by the server and the
    JSON parsed here: no datetime parsing and no Django converters per row."""
    select = ", ".join(
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
        if name == "created_at"
        else f"{name}::text"
        if name in ("before", "after")
        else name
        for name in HASHED_FIELDS
    )
    sql = f"SELECT {select}, prev_hash, hash FROM {AuditEvent._meta.db_table} WHERE seq <= %s ORDER BY seq"
    loads = json.loads
    with transaction.atomic():
        connection.ensure_connection()
        assert connection.connection is not None
        raw = connection.connection.cursor(name="xiezhi_verify_audit")
        raw.itersize = CHUNK
        try:
            raw.execute(sql, [head_seq])
            for row in raw:
                before, after = row[_BEFORE], row[_AFTER]
                fields = dict(zip(HASHED_FIELDS, row, strict=False))  # stops before prev_hash, hash
                fields["before"] = None if before is None else loads(before)
                fields["after"] = None if after is None else loads(after)
                yield fields, row[-2], row[-1]
        finally:
            raw.close()


def verify_chain() -> Verification:
    """Verify every event up to the head as it stood when verification began; events appended
    meanwhile are left for the next run (they are outside the head that was read)."""
    started = time.perf_counter()
    head = AuditChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    result = Verification()
    if head is None:
        # Only a test flush removes the head (a trigger refuses DELETE); events without it are an attack.
        if AuditEvent.objects.exists():
            first = AuditEvent.objects.order_by("seq").values_list("seq", "created_at", "action").first()
            assert first is not None
            result.problem = Problem(HEAD_MISMATCH, first[0], first[1], first[2], "审计链头记录缺失")
        result.seconds = time.perf_counter() - started
        return result
    result.head_seq, result.head_hash = head
    result.problem = _walk(result)
    result.seconds = time.perf_counter() - started
    return result


def _walk(result: Verification) -> Problem | None:
    with closing(_rows(result.head_seq)) as rows:
        return _walk_rows(result, rows)


def _walk_rows(result: Verification, rows: Iterator[Row]) -> Problem | None:
    expected, prev_hash = 1, GENESIS
    prev_fields: dict[str, Any] | None = None
    for fields, stored_prev, stored_hash in rows:
        seq, action = fields["seq"], fields["action"]
        if seq != expected:
            after = f"第 {expected - 1} 号（{zh_time(_time(prev_fields))}）" if prev_fields else "链首"
            return Problem(
                MISSING,
                expected,
                None,
                "",
                f"{after}之后应为第 {expected} 号，实际为第 {seq} 号（{zh_time(_time(fields))}，{action}）；"
                f"缺少 {seq - expected} 条事件",
            )
        if stored_prev != prev_hash:
            return Problem(
                BROKEN_LINK,
                seq,
                _time(fields),
                action,
                f"记录的前一摘要与第 {seq - 1} 号事件的摘要不一致（该事件或前一事件被改动）"
                if seq > 1
                else "首条事件的前一摘要不是初始值",
            )
        algorithm = fields["algorithm"]
        try:
            computed = chain_hash(stored_prev, fields, algorithm)
        except (RuntimeError, ValueError) as exc:
            return Problem(DIGEST_MISMATCH, seq, _time(fields), action, f"无法计算摘要：{exc}")
        if computed != stored_hash:
            return Problem(
                DIGEST_MISMATCH,
                seq,
                _time(fields),
                action,
                "重新计算的摘要与记录的摘要不一致（事件内容被改动）",
            )
        result.algorithms.add(algorithm)
        result.count += 1
        expected, prev_hash, prev_fields = seq + 1, stored_hash, fields
    if result.count < result.head_seq:
        return Problem(
            MISSING,
            expected,
            None,
            "",
            f"链头记录共 {result.head_seq} 条，实际只有 {result.count} 条；"
            f"第 {expected} 号起的事件缺失（链尾被删除）",
        )
    if prev_hash != result.head_hash:
        return Problem(
            HEAD_MISMATCH,
            result.head_seq,
            _time(prev_fields) if prev_fields else None,
            prev_fields["action"] if prev_fields else "",
            "链头记录的摘要与最后一条事件的摘要不一致",
        )
    return None


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
