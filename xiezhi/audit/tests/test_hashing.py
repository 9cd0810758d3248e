"""The chain hash: algorithms, canonical form, and read-back equality on the real database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from xiezhi.audit.hashing import (
    GENESIS,
    HASHED_FIELDS,
    canonical,
    canonical_time,
    chain_hash,
    digest,
    event_fields,
)
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.verify import verify_chain


def test_sm3_matches_the_gbt_32905_test_vector() -> None:
    # GB/T 32905-2016 appendix A, example 1: SM3("abc").
    assert digest("sm3", b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert digest("sha256", b"abc") == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(ValueError):
        digest("md5", b"abc")


def test_canonical_form_ignores_key_order_and_keeps_chinese() -> None:
    assert canonical({"b": 1, "a": "城关镇"}) == canonical({"a": "城关镇", "b": 1})
    assert canonical({"a": "城关镇"}) == '{"a":"城关镇"}'.encode()


def test_the_hash_covers_the_previous_hash_and_every_field() -> None:
    fields = {"seq": 1, "action": "x"}
    base = chain_hash(GENESIS, fields)
    assert chain_hash("1" * 64, fields) != base
    assert chain_hash(GENESIS, {"seq": 1, "action": "y"}) != base
    assert chain_hash(GENESIS, fields, "sm3") != base


@pytest.mark.parametrize(
    "value",
    [
        datetime(2025, 10, 8, 6, 0, 0, 0, tzinfo=UTC),
        datetime(2025, 10, 8, 14, 0, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        datetime(2025, 10, 8, 14, 0, 0, 0, tzinfo=timezone(timedelta(hours=8))),
        datetime(2025, 10, 8, 6, 0, 0, 0, tzinfo=ZoneInfo("UTC")),
        datetime(2025, 10, 8, 6, 0, 0, 0),
    ],
)
def test_one_instant_has_one_canonical_text(value: datetime) -> None:
    assert canonical_time(value) == "2025-10-08T06:00:00.000000+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize("microsecond", [0, 1, 999_999, 500_000])
def test_the_value_read_back_hashes_like_the_value_written(microsecond: int) -> None:
    """SQLite hands back naive-stored UTC, PostgreSQL a timestamptz in the connection zone, and
    jsonb reorders keys and normalises spacing: none of it may change the hash."""
    moment = datetime(2025, 10, 8, 14, 3, 5, microsecond, tzinfo=ZoneInfo("Asia/Shanghai"))
    before = {"z": 1, "a": [1.5, None, True], "名称": "城关镇", "nested": {"b": 0.1, "a": 10**15}}
    with mock.patch("xiezhi.audit.services.timezone.now", return_value=moment):
        written = record(None, "test.roundtrip", ("test.thing", "1", "对象"), before=before, after={"x": "y"})
    written_fields = event_fields(written)
    read = AuditEvent.objects.get(seq=written.seq)
    assert read.created_at == moment
    assert event_fields(read) == written_fields
    assert chain_hash(read.prev_hash, event_fields(read), read.algorithm) == read.hash
    row = AuditEvent.objects.filter(seq=written.seq).values_list(*HASHED_FIELDS).get()
    assert dict(zip(HASHED_FIELDS, row, strict=True))["created_at"] == moment
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_chain_that_changes_algorithm_stays_verifiable() -> None:
    first = record(None, "test.sha")
    with override_settings(XIEZHI_AUDIT_HASH="sm3"):
        second = record(None, "test.sm3")
    assert (first.algorithm, second.algorithm) == ("sha256", "sm3")
    assert second.prev_hash == first.hash
    assert second.hash == chain_hash(first.hash, event_fields(second), "sm3")
    result = verify_chain()
    assert result.ok and result.algorithms == {"sha256", "sm3"}


def test_the_hash_setting_is_checked_at_start_up() -> None:
    from xiezhi.audit.apps import check_hash_setting

    with override_settings(XIEZHI_AUDIT_HASH="md5"):
        assert [e.id for e in check_hash_setting()] == ["xiezhi.audit.E001"]
    with override_settings(XIEZHI_AUDIT_HASH="sm3"):
        assert check_hash_setting() == []
