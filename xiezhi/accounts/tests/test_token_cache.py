"""The API token cache: a warm token costs no queries; revocation and role changes apply at once in
this process; a change made behind its back (another process) applies when the entry expires."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xiezhi.accounts import token_cache, tokens
from xiezhi.accounts.models import ApiToken
from xiezhi.testing.factories import Personas
from xiezhi.units.models import Person, RoleAssignment

pytestmark = pytest.mark.django_db
ME = "/api/v1/accounts/me"


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> Iterator[None]:
    settings.XIEZHI_API_AUTH_CACHE_SECONDS = 60
    token_cache.clear()
    yield
    token_cache.clear()


def issued(person: Person, scope: str = "read") -> tuple[ApiToken, Client]:
    raw = "xz_" + secrets.token_urlsafe(24)
    token = ApiToken.objects.create(
        user=person.account,  # type: ignore[attr-defined]
        name="测试",
        prefix=raw[3:11],
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=1),
    )
    return token, Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def me(c: Client) -> tuple[int, list[str]]:
    r = c.get(ME)
    return r.status_code, (r.json()["roles"] if r.status_code == 200 else [])


def test_a_warm_token_costs_no_authentication_queries(personas: Personas) -> None:
    _, c = issued(personas.township_handler)
    assert me(c) == (200, ["handler"])
    with CaptureQueriesContext(connection) as warm:
        assert me(c) == (200, ["handler"])
    sql = " ".join(q["sql"] for q in warm.captured_queries)
    assert "accounts_apitoken" not in sql and "units_roleassignment" not in sql
    # The actor carries this request's address, not the first request's.
    assert c.get(ME, REMOTE_ADDR="10.9.8.7").status_code == 200


def test_revoking_a_token_applies_at_once(personas: Personas) -> None:
    token, c = issued(personas.township_handler)
    assert me(c)[0] == 200
    tokens.revoke_token(personas.actor("township_handler"), token.pk)
    assert me(c)[0] == 401


def test_a_role_change_applies_at_once(personas: Personas) -> None:
    _, c = issued(personas.township_handler)
    assert me(c) == (200, ["handler"])
    RoleAssignment.objects.filter(person=personas.township_handler, role="handler").delete()
    assert me(c) == (200, [])


def test_a_read_token_stays_read_only_when_cached(personas: Personas) -> None:
    _, c = issued(personas.township_handler, scope="read")
    assert me(c)[0] == 200
    r = c.post("/api/v1/accounts/tokens", {"name": "x", "scope": "read"}, content_type="application/json")
    assert r.status_code == 403


def test_a_change_behind_the_cache_applies_when_the_entry_expires(personas: Personas, settings: Any) -> None:
    """Another server process's change sends no signal here: the stale entry lives out its TTL."""
    _, c = issued(personas.township_handler)
    assert me(c)[0] == 200
    Person.objects.filter(pk=personas.township_handler.pk).update(active=False)  # no signal
    assert me(c)[0] == 200  # still cached
    settings.XIEZHI_API_AUTH_CACHE_SECONDS = 0  # the entry's time is up
    assert me(c)[0] == 401
