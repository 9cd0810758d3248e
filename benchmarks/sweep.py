"""Deadline sweep benchmark on PostgreSQL: one sweep over 1,000,000 obligations of which 10,000 have
just become overdue, then a second sweep with nothing new.

    .venv/bin/python benchmarks/sweep.py [--total 1000000] [--new 10000] [--keep]

Uses its own database (xiezhi_bench_sweep, dropped and re-created at the start; the server from
XIEZHI_BENCH_PG, default postgres://postgres@127.0.0.1:5432). Targets (issue 4 §8): first sweep
< 2 s, idle sweep < 0.5 s. Figures are printed, never asserted. The sweep runs with the default
notification settings (console channel, delivered on commit), as `xiezhi sweep` would.

The rows: `--new` open obligations whose due time passed within the last minute (already
reminded), plus a background of met (60 %), open and due later (30 %; reminders and escalations
in the future) and overdue ones already escalated to level 2 (the rest), spread over 40 units.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/calendar.py would shadow the standard library's `calendar` for a script run from here.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

NAME = "xiezhi_bench_sweep"


def prepare_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["XIEZHI_DATABASE_URL"] = f"{server}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")
    os.environ["XIEZHI_SCHEDULER"] = "0"
    os.environ.setdefault("XIEZHI_LOG_LEVEL", "ERROR")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_units() -> list[int]:
    from xiezhi.testing.factories import make_county, make_unit
    from xiezhi.units.models import UnitKind

    county = make_county("基准县", "990001")
    gov = make_unit("基准县人民政府", UnitKind.COUNTY_GOVERNMENT, county)
    make_unit("基准县综合行政执法指挥中心", UnitKind.COMMAND_CENTRE, county, parent=gov)
    bureau = make_unit("基准县司法局", UnitKind.JUSTICE_BUREAU, county, parent=gov)
    ids: list[int] = []
    for i in range(20):
        town = make_unit(f"第{i + 1:02d}镇", UnitKind.TOWNSHIP, county, parent=gov)
        make_unit(f"第{i + 1:02d}镇司法所", UnitKind.JUSTICE_OFFICE, county, parent=bureau)
        ids.append(town.pk)
    for i in range(20):
        ids.append(make_unit(f"基准县第{i + 1:02d}局", UnitKind.DEPARTMENT, county, parent=gov).pk)
    return ids


def load(total: int, new: int, units: list[int], now: datetime) -> float:
    """COPY the rows in (the sweep is measured, not the loading)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from xiezhi.units.models import Unit

    content_type = ContentType.objects.get_for_model(Unit).pk
    rng = random.Random(4)
    columns = (
        "rule_id, unit_id, subject_type_id, subject_id, subject_label, subject_url, opened_at, period, due_at, "
        "provisional, status, met_at, overdue_at, suspended_at, explanation, escalation_level, remind_at, "
        "reminders_sent, escalate_at, due_version, created_at"
    )
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    explanation = "自2025年3月3日起算3个工作日，截止2025年3月6日17:30"
    with raw.cursor() as cursor, cursor.copy(f"COPY deadlines_obligation ({columns}) FROM STDIN") as copy:
        for i in range(total):
            unit = units[i % len(units)]
            row: tuple[Any, ...]
            if i < new:  # due within the last minute: the sweep's work
                due = now - timedelta(seconds=rng.uniform(1, 59))
                row = ("open", None, None, 0, None, 1, due + timedelta(days=1))
            elif i < new + (total - new) * 6 // 10:
                due = now - timedelta(days=rng.uniform(10, 700))
                row = ("met", due - timedelta(hours=rng.uniform(1, 48)), None, 0, None, 1, None)
            elif i < new + (total - new) * 9 // 10:
                due = now + timedelta(days=rng.uniform(2, 60))
                row = ("open", None, None, 0, due - timedelta(days=1), 0, due + timedelta(days=1))
            else:
                due = now - timedelta(days=rng.uniform(5, 300))
                row = ("overdue", None, due, 2, None, 1, None)
            status, met_at, overdue_at, level, remind_at, sent, escalate_at = row
            copy.write_row(
                (
                    "R-TR-02",
                    unit,
                    content_type,
                    str(unit),
                    f"基准事项{i}",
                    "",
                    due - timedelta(days=4),
                    "3WD",
                    due,
                    False,
                    status,
                    met_at,
                    overdue_at,
                    None,
                    explanation,
                    level,
                    remind_at,
                    sent,
                    escalate_at,
                    1,
                    now,
                )
            )
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE deadlines_obligation")
    return time.perf_counter() - started


def reset(now: datetime) -> None:
    """Put the newly overdue rows back as they were before the first sweep."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE deadlines_obligation SET status = 'open', overdue_at = NULL, remind_at = NULL "
            "WHERE overdue_at = %s",
            [now],
        )
        cursor.execute("DELETE FROM deadlines_obligationevent")
        cursor.execute("DELETE FROM notifications_deliveryattempt")
        cursor.execute("DELETE FROM notifications_delivery")
        cursor.execute("DELETE FROM notifications_notification")
        cursor.execute("VACUUM ANALYZE deadlines_obligation")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    server = os.environ.get("XIEZHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    prepare_database(server, NAME)

    import logging

    from django.db import connection
    from django.test import override_settings

    from xiezhi.deadlines import sweep
    from xiezhi.deadlines.models import Obligation, ObligationEvent
    from xiezhi.notifications.models import Notification

    logging.getLogger("xiezhi").setLevel(logging.ERROR)
    units = make_units()
    now = datetime.now(UTC)
    loaded = load(args.total, args.new, units, now)
    print(f"loaded {args.total:,} obligations ({args.new:,} newly overdue) in {loaded:.1f} s")

    # Warm-up, as in the long-running `xiezhi serve` process: the URLconf (notices link to pages),
    # the connection, the calendar. This sweep is far in the past and finds nothing.
    from django.urls import reverse

    reverse("deadlines:my_tasks")
    sweep.run(now - timedelta(days=3650))
    started = time.perf_counter()
    first = sweep.run(now)
    t1 = time.perf_counter() - started
    started = time.perf_counter()
    second = sweep.run(now)
    t2 = time.perf_counter() - started

    events = ObligationEvent.objects.filter(kind="overdue").count()
    notices = Notification.objects.count()
    overdue = Obligation.objects.filter(status="overdue", overdue_at=now).count()
    print(
        f"sweep 1: {t1:.3f} s  (target < 2 s) — overdue {first.overdue:,}, reminded {first.reminded}, "
        f"escalated {first.escalated}, notices {first.notices} (delivered inline on commit)"
    )
    print(
        f"sweep 2: {t2:.3f} s  (target < 0.5 s) — overdue {second.overdue}, reminded {second.reminded}, "
        f"escalated {second.escalated}, notices {second.notices}"
    )
    print(f"check: {overdue:,} rows marked, {events:,} history rows, {notices} notifications")

    # The same first sweep again with deliveries left to `xiezhi deliver` (XIEZHI_NOTIFY_INLINE=0),
    # to show what the sweep itself costs and what inline delivery adds.
    reset(now)
    with override_settings(XIEZHI_NOTIFY_INLINE=False):
        started = time.perf_counter()
        again = sweep.run(now)
        t3 = time.perf_counter() - started
    print(f"sweep 1 with deliveries queued: {t3:.3f} s — overdue {again.overdue:,}, notices {again.notices}")
    connection.close()
    if not args.keep:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
