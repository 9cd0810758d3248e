"""Password rules: complexity, forced change at first sign-in and after expiry, on pages and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from xiezhi.accounts.models import User
from xiezhi.accounts.passwords import character_classes, generate_temporary_password
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas

NEW = "Fresh-Pass-2025"


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Qzvktw7m", True),  # upper, lower, digit
        ("qzvk-tw7m", True),  # lower, digit, symbol
        ("QZVK-TW7M", True),  # upper, digit, symbol
        ("Qzvk-twxm", True),  # upper, lower, symbol
        ("qzvktw7m", False),  # two classes
        ("QZVKTWXM", False),  # one class
        ("Qz7!", False),  # four classes, too short
        ("Qz7!vkt", False),  # seven characters
    ],
)
def test_at_least_eight_characters_from_three_classes(password: str, ok: bool) -> None:
    try:
        password_validation.validate_password(password)
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_temporary_passwords_satisfy_the_rules() -> None:
    seen = set()
    for _ in range(50):
        password = generate_temporary_password()
        password_validation.validate_password(password)
        assert character_classes(password) == 4 and len(password) == 14
        seen.add(password)
    assert len(seen) == 50


def _signed_in(client: Client, username: str) -> Client:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_first_sign_in_forces_a_password_change_everywhere(client: Client, personas: Personas) -> None:
    user = personas.township_handler.account
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    _signed_in(client, "t_handler")
    for path in ("/", "/accounts/me/", "/accounts/tokens/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/accounts/password/")
    page = client.get("/accounts/password/")
    assert page.status_code == 200 and "首次登录或密码已过期" in page.content.decode()
    # The session API is refused with a code the client can act on.
    api = client.get("/api/v1/accounts/me")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": NEW, "confirm": NEW, "next": "/accounts/me/"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/accounts/me/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get("/accounts/me/").status_code == 200  # the session survived the change
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert AuditEvent.objects.filter(action="account.password_change", success=True).count() == 1


def test_passwords_expire_after_the_configured_age(
    client: Client, personas: Personas, settings: SettingsWrapper
) -> None:
    assert settings.XIEZHI_PASSWORD_MAX_AGE_DAYS == 90
    user = personas.township_handler.account
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=89))
    _signed_in(client, "t_handler")
    assert client.get("/accounts/me/").status_code == 200
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/password/")
    assert "90天" in client.get("/accounts/password/").content.decode()
    assert client.get("/api/v1/accounts/me").json()["code"] == "password_change_required"
    # Configurable: with a 120-day limit the same password is still good.
    settings.XIEZHI_PASSWORD_MAX_AGE_DAYS = 120
    assert client.get("/accounts/me/").status_code == 200


def test_a_rejected_change_keeps_the_old_password_and_says_why(client: Client, personas: Personas) -> None:
    user = personas.township_handler.account
    before = user.password
    _signed_in(client, "t_handler")
    cases = [
        ({"old_password": "not-it", "new_password": NEW, "confirm": NEW}, "原密码不正确"),
        ({"old_password": PASSWORD, "new_password": "qzvktw7m", "confirm": "qzvktw7m"}, "至少三类"),
        ({"old_password": PASSWORD, "new_password": "Ab1!", "confirm": "Ab1!"}, "密码"),
        ({"old_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"}, "两次输入的新密码不一致"),
        ({"old_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}, "新密码不能与原密码相同"),
    ]
    for form, message in cases:
        response = client.post("/accounts/password/", form)
        assert response.status_code == 422
        assert message in response.content.decode()
    user.refresh_from_db()
    assert user.password == before
    assert AuditEvent.objects.filter(action="account.password_change", success=False).count() == len(cases)
    assert not AuditEvent.objects.filter(action="account.password_change", success=True).exists()


def test_password_page_needs_sign_in(client: Client, personas: Personas) -> None:
    response = client.get("/accounts/password/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")
