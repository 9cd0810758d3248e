"""Authorisation matrix: every audit page and endpoint, for every persona. Only the audit
administrator gets in; everyone else gets 403 (anonymous: sign-in / 401) and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xiezhi.accounts.models import User
from xiezhi.audit.models import AuditEvent
from xiezhi.audit.tests.conftest import bearer, make_events, otp_login
from xiezhi.core import navigation
from xiezhi.testing.factories import Personas

PERSONAS = [
    "township_handler",
    "township_leader",
    "department_liaison",
    "justice_office_supervisor",
    "dispatcher",
    "sysadmin",
    "secadmin",
    "auditadmin",
    "outsider",
]
PAGES = [
    ("get", "/audit/"),
    ("get", "/audit/{event}/"),
    ("get", "/audit/export.csv"),
    ("get", "/audit/verify/"),
    ("post", "/audit/verify/"),
]
# The only writes an auditor's request makes: its own audit event.
PAGE_WRITES = {("get", "/audit/export.csv"): ["audit.export"], ("post", "/audit/verify/"): ["audit.verify"]}
ENDPOINTS = [
    "/api/v1/audit/events",
    "/api/v1/audit/events/{event}",
    "/api/v1/audit/export.csv",
    "/api/v1/audit/verify",
]


def user_of(personas: Personas, who: str) -> User:
    found = getattr(personas, who)
    return found if isinstance(found, User) else found.account


def signed_in(personas: Personas, who: str) -> Client:
    client = Client()
    user = user_of(personas, who)
    if user.admin_role:
        otp_login(client, user)  # administrators must have passed the second factor
    else:
        client.force_login(user)
    return client


def snapshot() -> list[tuple[Any, ...]]:
    return list(AuditEvent.objects.order_by("id").values_list("id", "action", "content_hash"))


@pytest.mark.parametrize("who", PERSONAS)
def test_pages(personas: Personas, who: str) -> None:
    event = make_events(3)[0].pk
    client = signed_in(personas, who)
    for method, path in PAGES:
        before = snapshot()
        response = getattr(client, method)(path.format(event=event))
        if who == "auditadmin":
            assert response.status_code == 200, path
            written = [a for _, a, _ in snapshot()[len(before) :]]
            assert written == PAGE_WRITES.get((method, path), []), path
        else:
            assert response.status_code == 403, path
            assert "审计日志仅限审计管理员查看" in response.content.decode()
            assert snapshot() == before, path


@pytest.mark.parametrize("who", PERSONAS)
def test_api(personas: Personas, who: str) -> None:
    event = make_events(3)[0].pk
    headers = bearer(user_of(personas, who))
    for path in ENDPOINTS:
        before = snapshot()
        response = Client().get(path.format(event=event), headers=headers)
        if who == "auditadmin":
            assert response.status_code == 200, path
            written = [a for _, a, _ in snapshot()[len(before) :]]
            expected = {
                "/api/v1/audit/export.csv": ["audit.export"],
                "/api/v1/audit/verify": ["audit.verify"],
            }
            assert written == expected.get(path, []), path
        else:
            assert response.status_code == 403, path
            assert response.json() == {
                "code": "forbidden",
                "message": "审计日志仅限审计管理员查看",
                "details": {},
            }
            assert snapshot() == before, path


@pytest.mark.django_db
@pytest.mark.parametrize("path", ENDPOINTS)
def test_api_without_credentials_is_401(path: str) -> None:
    event = make_events(1)[0].pk
    before = snapshot()
    response = Client().get(path.format(event=event))
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "details"}
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), PAGES)
def test_pages_send_anonymous_visitors_to_sign_in(method: str, path: str) -> None:
    response = getattr(Client(), method)(path.format(event=1))
    assert response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def test_the_auditor_must_pass_the_second_factor(personas: Personas) -> None:
    make_events(1)
    client = Client()
    client.force_login(personas.auditadmin)
    before = snapshot()
    page = client.get("/audit/export.csv")
    assert page.status_code == 302 and page.headers["Location"].startswith("/accounts/otp")
    api = client.get("/api/v1/audit/export.csv")
    assert api.status_code == 403 and api.json()["code"] == "otp_required"
    assert snapshot() == before


def test_a_write_scoped_token_is_not_needed_and_a_revoked_one_is_refused(personas: Personas) -> None:
    from django.utils import timezone

    from xiezhi.accounts.models import ApiToken

    headers = bearer(personas.auditadmin)
    assert Client().get("/api/v1/audit/events", headers=headers).status_code == 200
    ApiToken.objects.filter(user=personas.auditadmin).update(revoked_at=timezone.now())
    assert Client().get("/api/v1/audit/events", headers=headers).status_code == 401


def test_the_nav_entry_is_shown_to_the_auditor_only(personas: Personas) -> None:
    for who in PERSONAS:
        labels = [item["label"] for item in navigation.items_for(personas.actor(who), "/")]
        assert ("审计日志" in labels) == (who == "auditadmin"), who
    page = signed_in(personas, "auditadmin").get("/audit/")
    assert 'href="/audit/"' in page.content.decode() and "审计日志" in page.content.decode()
