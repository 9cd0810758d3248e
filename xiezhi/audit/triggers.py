"""Database triggers that make the audit trail append-only.

PostgreSQL and SQLite both refuse UPDATE and DELETE on `audit_auditevent` and on
`audit_auditchainlink`, DELETE on `audit_auditchainhead`, and an UPDATE that moves the head backwards. Both raise an integrity
error (SQLSTATE 23001 on PostgreSQL, SQLITE_CONSTRAINT on SQLite), which Django reports as
`django.db.IntegrityError`.

The deliberate bypass (tamper tests, and nothing else) needs the database owner:
PostgreSQL ``ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only``; SQLite
``DROP TRIGGER`` then `install` again (the same for ``audit_link_append_only`` on the link table). Note that on SQLite a migration that rebuilds the
audit table (most ALTERs do) drops its triggers: such a migration must call `install` again.
"""

from __future__ import annotations

from xiezhi.core.db import TriggerSet

EVENT_TABLE = "audit_auditevent"
LINK_TABLE = "audit_auditchainlink"
HEAD_TABLE = "audit_auditchainhead"
REFUSED = "审计事件只能追加，不能修改或删除"
HEAD_REFUSED = "审计链头不能删除或回退"

POSTGRES_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION xiezhi_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '%（%）', TG_ARGV[0], TG_OP USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    f"""
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {EVENT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION xiezhi_audit_refuse('{REFUSED}')
    """,
    f"""
    CREATE TRIGGER audit_link_append_only BEFORE UPDATE OR DELETE ON {LINK_TABLE}
    FOR EACH ROW EXECUTE FUNCTION xiezhi_audit_refuse('{REFUSED}')
    """,
    f"""
    CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD_TABLE}
    FOR EACH ROW EXECUTE FUNCTION xiezhi_audit_refuse('{HEAD_REFUSED}')
    """,
    f"""
    CREATE TRIGGER audit_head_no_rewind BEFORE UPDATE ON {HEAD_TABLE}
    FOR EACH ROW WHEN (NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id)
    EXECUTE FUNCTION xiezhi_audit_refuse('{HEAD_REFUSED}')
    """,
]

POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {EVENT_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_link_append_only ON {LINK_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD_TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_no_rewind ON {HEAD_TABLE}",
    "DROP FUNCTION IF EXISTS xiezhi_audit_refuse()",
]

SQLITE_TRIGGERS = {
    "audit_event_no_update": f"BEFORE UPDATE ON {EVENT_TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSED}（UPDATE）'); END",
    "audit_event_no_delete": f"BEFORE DELETE ON {EVENT_TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSED}（DELETE）'); END",
    "audit_link_no_update": f"BEFORE UPDATE ON {LINK_TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSED}（UPDATE）'); END",
    "audit_link_no_delete": f"BEFORE DELETE ON {LINK_TABLE} BEGIN SELECT RAISE(ABORT, '{REFUSED}（DELETE）'); END",
    "audit_head_no_delete": f"BEFORE DELETE ON {HEAD_TABLE} BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}（DELETE）'); END",
    "audit_head_no_rewind": (
        f"BEFORE UPDATE ON {HEAD_TABLE} WHEN NEW.last_seq < OLD.last_seq OR NEW.id <> OLD.id "
        f"BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}（UPDATE）'); END"
    ),
}


TRIGGERS = TriggerSet(POSTGRES_INSTALL, POSTGRES_REMOVE, SQLITE_TRIGGERS)
install_sql = TRIGGERS.install_sql
remove_sql = TRIGGERS.remove_sql
install = TRIGGERS.install
remove = TRIGGERS.remove
