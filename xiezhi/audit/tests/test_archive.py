"""Retention (LAW.md rule 71): nothing younger than 180 days is archived; archival never deletes."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from xiezhi.audit.archive import latest_cutoff
from xiezhi.audit.chain import chain_pending
from xiezhi.audit.hashing import GENESIS, HASHED_FIELDS, content_hash, link_hash
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import link_of
from xiezhi.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _record_at(moment: datetime, action: str) -> AuditEvent:
    with mock.patch("xiezhi.audit.services.timezone.now", return_value=moment):
        return record(None, action)


@pytest.mark.parametrize("days_ago", [0, 1, 179])
def test_a_date_less_than_180_days_ago_is_refused(days_ago: int, tmp_path: Path) -> None:
    before = timezone.localdate() - timedelta(days=days_ago)
    record(None, "test.event")
    with pytest.raises(CommandError) as exc:
        call_command("audit-archive", "--before", before.isoformat(), "--output-dir", str(tmp_path))
    message = str(exc.value)
    assert "180 天" in message and "网络安全法" in message
    limit = latest_cutoff()
    assert f"{limit.year}年{limit.month}月{limit.day}日" in message
    assert list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == 1  # not even an archive event


def test_a_future_date_and_a_malformed_date_are_refused(tmp_path: Path) -> None:
    for text in [(timezone.localdate() + timedelta(days=3)).isoformat(), "2025-13-01", "昨天"]:
        with pytest.raises(CommandError):
            call_command("audit-archive", "--before", text, "--output-dir", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_older_events_are_exported_and_kept(tmp_path: Path) -> None:
    now = timezone.now()
    old = [_record_at(now - timedelta(days=400 - i), f"old.{i}") for i in range(3)]
    _record_at(now - timedelta(days=10), "recent")
    chain_pending()
    cutoff = latest_cutoff()
    out = StringIO()
    call_command("audit-archive", "--before", cutoff.isoformat(), "--output-dir", str(tmp_path), stdout=out)
    assert "已归档 3 条事件" in out.getvalue() and "未删除" in out.getvalue()
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()]
    assert [r["action"] for r in lines] == ["old.0", "old.1", "old.2"]
    # The file verifies on its own: every line re-hashes and links from the genesis value.
    prev = GENESIS
    for seq, row in enumerate(lines, start=1):
        fields = {k: row[k] for k in HASHED_FIELDS}
        assert row["prev_hash"] == prev and row["seq"] == seq
        assert content_hash(fields, row["algorithm"]) == row["content_hash"]
        assert link_hash(prev, seq, row["id"], row["content_hash"], row["algorithm"]) == row["hash"]
        prev = row["hash"]
    assert prev == link_of(old[-1]).hash
    manifest = json.loads(files[0].with_suffix(".manifest.json").read_text(encoding="utf-8"))
    assert manifest["count"] == 3 and manifest["chain_ok"] is True
    assert manifest["last_seq"] == link_of(old[-1]).seq
    # Nothing deleted; the archival itself is the newest event; the chain still verifies.
    assert AuditEvent.objects.count() == 5
    archived = AuditEvent.objects.order_by("-id").first()
    assert (
        archived is not None
        and archived.action == "audit.archive"
        and archived.after == {"rows": 3, "first_seq": 1, "last_seq": 3, "chain_ok": True}
    )
    assert verify_chain().ok


def test_the_limit_is_exactly_180_days(tmp_path: Path) -> None:
    today = timezone.localdate()
    assert latest_cutoff(date(2025, 10, 8)) == date(2025, 4, 11)
    call_command(
        "audit-archive",
        "--before",
        (today - timedelta(days=180)).isoformat(),
        "--output-dir",
        str(tmp_path),
        stdout=StringIO(),
    )
    assert len(list(tmp_path.glob("*.jsonl"))) == 1
