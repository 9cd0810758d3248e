"""Three-administrator separation in the database: known administrator roles only, and triggers
(PostgreSQL and SQLite) refusing business roles for administrator accounts (LAW.md rule 70)."""

from django.db import migrations, models

from xiezhi.accounts import separation


def forwards(apps, schema_editor):
    separation.install(schema_editor.connection)


def backwards(apps, schema_editor):
    separation.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("admin_role__in", ["", "sysadmin", "secadmin", "auditadmin"])),
                name="user_admin_role_known",
            ),
        ),
        # After the constraint: on SQLite adding it rebuilds accounts_user, which would drop triggers.
        migrations.RunPython(forwards, backwards),
    ]
