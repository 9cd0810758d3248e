"""Inserting many devolutions at once.

A catalogue version holds matters × townships rows (100,000 for 5,000 matters in 20 townships);
building a model instance per row costs more than the database does, so imports and draft copies
send plain tuples: COPY on PostgreSQL, multi-row INSERT statements elsewhere. The database still
checks every constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from django.db import connection

from xiezhi.catalogue.models import Devolution

DevolutionRow = tuple[int, int, int, str, date | None, date | None, int | None]
COLUMNS = (
    "version_id",
    "matter_id",
    "township_id",
    "mode",
    "effective_from",
    "effective_to",
    "entrustment_id",
)
# Rows per multi-row INSERT: 7,000 parameters stays under SQLite's and PostgreSQL's limits.
CHUNK = 1000


def _chunks(rows: Iterable[DevolutionRow]) -> Iterator[list[DevolutionRow]]:
    it = iter(rows)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def insert_devolutions(rows: Iterable[DevolutionRow]) -> int:
    """Insert (version, matter, township, mode, from, to, entrustment) rows; returns how many."""
    qn = connection.ops.quote_name
    table, columns = qn(Devolution._meta.db_table), ", ".join(qn(c) for c in COLUMNS)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows; psycopg would otherwise re-parse a 7,000-parameter statement per chunk.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        group = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
        for chunk in _chunks(rows):
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([group] * len(chunk)),
                [value for row in chunk for value in row],
            )
            count += len(chunk)
    return count
