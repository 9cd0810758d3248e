"""The TOTP second factor: required for the three administrators, optional for business users."""

from __future__ import annotations

import re

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import User
from xiezhi.accounts.testing import enrol_device, totp_code
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas


def password_sign_in(client: Client, username: str) -> None:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302


def test_an_administrator_must_enrol_before_anything_else(client: Client, personas: Personas) -> None:
    password_sign_in(client, "auditadmin")
    for path in ("/", "/accounts/me/", "/accounts/tokens/", "/accounts/password/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/accounts/otp/")
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"

    page = client.get("/accounts/otp/")
    body = page.content.decode()
    assert page.status_code == 200 and "管理员账号必须启用双因素认证" in body
    assert page.headers["Cache-Control"].startswith("no-store")
    uri = re.search(r'data-testid="otp-uri">([^<]+)<', body)
    assert uri is not None
    assert uri.group(1).startswith("otpauth://totp/") and "auditadmin" in uri.group(1)
    assert "<script" not in body.split("<main", 1)[1]  # nothing inline; the QR code is an image from us
    qr = client.get("/accounts/otp/qr.svg")
    assert qr.status_code == 200 and qr.headers["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<?xml") or qr.content.startswith(b"<svg")
    assert b"http" not in qr.content.replace(b"http://www.w3.org", b"")

    device = TOTPDevice.objects.get(user__username="auditadmin", confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7]+)<', body)
    assert secret is not None and f"secret={secret.group(1)}" in uri.group(1)
    wrong = client.post("/accounts/otp/", {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert wrong.status_code == 422 and "验证码错误或已过期" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait; the test does not
    right = client.post("/accounts/otp/", {"code": totp_code(device), "next": "/accounts/me/"})
    assert right.status_code == 302 and right.headers["Location"] == "/accounts/me/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/accounts/me/").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 200
    actions = list(AuditEvent.objects.filter(action="account.otp_enrolled").values_list("success", flat=True))
    assert actions == [False, True]


def test_an_enrolled_administrator_gives_a_code_after_the_password(
    client: Client, personas: Personas
) -> None:
    device = enrol_device(personas.sysadmin)
    password_sign_in(client, "sysadmin")
    response = client.get("/accounts/manage/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/otp/")
    page = client.get(response.headers["Location"])
    assert "请输入身份验证器应用中显示的6位验证码" in page.content.decode()
    assert client.get("/api/v1/accounts/").json()["code"] == "otp_required"
    # Before the code, the password cannot be changed either: a stolen password alone gets nowhere.
    assert client.get("/accounts/password/").headers["Location"].startswith("/accounts/otp/")
    bad = client.post("/accounts/otp/", {"code": "12345"})
    assert bad.status_code == 401
    ok = client.post("/accounts/otp/", {"code": totp_code(device), "next": "/accounts/manage/"})
    assert ok.status_code == 302 and ok.headers["Location"] == "/accounts/manage/"
    assert client.get("/accounts/manage/").status_code == 200
    assert AuditEvent.objects.filter(action="account.otp_verified", success=True).count() == 1
    assert AuditEvent.objects.filter(action="account.otp_verified", success=False).count() == 1


def test_a_code_cannot_be_used_twice(personas: Personas) -> None:
    device = enrol_device(personas.secadmin)
    first, second = Client(), Client()
    password_sign_in(first, "secadmin")
    password_sign_in(second, "secadmin")
    code = totp_code(device)
    assert first.post("/accounts/otp/", {"code": code}).status_code == 302
    replay = second.post("/accounts/otp/", {"code": code})
    assert replay.status_code == 401
    assert second.get("/accounts/manage/").status_code == 302


def test_administrator_with_initial_password_changes_it_then_enrols(
    client: Client, personas: Personas
) -> None:
    User.objects.filter(username="secadmin").update(must_change_password=True)
    password_sign_in(client, "secadmin")
    assert client.get("/").headers["Location"].startswith("/accounts/password/")
    new = "Another-Pass-77"
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": new, "confirm": new})
    assert client.get("/").headers["Location"].startswith("/accounts/otp/")


def test_business_users_may_enrol_and_are_then_asked_for_the_code(client: Client, personas: Personas) -> None:
    password_sign_in(client, "t_handler")
    assert client.get("/accounts/me/").status_code == 200  # no second factor needed
    page = client.get("/accounts/otp/?next=/accounts/me/")
    assert page.status_code == 200 and "管理员账号必须" not in page.content.decode()
    device = TOTPDevice.objects.get(user__username="t_handler", confirmed=False)
    assert (
        client.post("/accounts/otp/", {"code": totp_code(device), "next": "/accounts/me/"}).status_code == 302
    )
    client.post("/accounts/logout/")

    password_sign_in(client, "t_handler")
    assert client.get("/accounts/me/").headers["Location"].startswith("/accounts/otp/")
    device.refresh_from_db()
    assert client.post("/accounts/otp/", {"code": totp_code(device, steps_ahead=1)}).status_code == 302
    assert client.get("/accounts/me/").status_code == 200

    # Switching it off again proves possession once more.
    refused = client.post("/accounts/otp/remove/", {"code": "000000"})
    assert refused.status_code == 422
    assert TOTPDevice.objects.filter(user__username="t_handler").exists()
    device.refresh_from_db()
    device.throttle_reset()
    removed = client.post("/accounts/otp/remove/", {"code": totp_code(device, steps_ahead=1)})
    assert removed.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="t_handler").exists()
    assert AuditEvent.objects.filter(action="account.otp_removed", success=True).count() == 1


def test_administrators_cannot_switch_the_second_factor_off(client_for: object, personas: Personas) -> None:
    client = client_for(personas.auditadmin)  # type: ignore[operator]
    response = client.post("/accounts/otp/remove/", {"code": "123456"})
    assert response.status_code == 403
    assert "管理员必须启用双因素认证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=personas.auditadmin, confirmed=True).exists()


def test_qr_code_is_not_served_once_enrolled(client_for: object, personas: Personas) -> None:
    client = client_for(personas.auditadmin)  # type: ignore[operator]
    assert client.get("/accounts/otp/qr.svg").status_code == 404
