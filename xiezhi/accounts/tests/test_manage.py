"""Account management by the system administrator, administrator roles by the security administrator."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import ApiToken, User
from xiezhi.accounts.testing import enrol_device
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas, make_person

API = "/api/v1/accounts"
JSON = "application/json"


def temporary_password(body: str) -> str:
    found = re.search(r'data-testid="temporary-password">([^<]+)<', body)
    assert found is not None
    return found.group(1)


def test_create_an_account_for_a_person_and_sign_in_with_the_temporary_password(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    person = make_person(personas.township, "新同事", ("handler",), account=False)
    admin = client_for(personas.sysadmin)
    form = admin.get("/accounts/manage/new/").content.decode()
    assert f'value="{person.pk}"' in form
    response = admin.post("/accounts/manage/new/", {"username": "new_colleague", "person_id": str(person.pk)})
    assert response.status_code == 201 and response.headers["Cache-Control"].startswith("no-store")
    temporary = temporary_password(response.content.decode())
    user = User.objects.get(username="new_colleague")
    assert user.person_id == person.pk and user.must_change_password and user.admin_role == ""
    assert temporary not in str(AuditEvent.objects.get(action="account.created").after)

    newcomer = Client()
    login = newcomer.post("/accounts/login/", {"username": "new_colleague", "password": temporary})
    assert login.status_code == 302
    assert newcomer.get("/").headers["Location"].startswith("/accounts/password/")


def test_create_refuses_bad_input_and_writes_nothing(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    admin = client_for(personas.sysadmin)
    count = User.objects.count()
    cases = [
        ({"username": "t_handler"}, "username", "用户名已存在"),
        ({"username": "T_HANDLER"}, "username", "用户名已存在"),
        ({"username": "a b"}, "username", "用户名须为"),
        ({"username": "fine_name", "person_id": personas.township_leader.pk}, "person_id", "该人员已有账号"),
        ({"username": "fine_name", "person_id": 987654}, "person_id", "人员不存在"),
        ({"username": "fine_name", "admin_role": "sysadmin"}, "admin_role", "不允许的字段"),
    ]
    for body, field, message in cases:
        response = admin.post(f"{API}/", body, content_type=JSON)
        assert response.status_code == 422, body
        assert message in response.json()["details"][field][0]
    assert User.objects.count() == count
    assert not AuditEvent.objects.filter(action="account.created").exists()
    page = admin.post("/accounts/manage/new/", {"username": "t_handler", "person_id": ""})
    assert page.status_code == 422 and "用户名已存在" in page.content.decode()


def test_standalone_account_then_made_an_administrator_by_the_security_administrator(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    created = client_for(personas.sysadmin).post(f"{API}/", {"username": "audit2"}, content_type=JSON)
    assert created.status_code == 201
    body = created.json()
    assert body["account"]["person_id"] is None and len(body["temporary_password"]) == 14
    account_id = body["account"]["id"]
    sec = client_for(personas.secadmin)
    granted = sec.put(f"{API}/{account_id}/admin-role", {"admin_role": "auditadmin"}, content_type=JSON)
    assert granted.status_code == 200 and granted.json()["admin_role"] == "auditadmin"
    assert (
        sec.put(f"{API}/{account_id}/admin-role", {"admin_role": "auditadmin"}, content_type=JSON).status_code
        == 409
    )
    revoked = sec.delete(f"{API}/{account_id}/admin-role")
    assert revoked.status_code == 200 and revoked.json()["admin_role"] == ""
    assert sec.delete(f"{API}/{account_id}/admin-role").status_code == 409
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="account.admin_role")] == [
        "account.admin_role_granted",
        "account.admin_role_revoked",
    ]
    # Pages do the same.
    page = sec.post(f"/accounts/manage/{account_id}/grant-admin-role/", {"admin_role": "secadmin"})
    assert page.status_code == 302
    assert User.objects.get(pk=account_id).admin_role == "secadmin"


def test_deactivate_needs_a_reason_and_ends_sessions_and_tokens(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    target = personas.township_handler.account
    victim = client_for(personas.township_handler)
    raw = victim.post(f"{API}/tokens", {"name": "t", "scope": "read"}, content_type=JSON).json()["raw_token"]
    admin = client_for(personas.sysadmin)
    no_reason = admin.post(f"{API}/{target.pk}/deactivate", {"reason": " "}, content_type=JSON)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["details"]
    assert User.objects.get(pk=target.pk).is_active
    done = admin.post(f"{API}/{target.pk}/deactivate", {"reason": "调离"}, content_type=JSON)
    assert done.status_code == 200 and done.json()["is_active"] is False
    assert (
        admin.post(f"{API}/{target.pk}/deactivate", {"reason": "调离"}, content_type=JSON).status_code == 409
    )
    assert victim.get("/accounts/me/").status_code == 302  # signed out
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"{API}/me").status_code == 401
    assert (
        Client().post("/accounts/login/", {"username": "t_handler", "password": PASSWORD}).status_code == 401
    )
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.reason == "调离" and event.before is not None and event.after is not None
    assert event.before["is_active"] is True and event.after["is_active"] is False
    again = admin.post(f"/accounts/manage/{target.pk}/reactivate/")
    assert again.status_code == 302 and User.objects.get(pk=target.pk).is_active
    assert AuditEvent.objects.filter(action="account.reactivated").count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_reset_password_shows_a_one_time_password_and_lifts_the_lock(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    target = personas.township_leader.account
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "t_leader", "password": "Wrong-pass-1"})
    leader = Client()
    assert leader.post("/accounts/login/", {"username": "t_leader", "password": PASSWORD}).status_code == 403
    admin = client_for(personas.sysadmin)
    detail = admin.get(f"/accounts/manage/{target.pk}/").content.decode()
    assert "已锁定" in detail and 'data-confirm="确定重置' in detail
    response = admin.post(f"/accounts/manage/{target.pk}/reset-password/")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("no-store")
    temporary = temporary_password(response.content.decode())
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(temporary)
    assert not AccessAttempt.objects.filter(username="t_leader").exists()
    assert leader.post("/accounts/login/", {"username": "t_leader", "password": temporary}).status_code == 302
    event = AuditEvent.objects.get(action="account.password_reset")
    assert temporary not in str(event.after) and event.actor_user_id == personas.sysadmin.pk


def test_unlock_and_reset_second_factor(client_for: Callable[..., Client], personas: Personas) -> None:
    target = personas.department_liaison.account
    admin = client_for(personas.sysadmin)
    assert admin.post(f"{API}/{target.pk}/unlock").status_code == 409  # not locked
    for _ in range(5):
        Client().post("/accounts/login/", {"username": "d_liaison", "password": "Wrong-pass-1"})
    locked = admin.get(f"{API}/{target.pk}").json()
    assert locked["locked_until"] is not None
    listing = admin.get(f"{API}/?status=locked").json()
    assert [item["username"] for item in listing["items"]] == ["d_liaison"]
    unlocked = admin.post(f"{API}/{target.pk}/unlock")
    assert unlocked.status_code == 200 and unlocked.json()["locked_until"] is None
    assert (
        Client().post("/accounts/login/", {"username": "d_liaison", "password": PASSWORD}).status_code == 302
    )
    assert AuditEvent.objects.filter(action="account.unlocked").count() == 1

    assert admin.post(f"{API}/{target.pk}/reset-otp").status_code == 409
    enrol_device(target)
    reset = admin.post(f"{API}/{target.pk}/reset-otp")
    assert reset.status_code == 200 and reset.json()["otp_enabled"] is False
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(action="account.otp_reset").count() == 1


def test_nobody_manages_their_own_account_here(client_for: Callable[..., Client], personas: Personas) -> None:
    admin = client_for(personas.sysadmin)
    own = personas.sysadmin.pk
    for path, body in [("deactivate", {"reason": "x"}), ("reset-password", None), ("reset-otp", None)]:
        response = admin.post(f"{API}/{own}/{path}", body or {}, content_type=JSON)
        assert response.status_code == 403, path
        assert "不能对自己的账号执行此操作" in response.json()["message"]
    sec = client_for(personas.secadmin)
    assert sec.delete(f"{API}/{personas.secadmin.pk}/admin-role").status_code == 403
    assert (
        User.objects.get(pk=own).is_active
        and User.objects.get(pk=personas.secadmin.pk).admin_role == "secadmin"
    )


def test_list_search_filter_paginate_and_export(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    admin = client_for(personas.sysadmin)
    everyone = admin.get(f"{API}/").json()
    assert everyone["total"] == User.objects.count()
    assert admin.get(f"{API}/?q=张承办").json()["items"][0]["username"] == "t_handler"
    assert {
        i["username"]
        for i in admin.get(f"{API}/?admin_role=none&unit_id={personas.township.pk}").json()["items"]
    } == {
        "t_handler",
        "t_leader",
    }
    admins = admin.get(f"{API}/?admin_role=secadmin").json()["items"]
    assert [a["username"] for a in admins] == ["secadmin"]
    page = admin.get(f"{API}/?page=2&page_size=5").json()
    assert page["page"] == 2 and len(page["items"]) == 5 and page["pages"] == -(-everyone["total"] // 5)
    assert admin.get(f"{API}/?page_size=1000").status_code == 422
    assert admin.get(f"{API}/?status=weird").status_code == 422
    html = admin.get("/accounts/manage/?q=承办").content.decode()
    assert "t_handler" in html and "o_handler" in html and "d_leader" not in html

    export = admin.get("/accounts/manage/export.csv?admin_role=none")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][0] == "用户名" and len(rows) == 1 + User.objects.filter(admin_role="").count()
    event = AuditEvent.objects.get(action="account.export")
    assert event.actor_user_id == personas.sysadmin.pk and "导出" in event.reason
