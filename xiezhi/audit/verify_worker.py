"""A verifier's helper process: checks one range of events inside the verifier's snapshot.

Kept apart from `verify` because a spawned interpreter imports this module before Django is set
up; it must import nothing of Django's models at the top."""

from __future__ import annotations

from typing import Any


def check_range(snapshot: str, database: str, lo: int, hi: int, limit: str, out: Any) -> None:
    """Runs in a fresh interpreter (multiprocessing "spawn"): set Django up, join the verifier's
    snapshot, check events lo <= id < hi, and put (lo, EventCheck) — or (lo, the error) — on `out`."""
    try:
        import os

        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")

        django.setup()
        from django.db import connection, transaction

        from xiezhi.audit.verify import check_events

        connection.settings_dict["NAME"] = database  # the verifier's (a test run's) database
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL jit = off")
            result = check_events(lo, hi, limit=limit)
        connection.close()
        out.put((lo, result))
    except BaseException as exc:  # reported to the verifier, which then checks the range itself
        out.put((lo, RuntimeError(f"{type(exc).__name__}: {exc}")))
