"""`xiezhi verify-audit`: an intact chain, and each kind of damage named at its first event."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from xiezhi.audit.hashing import content_hash, event_fields, link_hash
from xiezhi.audit.models import AuditChainHead, AuditChainLink, AuditEvent
from xiezhi.audit.tests.conftest import link_of, make_events

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
    assert data["head_hash"] == AuditChainLink.objects.get(seq=25).hash and data["head_seq"] == 25


def test_an_empty_trail_is_intact() -> None:
    code, out, _ = run()
    assert code == 0 and "共 0 条事件" in out


def _delete(*events: AuditEvent, links: bool = True) -> None:
    """As the owner: remove events (and their links) — links first, as the foreign key wants."""
    ids = [e.pk for e in events]
    if links:
        AuditChainLink.objects.filter(event_id__in=ids).delete()
    AuditEvent.objects.filter(pk__in=ids).delete()


def test_an_edited_event_is_named_with_digest_mismatch(bypass: Bypass) -> None:
    events = make_events(10)
    with bypass(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = '被篡改' WHERE id = %s", [events[3].pk])
    code, _, err = run()
    assert code == 1
    assert "第 4 号事件" in err and "摘要不符" in err and "test.event0" in err
    code, out, _ = run("--json")
    problem = json.loads(out)["problem"]
    assert code == 1 and (problem["seq"], problem["kind"], problem["label"], problem["event_id"]) == (
        4,
        "digest_mismatch",
        "摘要不符",
        events[3].pk,
    )


def test_an_edit_with_a_recomputed_content_hash_breaks_its_link(bypass: Bypass) -> None:
    events = make_events(6)
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.reason = "重写"
    digest = content_hash(event_fields(forged), forged.algorithm)
    with bypass():
        AuditEvent.objects.filter(pk=forged.pk).update(reason="重写", content_hash=digest)
    code, _, err = run()
    assert code == 1 and "第 3 号事件" in err and "链接摘要不符" in err


def test_an_edit_with_its_link_recomputed_breaks_the_next_link(bypass: Bypass) -> None:
    events = make_events(6)
    forged = AuditEvent.objects.get(pk=events[2].pk)
    forged.reason = "重写"
    digest = content_hash(event_fields(forged), forged.algorithm)
    link = link_of(forged)
    with bypass():
        AuditEvent.objects.filter(pk=forged.pk).update(reason="重写", content_hash=digest)
        AuditChainLink.objects.filter(seq=link.seq).update(
            hash=link_hash(link.prev_hash, link.seq, forged.pk, digest, forged.algorithm)
        )
    code, _, err = run()
    assert code == 1 and "第 4 号事件" in err and "链接断裂" in err


def test_a_deleted_event_is_named_as_missing(bypass: Bypass) -> None:
    events = make_events(8)
    with bypass():
        _delete(events[4])
    code, _, err = run()
    assert code == 1 and "第 5 号事件——缺失事件" in err and "实际为第 6 号" in err
    problem = json.loads(run("--json")[1])["problem"]
    assert (problem["seq"], problem["kind"]) == (5, "missing")


def test_events_cut_off_the_end_are_caught_by_the_head(bypass: Bypass) -> None:
    events = make_events(8)
    with bypass():
        _delete(*events[6:])
    code, _, err = run()
    assert code == 1 and "第 7 号事件——缺失事件" in err and "链尾被删除" in err


def test_a_forged_head_is_caught(bypass: Bypass) -> None:
    make_events(3)
    with bypass():
        AuditChainHead.objects.filter(pk=1).update(last_hash="a" * 64)
    code, _, err = run()
    assert code == 1 and "链头不符" in err


def test_only_the_first_problem_is_named(bypass: Bypass) -> None:
    events = make_events(10)
    with bypass():
        _delete(events[6])
        AuditEvent.objects.filter(pk=events[2].pk).update(action="forged.action")
    code, _, err = run()
    assert code == 1 and "第 3 号事件" in err and "forged.action" in err and "第 7 号" not in err
