"""Archiving old audit events: export only — rows are never deleted.

Audit logs are kept at least 180 days (LAW.md rule 71: 网络安全法 art. 21(3), six months), so
no date later than today − 180 days is accepted. Archival writes the events before the date to
a JSON Lines file in chain order (every hashed field with the event's id and content hash, and its
link: seq, prev_hash, hash — so the file verifies on its own from the genesis value) and a manifest
beside it; the rows stay in the table because the triggers forbid DELETE and the chain
must stay verifiable from its first event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from xiezhi.audit.hashing import GENESIS, content_hash, link_hash
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.verify import iter_chain
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed

RETENTION_DAYS = 180
FORMAT = "xiezhi-audit-archive/1"


def zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def latest_cutoff(today: date | None = None) -> date:
    return (today or timezone.localdate()) - timedelta(days=RETENTION_DAYS)


def check_cutoff(before: date, today: date | None = None) -> None:
    limit = latest_cutoff(today)
    if before > limit:
        raise ValidationFailed.field(
            "before",
            f"不能归档{zh_date(before)}之前的事件：审计日志须至少保存 {RETENTION_DAYS} 天"
            f"（网络安全法第二十一条），截止日期最晚为{zh_date(limit)}",
        )


@dataclass(frozen=True)
class ArchiveReport:
    before: str
    path: str
    manifest: str
    count: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    sha256: str
    chain_ok: bool


def archive(before: date, directory: Path, actor: Actor | None = None) -> ArchiveReport:
    check_cutoff(before)
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = directory / f"audit-before-{before.isoformat()}-{stamp}.jsonl"
    count, first_seq, last_seq, prev, chain_ok = 0, None, None, GENESIS, True
    digest = hashlib.sha256()
    rows = iter_chain("e.created_at < %s", [connection.ops.adapt_datetimefield_value(cutoff)])
    with path.open("w", encoding="utf-8") as out:
        for seq, stored_prev, stored_hash, event_id, stored_content, fields in rows:
            assert fields is not None and stored_content is not None  # the join found the event
            # A prefix of the chain: it must link from the genesis value and hash correctly.
            if (
                seq != (last_seq or 0) + 1
                or stored_prev != prev
                or content_hash(fields, fields["algorithm"]) != stored_content
                or link_hash(stored_prev, seq, event_id, stored_content, fields["algorithm"]) != stored_hash
            ):
                chain_ok = False
            line = (
                json.dumps(
                    {
                        **fields,
                        "id": event_id,
                        "content_hash": stored_content,
                        "seq": seq,
                        "prev_hash": stored_prev,
                        "hash": stored_hash,
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                )
                + "\n"
            )
            out.write(line)
            digest.update(line.encode())
            count += 1
            first_seq = seq if first_seq is None else first_seq
            last_seq, prev = seq, stored_hash
    # An old event that never joined the chain is not in the file: the archive is incomplete.
    if AuditEvent.objects.filter(created_at__lt=cutoff, link__isnull=True).exists():
        chain_ok = False
    report = ArchiveReport(
        before=before.isoformat(),
        path=str(path),
        manifest=str(path.with_suffix(".manifest.json")),
        count=count,
        first_seq=first_seq,
        last_seq=last_seq,
        last_hash=prev,
        sha256=digest.hexdigest(),
        chain_ok=chain_ok,
    )
    Path(report.manifest).write_text(
        json.dumps({"format": FORMAT, **asdict(report)}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    with transaction.atomic():
        record(
            actor,
            "audit.archive",
            ("audit.auditevent", "", "审计日志"),
            # File name and digest go in the reason: before/after strings are scanned for personal
            # data, and a long run of digits in a hex digest could be masked.
            reason=f"归档{zh_date(before)}之前的事件（仅导出，不删除）；文件 {path.name}；SHA-256 {report.sha256}",
            after={"rows": count, "first_seq": first_seq, "last_seq": last_seq, "chain_ok": chain_ok},
            success=chain_ok,
        )
    return report
