from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _reinstall_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it; put ours back after every migrate."""
    from xiezhi.accounts import separation

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {separation.USER_TABLE, separation.ROLE_TABLE, separation.PERSON_TABLE} <= tables:
        separation.install(connection)


class AccountsConfig(AppConfig):
    name = "xiezhi.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from xiezhi.accounts import access, token_cache
        from xiezhi.core import navigation

        navigation.register("账号管理", "accounts:manage", 900, access.can_read_accounts)
        navigation.register("我的账号", "accounts:me", 990, lambda actor: actor.is_authenticated)
        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="accounts_separation_triggers")
        token_cache.connect_signals()
