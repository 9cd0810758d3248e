"""`xiezhi createadmin`: create one of the three administrator accounts (三员, LAW.md rule 70)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezhi.accounts.models import AdminRole
from xiezhi.core.errors import XiezhiError


class Command(BaseCommand):
    help = (
        "创建管理员账号（系统管理员、安全管理员、审计管理员三员之一），或把已有的无角色账号设为管理员；"
        "一个账号只能担任一种管理员角色。首次登录须修改密码并绑定双因素认证。"
        " / Create an administrator account (system, security or audit administrator), or make an existing "
        "account without a role one; an account holds one administrator role at most. The password must be "
        "changed and a second factor enrolled at the first sign-in."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="用户名 / user name")
        parser.add_argument(
            "--role",
            required=True,
            choices=AdminRole.values,
            help="sysadmin 系统管理员（账号、单位）/ system administrator (accounts, units); "
            "secadmin 安全管理员（角色与权限）/ security administrator (roles, permissions); "
            "auditadmin 审计管理员（查阅、导出审计日志）/ audit administrator (reads and exports the audit trail)",
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="从标准输入读取初始密码（一行）；不指定时生成一次性临时密码并显示 / read the initial password "
            "from standard input (one line); without it a one-time temporary password is generated and printed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from xiezhi.accounts.services import create_admin

        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("标准输入中没有密码 / no password on standard input")
        try:
            user, generated, changed = create_admin(options["username"], options["role"], password)
        except XiezhiError as exc:
            problems = "；".join(item for items in exc.details.values() for item in items)
            raise CommandError(
                f"{exc.message}：{problems}" if problems and problems != exc.message else exc.message
            ) from None
        label = AdminRole(user.admin_role).label
        if not changed:
            self.stdout.write(
                f"账号 {user.username} 已是{label}，未作修改 / already a {user.admin_role}, nothing changed"
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"{label}账号：{user.username} / {user.admin_role} account: {user.username}")
        )
        if generated:
            self.stdout.write(f"临时密码 / temporary password: {generated}")
        self.stdout.write(
            "首次登录须修改密码并绑定双因素认证 / change the password and enrol a second factor at first sign-in"
        )
