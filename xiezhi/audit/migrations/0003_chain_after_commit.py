"""Chaining after commit (docs/adr/0002-audit-chaining.md).

Events lose `seq`, `prev_hash` and `hash` and gain `content_hash`; their place in the chain moves
to the append-only link table, written by the chainer after commit; `AuditPending` is its queue.
Existing events are re-linked in their old `seq` order (the old chain is checked first: a broken
chain stops the migration rather than being sealed under new hashes).
"""

from django.db import migrations, models

from xiezhi.audit import triggers
from xiezhi.core.db import TriggerSet

TRIGGERS_0002 = TriggerSet(
    [s for s in triggers.POSTGRES_INSTALL if triggers.LINK_TABLE not in s],
    [s for s in triggers.POSTGRES_REMOVE if triggers.LINK_TABLE not in s],
    {k: v for k, v in triggers.SQLITE_TRIGGERS.items() if triggers.LINK_TABLE not in v},
)

OLD_FIELDS = (
    "seq", "created_at", "actor_user_id", "actor_name", "unit_id", "unit_name", "ip", "action",
    "target_type", "target_id", "target_repr", "success", "reason", "before", "after", "algorithm",
)


def drop_triggers(apps, schema_editor):
    TRIGGERS_0002.remove(schema_editor.connection)


def drop_all_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


def install_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def relink(apps, schema_editor):
    from xiezhi.audit.hashing import GENESIS, HASHED_FIELDS, canonical, canonical_time, content_hash, digest, link_hash

    event_model = apps.get_model("audit", "AuditEvent")
    link_model = apps.get_model("audit", "AuditChainLink")
    head_model = apps.get_model("audit", "AuditChainHead")
    prev_old, prev = GENESIS, GENESIS
    seq = 0
    links = []
    rows = event_model.objects.order_by("seq").values_list("id", *OLD_FIELDS, "prev_hash", "hash")
    for row in rows.iterator(chunk_size=2000):
        event_id, old = row[0], dict(zip(OLD_FIELDS, row[1:-2], strict=True))
        stored_prev, stored_hash = row[-2], row[-1]
        old["created_at"] = canonical_time(old["created_at"])
        if (
            old["seq"] != seq + 1
            or stored_prev != prev_old
            or digest(old["algorithm"], stored_prev.encode() + canonical(old)) != stored_hash  # the old formula
        ):
            raise RuntimeError(f"审计链在第 {seq + 1} 号事件处损坏，迁移中止：请先用旧版本 xiezhi verify-audit 查明")
        seq, prev_old = old["seq"], stored_hash
        fields = {f: old[f] for f in HASHED_FIELDS}
        content = content_hash(fields, old["algorithm"])
        event_model.objects.filter(pk=event_id).update(content_hash=content)
        link = link_hash(prev, seq, event_id, content, old["algorithm"])
        links.append(link_model(seq=seq, event_id=event_id, prev_hash=prev, hash=link))
        prev = link
        if len(links) >= 2000:
            link_model.objects.bulk_create(links)
            links = []
    link_model.objects.bulk_create(links)
    head_model.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(drop_triggers, drop_all_triggers),
        migrations.AddField(
            model_name="auditevent",
            name="content_hash",
            field=models.CharField(default="", max_length=64, verbose_name="内容摘要"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditPending",
            fields=[("event_id", models.BigIntegerField(primary_key=True, serialize=False))],
            options={"verbose_name": "待入链审计事件", "verbose_name_plural": "待入链审计事件"},
        ),
        migrations.CreateModel(
            name="AuditChainLink",
            fields=[
                ("seq", models.BigIntegerField(primary_key=True, serialize=False, verbose_name="链序号")),
                ("prev_hash", models.CharField(max_length=64, verbose_name="前一链接摘要")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="链接摘要")),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=models.deletion.DO_NOTHING, related_name="link", to="audit.auditevent"
                    ),
                ),
            ],
            options={"verbose_name": "审计链接", "verbose_name_plural": "审计链接", "ordering": ["seq"]},
        ),
        migrations.RunPython(relink, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["id"], "verbose_name": "审计事件", "verbose_name_plural": "审计事件"},
        ),
        migrations.RemoveField(model_name="auditevent", name="seq"),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RunPython(install_triggers, drop_all_triggers),
    ]
