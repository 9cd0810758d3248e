from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.testing.factories import PASSWORD, make_personas


@pytest.fixture
def people(transactional_db: None) -> Any:
    return make_personas()


def test_first_sign_in_forces_a_password_change(page: Any, live_server: Any, people: Any) -> None:
    user = people.township_handler.account
    user.must_change_password = True
    user.save()
    sign_in(page, live_server.url, "t_handler", PASSWORD)
    page.wait_for_url("**/accounts/password/")
    assert "首次登录或密码已过期" in page.content()
    page.fill("#id_old", PASSWORD)
    page.fill("#id_new", "weak")
    page.fill("#id_confirm", "weak")
    page.click("[data-testid=password-submit]")
    assert "至少三类" in page.content() or "太短" in page.content()
    page.fill("#id_old", PASSWORD)
    page.fill("#id_new", "Better-Pass-2025")
    page.fill("#id_confirm", "Better-Pass-2025")
    page.click("[data-testid=password-submit]")
    page.wait_for_load_state()
    assert "/accounts/" not in page.url
    assert "张承办" in page.inner_text("[data-testid=current-actor]")
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.password_changed_at > timezone.now() - timezone.timedelta(minutes=5)


def test_wrong_password_says_the_same_for_unknown_accounts(page: Any, live_server: Any, people: Any) -> None:
    sign_in(page, live_server.url, "t_handler", "Wrong-pass-1")
    first = page.inner_text("[data-testid=login-error]")
    sign_in(page, live_server.url, "no-such-user", "Wrong-pass-1")
    assert page.inner_text("[data-testid=login-error]") == first == "用户名或密码错误"


def test_five_failures_lock_the_account_and_say_until_when(page: Any, live_server: Any, people: Any) -> None:
    for _ in range(5):
        sign_in(page, live_server.url, "t_handler", "Wrong-pass-1")
    sign_in(page, live_server.url, "t_handler", PASSWORD)
    message = page.inner_text("[data-testid=login-error]")
    assert "账号已被锁定" in message
    assert "后再试" in message
    assert "/accounts/login/" in page.url
