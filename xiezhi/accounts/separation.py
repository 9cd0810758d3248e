"""Three-administrator separation (三员分立, LAW.md rule 70), enforced by the database as well.

The services check first and give a clear Chinese message; these triggers are the backstop for any
write that does not go through a service (a raw ORM call, a shell, a future bug):

- a business role (`units_roleassignment`) can never be given to a person whose account holds an
  administrator role;
- an account can never be given an administrator role (or be linked to a person) while that person
  holds business roles;
- an account's administrator role cannot be switched directly to another one: it is revoked first,
  so "one account, one administrator role" also holds for every moment of its history.

Both databases raise an integrity error (SQLSTATE 23514 on PostgreSQL, SQLITE_CONSTRAINT on SQLite),
which Django reports as `django.db.IntegrityError`.

On SQLite a migration that rebuilds one of these tables (most ALTERs do) silently drops its triggers,
so `install` also runs after every `migrate` (see `apps.py`); every statement is idempotent.
"""

from __future__ import annotations

from xiezhi.core.db import TriggerSet

ROLE_TABLE = "units_roleassignment"
USER_TABLE = "accounts_user"
PERSON_TABLE = "units_person"

ADMIN_WITH_BUSINESS_ROLES = "管理员账号不能同时持有业务角色"
ONE_ADMIN_ROLE = "一个账号只能担任一种管理员角色"

# PostgreSQL: both checks first lock the person row, so a role grant and an administrator-role grant
# for the same person, racing in two transactions, run one after the other and the second sees the
# first (READ COMMITTED takes a fresh snapshot for each statement of a plpgsql function).
# NO KEY UPDATE does not block foreign-key checks from other tables that reference the person.
POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION xiezhi_role_refuses_admin() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM 1 FROM {PERSON_TABLE} WHERE id = NEW.person_id FOR NO KEY UPDATE;
        IF EXISTS (SELECT 1 FROM {USER_TABLE} WHERE person_id = NEW.person_id AND admin_role <> '') THEN
            RAISE EXCEPTION '{ADMIN_WITH_BUSINESS_ROLES}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION xiezhi_admin_refuses_roles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND OLD.admin_role <> '' AND NEW.admin_role <> ''
           AND OLD.admin_role <> NEW.admin_role THEN
            RAISE EXCEPTION '{ONE_ADMIN_ROLE}' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.admin_role <> '' AND NEW.person_id IS NOT NULL THEN
            PERFORM 1 FROM {PERSON_TABLE} WHERE id = NEW.person_id FOR NO KEY UPDATE;
            IF EXISTS (SELECT 1 FROM {ROLE_TABLE} WHERE person_id = NEW.person_id) THEN
                RAISE EXCEPTION '{ADMIN_WITH_BUSINESS_ROLES}' USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"DROP TRIGGER IF EXISTS accounts_role_not_for_admins ON {ROLE_TABLE}",
    f"""
    CREATE TRIGGER accounts_role_not_for_admins BEFORE INSERT OR UPDATE ON {ROLE_TABLE}
    FOR EACH ROW EXECUTE FUNCTION xiezhi_role_refuses_admin()
    """,
    f"DROP TRIGGER IF EXISTS accounts_admin_without_roles ON {USER_TABLE}",
    f"""
    CREATE TRIGGER accounts_admin_without_roles BEFORE INSERT OR UPDATE ON {USER_TABLE}
    FOR EACH ROW WHEN (NEW.admin_role <> '') EXECUTE FUNCTION xiezhi_admin_refuses_roles()
    """,
]

POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS accounts_role_not_for_admins ON {ROLE_TABLE}",
    f"DROP TRIGGER IF EXISTS accounts_admin_without_roles ON {USER_TABLE}",
    "DROP FUNCTION IF EXISTS xiezhi_role_refuses_admin()",
    "DROP FUNCTION IF EXISTS xiezhi_admin_refuses_roles()",
]

_ROLE_FOR_ADMIN = (
    f"WHEN EXISTS (SELECT 1 FROM {USER_TABLE} WHERE person_id = NEW.person_id AND admin_role <> '') "
    f"BEGIN SELECT RAISE(ABORT, '{ADMIN_WITH_BUSINESS_ROLES}'); END"
)
_ADMIN_WITH_ROLES = (
    f"WHEN NEW.admin_role <> '' AND NEW.person_id IS NOT NULL "
    f"AND EXISTS (SELECT 1 FROM {ROLE_TABLE} WHERE person_id = NEW.person_id) "
    f"BEGIN SELECT RAISE(ABORT, '{ADMIN_WITH_BUSINESS_ROLES}'); END"
)

SQLITE_TRIGGERS = {
    "accounts_role_not_for_admins_ins": f"BEFORE INSERT ON {ROLE_TABLE} {_ROLE_FOR_ADMIN}",
    "accounts_role_not_for_admins_upd": f"BEFORE UPDATE ON {ROLE_TABLE} {_ROLE_FOR_ADMIN}",
    "accounts_admin_without_roles_ins": f"BEFORE INSERT ON {USER_TABLE} {_ADMIN_WITH_ROLES}",
    "accounts_admin_without_roles_upd": f"BEFORE UPDATE ON {USER_TABLE} {_ADMIN_WITH_ROLES}",
    "accounts_one_admin_role": (
        f"BEFORE UPDATE ON {USER_TABLE} "
        "WHEN OLD.admin_role <> '' AND NEW.admin_role <> '' AND OLD.admin_role <> NEW.admin_role "
        f"BEGIN SELECT RAISE(ABORT, '{ONE_ADMIN_ROLE}'); END"
    ),
}


TRIGGERS = TriggerSet(POSTGRES_INSTALL, POSTGRES_REMOVE, SQLITE_TRIGGERS)
install_sql = TRIGGERS.install_sql
remove_sql = TRIGGERS.remove_sql
install = TRIGGERS.install
remove = TRIGGERS.remove
installed_sqlite_triggers = TRIGGERS.installed_sqlite_triggers
