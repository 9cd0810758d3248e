"""`xiezhi verify-audit`: an intact chain, and each kind of damage named at its first event."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from xiezhi.audit.hashing import chain_hash, event_fields
from xiezhi.audit.models import AuditChainHead, AuditEvent
from xiezhi.audit.tests.conftest import make_events

pytestmark = pytest.mark.django_db

Bypass = Callable[[], AbstractContextManager[None]]


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify-audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_chain_is_reported_with_its_size() -> None:
    make_events(25)
    code, out, _ = run()
    assert code == 0
    assert "审计链完整：共 25 条事件" in out
    code, out, _ = run("--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["count"] == 25 and data["problem"] is None
    assert data["head_hash"] == AuditEvent.objects.get(seq=25).hash


def test_an_empty_trail_is_intact() -> None:
    code, out, _ = run()
    assert code == 0 and "共 0 条事件" in out


def test_an_edited_event_is_named_with_digest_mismatch(bypass: Bypass) -> None:
    make_events(10)
    with bypass(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = '被篡改' WHERE seq = 4")
    code, _, err = run()
    assert code == 1
    assert "第 4 号事件" in err and "摘要不符" in err and "test.event0" in err
    code, out, _ = run("--json")
    problem = json.loads(out)["problem"]
    assert code == 1 and (problem["seq"], problem["kind"], problem["label"]) == (
        4,
        "digest_mismatch",
        "摘要不符",
    )


def test_an_edit_with_a_recomputed_digest_breaks_the_next_link(bypass: Bypass) -> None:
    make_events(6)
    forged = AuditEvent.objects.get(seq=3)
    forged.reason = "重写"
    new_hash = chain_hash(forged.prev_hash, event_fields(forged), forged.algorithm)
    with bypass():
        AuditEvent.objects.filter(seq=3).update(reason="重写", hash=new_hash)
    code, _, err = run()
    assert code == 1 and "第 4 号事件" in err and "链接断裂" in err


def test_a_deleted_event_is_named_as_missing(bypass: Bypass) -> None:
    make_events(8)
    with bypass():
        AuditEvent.objects.filter(seq=5).delete()
    code, _, err = run()
    assert code == 1 and "第 5 号事件——缺失事件" in err and "实际为第 6 号" in err
    problem = json.loads(run("--json")[1])["problem"]
    assert (problem["seq"], problem["kind"]) == (5, "missing")


def test_events_cut_off_the_end_are_caught_by_the_head(bypass: Bypass) -> None:
    make_events(8)
    with bypass():
        AuditEvent.objects.filter(seq__gte=7).delete()
    code, _, err = run()
    assert code == 1 and "第 7 号事件——缺失事件" in err and "链尾被删除" in err


def test_a_forged_head_is_caught(bypass: Bypass) -> None:
    make_events(3)
    with bypass():
        AuditChainHead.objects.filter(pk=1).update(last_hash="a" * 64)
    code, _, err = run()
    assert code == 1 and "链头不符" in err


def test_only_the_first_problem_is_named(bypass: Bypass) -> None:
    make_events(10)
    with bypass():
        AuditEvent.objects.filter(seq=7).delete()
        AuditEvent.objects.filter(seq=3).update(action="forged.action")
    code, _, err = run()
    assert code == 1 and "第 3 号事件" in err and "forged.action" in err and "第 7 号" not in err
