"""`xiezhi createadmin`: one administrator role per account, audited, bilingual help."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from xiezhi.accounts.models import User
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import Personas


def run(*args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> str:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_an_administrator_with_a_temporary_password() -> None:
    output = run("--username", "ops_sys", "--role", "sysadmin")
    user = User.objects.get(username="ops_sys")
    assert user.admin_role == "sysadmin" and user.must_change_password and user.person_id is None
    temporary = re.search(r"temporary password: (\S+)", output)
    assert temporary is not None and user.check_password(temporary.group(1))
    events = list(AuditEvent.objects.values_list("action", "actor_name"))
    assert [a for a, _ in events] == ["account.created", "account.admin_role_granted"]
    assert all("命令行" in name for _, name in events)
    # Idempotent: the same role again changes nothing.
    assert "未作修改" in run("--username", "ops_sys", "--role", "sysadmin")
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_password_from_stdin_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="至少三类"):
        run(
            "--username",
            "ops_audit",
            "--role",
            "auditadmin",
            "--password-stdin",
            stdin="weakpassword\n",
            monkeypatch=monkeypatch,
        )
    assert not User.objects.filter(username="ops_audit").exists()
    output = run(
        "--username",
        "ops_audit",
        "--role",
        "auditadmin",
        "--password-stdin",
        stdin="Strong-Pass-2025\n",
        monkeypatch=monkeypatch,
    )
    assert "temporary password" not in output
    assert User.objects.get(username="ops_audit").check_password("Strong-Pass-2025")


def test_refuses_a_second_administrator_role(personas: Personas) -> None:
    with pytest.raises(CommandError, match="一个账号只能担任一种管理员角色"):
        run("--username", "sysadmin", "--role", "auditadmin")
    assert User.objects.get(username="sysadmin").admin_role == "sysadmin"


def test_refuses_an_account_with_business_roles(personas: Personas) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="管理员账号不能同时持有业务角色"):
        run("--username", "t_handler", "--role", "secadmin")
    assert User.objects.get(username="t_handler").admin_role == ""
    assert AuditEvent.objects.count() == events


def test_makes_an_existing_account_without_roles_an_administrator(personas: Personas) -> None:
    User.objects.create_user("plain_account", password="Strong-Pass-2025")
    run("--username", "plain_account", "--role", "secadmin")
    user = User.objects.get(username="plain_account")
    assert user.admin_role == "secadmin" and user.check_password("Strong-Pass-2025")
    assert AuditEvent.objects.filter(action="account.admin_role_granted", target_id=str(user.pk)).count() == 1


def test_help_is_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    from xiezhi.cli import main

    with pytest.raises(SystemExit):
        main(["createadmin", "--help"])
    text = capsys.readouterr().out
    assert "创建管理员账号" in text and "Create an administrator account" in text
    assert "--password-stdin" in text and "sysadmin" in text
