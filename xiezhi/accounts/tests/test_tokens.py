"""Personal API tokens over HTTP: shown once, stored hashed, scoped, expiring, revocable, audited."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from xiezhi.accounts.models import ApiToken, User
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import Personas

TOKENS = "/api/v1/accounts/tokens"
RAW = re.compile(r"^xz_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$")


def issue(client: Client, **body: object) -> dict[str, object]:
    payload = {"name": "脚本", "scope": "read", "expires_in_days": 30, **body}
    response = client.post(TOKENS, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_issue_shows_the_token_once_and_stores_only_its_hash(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    client = client_for(personas.township_handler)
    created = issue(client, name="对接脚本", scope="write", expires_in_days=365)
    raw = str(created["raw_token"])
    assert RAW.match(raw)
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.split("_")[2] not in str(ApiToken.objects.values().get())
    assert token.prefix == raw.split("_")[1] and token.scope == "write"
    assert abs(token.expires_at - (timezone.now() + timedelta(days=365))) < timedelta(minutes=1)
    listed = client.get(TOKENS).json()
    assert listed["total"] == 1 and "raw_token" not in listed["items"][0]
    assert listed["items"][0]["last_used_at"] is None
    event = AuditEvent.objects.get(action="account.token_issued")
    assert event.success and event.actor_user_id == personas.township_handler.account.pk
    assert raw not in str(event.after) and token.token_hash not in str(event.after)


def test_a_token_authenticates_and_its_use_is_recorded(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    raw = str(issue(client_for(personas.township_handler))["raw_token"])
    response = bearer(raw).get("/api/v1/accounts/me")
    assert response.status_code == 200
    assert response.json()["account"]["username"] == "t_handler"
    assert ApiToken.objects.get().last_used_at is not None
    assert bearer(raw + "x").get("/api/v1/accounts/me").status_code == 401
    assert Client().get("/api/v1/accounts/me").status_code == 401


def test_a_read_token_cannot_write(client_for: Callable[..., Client], personas: Personas) -> None:
    session = client_for(personas.township_handler)
    read_raw = str(issue(session, name="只读")["raw_token"])
    write = issue(session, name="读写", scope="write")
    write_id = write["token"]["id"]  # type: ignore[index]
    response = bearer(read_raw).delete(f"{TOKENS}/{write_id}")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "只读" in response.json()["message"]
    assert ApiToken.objects.get(pk=write_id).revoked_at is None
    # The write token may (here: revoke itself).
    assert bearer(str(write["raw_token"])).delete(f"{TOKENS}/{write_id}").status_code == 200
    assert ApiToken.objects.get(pk=write_id).revoked_at is not None


def test_tokens_cannot_mint_tokens(client_for: Callable[..., Client], personas: Personas) -> None:
    raw = str(issue(client_for(personas.township_handler), scope="write")["raw_token"])
    response = bearer(raw).post(TOKENS, {"name": "x", "scope": "write"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_revoked_expired_and_deactivated_tokens_stop_working(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    client = client_for(personas.township_handler)
    revoked, expired, orphan = (str(issue(client, name=n)["raw_token"]) for n in ("甲", "乙", "丙"))
    token = ApiToken.objects.get(name="甲")
    response = client.delete(f"{TOKENS}/{token.pk}")
    assert response.status_code == 200 and response.json()["status"] == "已撤销"
    assert client.delete(f"{TOKENS}/{token.pk}").status_code == 409
    ApiToken.objects.filter(name="乙").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(revoked).get("/api/v1/accounts/me").status_code == 401
    assert bearer(expired).get("/api/v1/accounts/me").status_code == 401
    assert bearer(orphan).get("/api/v1/accounts/me").status_code == 200
    User.objects.filter(username="t_handler").update(is_active=False)
    assert bearer(orphan).get("/api/v1/accounts/me").status_code == 401
    assert AuditEvent.objects.filter(action="account.token_revoked", success=True).count() == 1


def test_bad_token_requests_are_refused_and_nothing_is_written(
    client_for: Callable[..., Client], personas: Personas
) -> None:
    client = client_for(personas.township_handler)
    cases = [
        ({"name": "x", "scope": "read", "expires_in_days": 366}, "expires_in_days"),
        ({"name": "x", "scope": "read", "expires_in_days": 0}, "expires_in_days"),
        ({"name": " ", "scope": "read"}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "scope": "read", "owner": "sysadmin"}, "owner"),  # unknown field
    ]
    for body, field in cases:
        response = client.post(TOKENS, body, content_type="application/json")
        assert response.status_code == 422, body
        data = response.json()
        assert data["code"] == "validation_failed" and field in data["details"], data
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="account.token_issued").exists()


def test_someone_elses_token_is_invisible(client_for: Callable[..., Client], personas: Personas) -> None:
    mine = issue(client_for(personas.township_handler))
    other = client_for(personas.township_leader)
    token_id = mine["token"]["id"]  # type: ignore[index]
    assert other.delete(f"{TOKENS}/{token_id}").status_code == 404
    assert other.delete(f"{TOKENS}/999999").status_code == 404
    assert other.get(TOKENS).json()["total"] == 0
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert other.post(f"/accounts/tokens/{token_id}/revoke/").status_code == 404


def test_token_pages(client_for: Callable[..., Client], personas: Personas) -> None:
    client = client_for(personas.department_liaison)
    assert client.get("/accounts/tokens/").status_code == 200
    bad = client.post("/accounts/tokens/", {"name": "", "scope": "read", "expires_in_days": "400"})
    assert bad.status_code == 422 and "有效期须在1至365天之间" in bad.content.decode()
    created = client.post("/accounts/tokens/", {"name": "报表", "scope": "read", "expires_in_days": "90"})
    assert created.status_code == 201 and created.headers["Cache-Control"].startswith("no-store")
    raw = re.search(r'data-testid="raw-token">([^<]+)<', created.content.decode())
    assert raw is not None and RAW.match(raw.group(1))
    listing = client.get("/accounts/tokens/").content.decode()
    assert "报表" in listing and raw.group(1) not in listing and "从未使用" in listing
    bearer(raw.group(1)).get("/api/v1/accounts/me")
    assert "从未使用" not in client.get("/accounts/tokens/").content.decode()
    token = ApiToken.objects.get()
    page = client.get("/accounts/tokens/").content.decode()
    assert 'data-confirm="确定撤销令牌' in page
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
