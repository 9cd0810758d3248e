"""Database-enforced invariants: one set of triggers written for PostgreSQL and for SQLite.

The apps keep their own SQL; this only picks the statements for the connection's vendor, so
other vendors install nothing rather than fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TriggerSet:
    postgres_install: Sequence[str]
    postgres_remove: Sequence[str]
    sqlite_triggers: Mapping[str, str]  # trigger name → the statement after "CREATE TRIGGER <name>"

    def install_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return list(self.postgres_install)
        if vendor == "sqlite":
            return [
                f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in self.sqlite_triggers.items()
            ]
        return []

    def remove_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return list(self.postgres_remove)
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {name}" for name in self.sqlite_triggers]
        return []

    def install(self, connection: Any) -> None:
        with connection.cursor() as cursor:
            for statement in self.install_sql(connection.vendor):
                cursor.execute(statement)

    def remove(self, connection: Any) -> None:
        with connection.cursor() as cursor:
            for statement in self.remove_sql(connection.vendor):
                cursor.execute(statement)

    def installed_sqlite_triggers(self, connection: Any) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            return {row[0] for row in cursor.fetchall()} & set(self.sqlite_triggers)
