"""Sign-in over HTTP with the real backends: messages, lockout, per-IP throttling, audit, idle sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from xiezhi.accounts import lockout
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas

LOGIN = "/accounts/login/"
LOCKED_PREFIX = "账号已被锁定，请于"


def post_login(client: Client, username: str, password: str, **extra: str) -> tuple[int, str]:
    response = client.post(LOGIN, {"username": username, "password": password}, **extra)  # type: ignore[arg-type]
    return response.status_code, response.content.decode()


def fail(client: Client, username: str, times: int, **extra: str) -> list[int]:
    return [post_login(client, username, "Wrong-pass-1", **extra)[0] for _ in range(times)]


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_success_signs_in_redirects_and_is_audited(client: Client, personas: Personas) -> None:
    response = client.post(LOGIN, {"username": "t_handler", "password": PASSWORD, "next": "/accounts/me/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/me/"
    assert is_signed_in(client)
    event = AuditEvent.objects.get(action="account.login")
    assert event.success and event.actor_user_id == personas.township_handler.account.pk
    assert event.unit_name == "城关镇" and event.ip == "127.0.0.1"


def test_next_pointing_off_site_is_ignored(client: Client, personas: Personas) -> None:
    response = client.post(
        LOGIN, {"username": "t_handler", "password": PASSWORD, "next": "https://evil.example/x"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_wrong_password_unknown_name_and_inactive_account_get_the_same_answer(
    client: Client, personas: Personas
) -> None:
    inactive = personas.township_leader.account
    inactive.is_active = False
    inactive.save()
    answers = [
        post_login(client, "t_handler", "Wrong-pass-1"),
        post_login(client, "nobody-at-all", "Wrong-pass-1"),
        post_login(client, "t_leader", PASSWORD),  # right password, deactivated account
    ]
    assert {status for status, _ in answers} == {401}
    for _, body in answers:
        assert "用户名或密码错误" in body
    assert not is_signed_in(client)
    failures = AuditEvent.objects.filter(action="account.login", success=False)
    assert failures.count() == 3
    assert set(failures.values_list("actor_name", flat=True)) == {"t_handler", "nobody-at-all", "t_leader"}


def test_five_failures_lock_the_account_and_the_page_says_until_when(
    client: Client, personas: Personas
) -> None:
    statuses = fail(client, "t_handler", 5)
    assert statuses == [401, 401, 401, 401, 403]
    last_failure = AccessAttempt.objects.get(username="t_handler").attempt_time
    expected = f"{LOCKED_PREFIX}{lockout.clock(last_failure + timedelta(minutes=30))}后再试"
    # The right password no longer helps: the lock holds for 30 minutes.
    status, body = post_login(client, "t_handler", PASSWORD)
    assert status == 403
    assert expected in body
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action="account.locked", success=False).count() == 1
    locked_event = AuditEvent.objects.get(action="account.locked")
    assert locked_event.target_id == str(personas.township_handler.account.pk)
    assert AuditEvent.objects.filter(action="account.login", success=False, reason="账号已锁定").count() == 1


def test_the_lock_end_is_counted_from_the_last_failure_not_from_now(
    client: Client, personas: Personas
) -> None:
    fail(client, "t_handler", 5)
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    AccessAttempt.objects.filter(username="t_handler").update(attempt_time=ten_minutes_ago)
    status, body = post_login(client, "t_handler", PASSWORD)
    assert status == 403
    from_last_failure = lockout.clock(ten_minutes_ago + timedelta(minutes=30))
    from_now = lockout.clock(timezone.now() + timedelta(minutes=30))
    assert f"{LOCKED_PREFIX}{from_last_failure}后再试" in body
    assert f"{from_now}后再试" not in body
    # A refused attempt neither counts as a failure nor moves the lock.
    attempt = AccessAttempt.objects.get(username="t_handler")
    assert attempt.failures_since_start == 5 and attempt.attempt_time == ten_minutes_ago


def test_the_lock_lifts_after_thirty_minutes(client: Client, personas: Personas) -> None:
    fail(client, "t_handler", 5)
    AccessAttempt.objects.filter(username="t_handler").update(
        attempt_time=timezone.now() - timedelta(minutes=31)
    )
    status, _ = post_login(client, "t_handler", PASSWORD)
    assert status == 302 and is_signed_in(client)


def test_only_consecutive_failures_count(client: Client, personas: Personas) -> None:
    fail(client, "t_handler", 4)
    assert post_login(client, "t_handler", PASSWORD)[0] == 302
    client.post("/accounts/logout/")
    assert fail(client, "t_handler", 4) == [401] * 4
    assert post_login(client, "t_handler", PASSWORD)[0] == 302


def test_unknown_names_lock_exactly_like_real_ones(client: Client, personas: Personas) -> None:
    real = fail(client, "t_handler", 5)
    unknown = fail(client, "ghost-user", 5)
    assert real == unknown == [401, 401, 401, 401, 403]
    assert LOCKED_PREFIX in post_login(client, "ghost-user", "Wrong-pass-1")[1]


def test_one_address_trying_many_names_is_throttled(
    client: Client, personas: Personas, settings: SettingsWrapper
) -> None:
    settings.XIEZHI_IP_FAILURE_LIMIT = 6
    for name in ("t_handler", "t_leader", "ghost-1"):
        fail(client, name, 2)
    status, body = post_login(client, "d_liaison", PASSWORD)
    assert status == 429
    assert "该地址登录失败次数过多，请于" in body
    assert not is_signed_in(client)
    event = AuditEvent.objects.get(action="account.ip_throttled")
    assert event.ip == "127.0.0.1" and not event.success
    # The throttle is per address: the same account signs in from another one.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert post_login(other, "d_liaison", PASSWORD)[0] == 302
    # ... and it lifts when the failures leave the window.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert post_login(client, "d_liaison", PASSWORD)[0] == 302


def test_release_time_walks_back_from_the_newest_failures() -> None:
    now = timezone.now()
    window = timedelta(minutes=30)
    rows = [
        (now - timedelta(minutes=20), 3),
        (now - timedelta(minutes=5), 2),
        (now - timedelta(minutes=40), 9),
    ]
    # Newest two rows hold 5 failures; the older of them (20 minutes ago) brings the count to 5.
    assert lockout.release_time(rows, 5, window, now) == now - timedelta(minutes=20) + window
    assert lockout.release_time(rows, 6, window, now) is None
    assert lockout.release_time([], 5, window, now) is None


def test_logout_needs_post_and_is_audited(client: Client, personas: Personas) -> None:
    post_login(client, "t_handler", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert is_signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.headers["Location"] == LOGIN
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action="account.logout", success=True).count() == 1


def test_idle_sessions_end_after_thirty_minutes(
    client: Client, personas: Personas, settings: SettingsWrapper
) -> None:
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
    post_login(client, "t_handler", PASSWORD)
    key = client.session.session_key
    # Each request pushes the end of the session 30 minutes past itself: idle time, not session age.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    assert client.get("/accounts/me/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert abs((renewed - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=30)
    # Thirty minutes without a request: the session is over.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_login_page_shows_no_error_and_keeps_next(client: Client) -> None:
    response = client.get(LOGIN + "?next=/accounts/me/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="/accounts/me/"' in body and "login-error" not in body


def test_the_lock_end_shows_the_date_when_it_falls_on_another_day() -> None:
    now = timezone.now()
    assert lockout.clock(now) == f"{timezone.localtime(now):%H:%M}"
    tomorrow = timezone.localtime(now + timedelta(days=1))
    assert lockout.clock(tomorrow) == f"{tomorrow.month}月{tomorrow.day}日{tomorrow:%H:%M}"
