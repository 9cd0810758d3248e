"""Fewer indexes on the audit event table (every append pays for each one): the single-column
indexes of action, target_type and target_id (and PostgreSQL's pattern-ops copies of them) give
way to one pattern-ops index on action and one on (target_id, target_type); the account id's
index, which no query used, goes. The chain link's
hash loses its unique constraint (and its pattern-ops index) on PostgreSQL; SQLite keeps the
constraint, which is part of its table definition.

The old indexes are dropped by name, found by introspection, instead of through AlterField: on
SQLite AlterField rebuilds the table, which would drop the append-only triggers with it."""

from typing import Any

from django.db import migrations, models

_OLD_COLUMNS = ({"actor_user_id"}, {"action"}, {"target_type"}, {"target_id"})


def drop_single_column_indexes(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("audit", "AuditEvent")
    table = model._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["index"] and not info["unique"] and not info["primary_key"] and set(info["columns"]) in _OLD_COLUMNS:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def drop_link_hash_unique(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("audit", "AuditChainLink")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if info["columns"] != ["hash"]:
            continue
        if info["unique"]:
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {schema_editor.quote_name(name)}")
        elif info["index"]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_chain_after_commit"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(drop_single_column_indexes, migrations.RunPython.noop),
                migrations.RunPython(drop_link_hash_unique, migrations.RunPython.noop),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor_user_id",
                    field=models.BigIntegerField(blank=True, null=True, verbose_name="操作账号ID"),
                ),
                migrations.AlterField(
                    model_name="auditchainlink",
                    name="hash",
                    field=models.CharField(max_length=64, verbose_name="链接摘要"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=80, verbose_name="操作"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="target_id",
                    field=models.CharField(blank=True, max_length=64, verbose_name="对象ID"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="target_type",
                    field=models.CharField(blank=True, max_length=60, verbose_name="对象类型"),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action"], name="audit_event_action", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["target_id", "target_type"], name="audit_event_target"),
        ),
    ]
