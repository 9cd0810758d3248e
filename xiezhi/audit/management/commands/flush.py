"""Django's `flush`, able to empty the append-only audit tables on SQLite.

On SQLite `flush` empties tables with DELETE, which the audit triggers refuse, so the test
runner's flush after every transactional (browser) test would fail. Flushing wipes every table
anyway — it is never an operation on the audit trail alone — so this drops the SQLite triggers
for the duration and puts them back. On PostgreSQL flush uses TRUNCATE, which row triggers do
not see, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from xiezhi.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            triggers.install(connection)
