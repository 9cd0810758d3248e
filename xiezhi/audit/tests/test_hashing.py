"""The chain hash: algorithms, canonical form, and read-back equality on the real database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from xiezhi.audit.chain import chain_pending
from xiezhi.audit.hashing import (
    GENESIS,
    HASHED_FIELDS,
    canonical,
    canonical_time,
    content_hash,
    digest,
    event_fields,
    link_hash,
)
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.services import record
from xiezhi.audit.tests.conftest import link_of
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


def test_the_hashes_cover_every_field_the_position_the_event_and_the_previous_link() -> None:
    fields = {"created_at": "t", "action": "x"}
    base = content_hash(fields)
    assert content_hash({"created_at": "t", "action": "y"}) != base
    assert content_hash(fields, "sm3") != base
    link = link_hash(GENESIS, 1, 7, base)
    assert link_hash("1" * 64, 1, 7, base) != link
    assert link_hash(GENESIS, 2, 7, base) != link
    assert link_hash(GENESIS, 1, 8, base) != link
    assert link_hash(GENESIS, 1, 7, content_hash(fields, "sm3")) != link
    assert link_hash(GENESIS, 1, 7, base, "sm3") != link


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
    read = AuditEvent.objects.get(pk=written.pk)
    assert read.created_at == moment
    assert event_fields(read) == written_fields
    assert content_hash(event_fields(read), read.algorithm) == read.content_hash == written.content_hash
    row = AuditEvent.objects.filter(pk=written.pk).values_list(*HASHED_FIELDS).get()
    assert dict(zip(HASHED_FIELDS, row, strict=True))["created_at"] == moment
    chain_pending()
    result = verify_chain()  # the verifier's own reading (server-formatted time on PostgreSQL)
    assert result.ok and result.count == 1


@pytest.mark.django_db
def test_a_chain_that_changes_algorithm_stays_verifiable() -> None:
    first = record(None, "test.sha")
    chain_pending()
    with override_settings(XIEZHI_AUDIT_HASH="sm3"):
        second = record(None, "test.sm3")
    chain_pending()
    assert (first.algorithm, second.algorithm) == ("sha256", "sm3")
    assert second.content_hash == content_hash(event_fields(second), "sm3")
    one, two = link_of(first), link_of(second)
    assert two.prev_hash == one.hash
    assert two.hash == link_hash(one.hash, two.seq, second.pk, second.content_hash, "sm3")
    result = verify_chain()
    assert result.ok and result.algorithms == {"sha256", "sm3"}


def test_the_hash_setting_is_checked_at_start_up() -> None:
    from xiezhi.audit.apps import check_hash_setting

    with override_settings(XIEZHI_AUDIT_HASH="md5"):
        assert [e.id for e in check_hash_setting()] == ["xiezhi.audit.E001"]
    with override_settings(XIEZHI_AUDIT_HASH="sm3"):
        assert check_hash_setting() == []
