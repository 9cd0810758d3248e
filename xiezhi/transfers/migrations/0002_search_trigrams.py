"""Trigram indexes for the list search (PostgreSQL only; SQLite scans, which is fine at its scale).

The search is `icontains` on party, location and source reference, which PostgreSQL runs as
`UPPER(col::text) LIKE UPPER('%…%')`: a btree cannot serve a pattern with a leading wildcard, a
trigram GIN index on the same expression can (three characters or more; Chinese works under a
UTF-8 ctype). pg_trgm is a trusted extension: a database owner may create it.
"""

from django.db import migrations

COLUMNS = ("party", "location", "source_reference")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS transfer_{column}_trgm ON transfers_transfer "
            f"USING gin ((UPPER(({column})::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS transfer_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("transfers", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
