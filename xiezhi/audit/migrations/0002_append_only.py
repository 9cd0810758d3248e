"""Append-only triggers on the audit tables (PostgreSQL and SQLite), and the chain head row."""

from django.db import migrations

from xiezhi.audit import triggers
from xiezhi.core.db import TriggerSet

# The link table arrives in 0003, which installs the full set: here only what existed then.
TRIGGERS_0002 = TriggerSet(
    [s for s in triggers.POSTGRES_INSTALL if triggers.LINK_TABLE not in s],
    [s for s in triggers.POSTGRES_REMOVE if triggers.LINK_TABLE not in s],
    {k: v for k, v in triggers.SQLITE_TRIGGERS.items() if triggers.LINK_TABLE not in v},
)


def forwards(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead")
    head.objects.get_or_create(pk=1)
    TRIGGERS_0002.install(schema_editor.connection)


def backwards(apps, schema_editor):
    TRIGGERS_0002.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
