"""core.statements: the kept SQL expires, prepared reads see fresh rows, and timestamps read as
JSON text are exactly what the API's encoder writes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from xiezhi.core.statements import Statements, fetch_dicts, fetch_rows, fetch_value, json_time

ENCODE = DjangoJSONEncoder().default


def pg_text(moment: datetime) -> str:
    """How PostgreSQL prints a timestamptz in a UTC session: fraction trimmed of trailing zeros."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return text + "+00"


@pytest.mark.parametrize("micro", [0, 1, 123, 500_000, 999_999, 120_000, 7_000])
def test_json_time_writes_what_the_encoder_writes(micro: int) -> None:
    moment = datetime(2025, 10, 8, 1, 2, 3, micro, tzinfo=UTC)
    assert json_time(pg_text(moment)) == ENCODE(moment)


def test_json_time_on_many_moments() -> None:
    rng = random.Random(8)
    start = datetime(2019, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        moment = start + timedelta(microseconds=rng.randrange(10**15))
        assert json_time(pg_text(moment)) == ENCODE(moment)


def test_json_time_outside_utc_takes_the_slow_sure_way() -> None:
    assert json_time("2025-10-08 09:02:03.5+08") == "2025-10-08T09:02:03.500+08:00"


def test_statements_are_kept_until_they_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    kept: Statements[str] = Statements(ttl=60)
    built: list[int] = []

    def build() -> str:
        built.append(1)
        return "SELECT 1"

    assert kept.get("k", build) == kept.get("k", build) == "SELECT 1" and len(built) == 1
    import xiezhi.core.statements as module

    later = module.time.monotonic() + 61
    monkeypatch.setattr(module.time, "monotonic", lambda: later)
    kept.get("k", build)
    assert len(built) == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db
def test_prepared_reads_see_fresh_rows_and_json_times_match_the_encoder() -> None:
    from xiezhi.audit.models import AuditEvent
    from xiezhi.audit.services import record

    sql = f"SELECT id, created_at FROM {AuditEvent._meta.db_table} WHERE action = %s ORDER BY id"
    for n in range(7):  # past psycopg's prepare threshold: later runs use the prepared statement
        record(None, "test.fresh", reason=str(n))
        rows = fetch_dicts("default", sql, ["test.fresh"], json_times=True)
        assert len(rows) == n + 1
    stored = dict(AuditEvent.objects.filter(action="test.fresh").values_list("id", "created_at"))
    assert all(row["created_at"] == ENCODE(stored[row["id"]]) for row in rows)
    assert fetch_rows("default", "SELECT %s::int + 1", [41]) == [(42,)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
@pytest.mark.django_db
def test_postgresql_sessions_price_random_reads_for_memory_and_ssd() -> None:
    """settings.py sets random_page_cost 1.1 on every connection (see its comment), or leaves the
    server's value when XIEZHI_DB_RANDOM_PAGE_COST is empty."""
    assert fetch_value("default", "SHOW random_page_cost", []) == "1.1"
