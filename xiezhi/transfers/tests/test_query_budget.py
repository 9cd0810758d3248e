"""Query budget of one API transfer-list request (the issue 7 §6 benchmark's request): with a warm
token the whole request is three queries — the total, the page, and its units' and matter's names. A
regression (an N+1, an extra lookup in authentication) fails here before it shows in the benchmark."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ninja.responses import NinjaJSONEncoder

from xiezhi.accounts import token_cache
from xiezhi.core import pagination
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.schemas import TransferItem, TransferPage
from xiezhi.transfers.tests.helpers import World, api, make_draft, make_sent, page

pytestmark = pytest.mark.django_db
BASE = "/api/v1/transfers"


@pytest.fixture(autouse=True)
def cache_on(settings: Any) -> Iterator[None]:
    settings.XIEZHI_API_AUTH_CACHE_SECONDS = 60
    token_cache.clear()
    yield
    token_cache.clear()


def queries(c: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(path)
    assert r.status_code == 200, r.content.decode()
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("dispatcher", f"{BASE}?status=sent"),
        ("dispatcher", f"{BASE}?urgency=normal&page=1&page_size=20"),
        ("dispatcher", f"{BASE}?q=王某"),
        ("township_handler", f"{BASE}?box=sent"),
        ("department_liaison", f"{BASE}?box=received&status=open"),
        ("department_liaison", BASE),
    ],
)
def test_a_list_request_is_three_queries(world: World, who: str, path: str) -> None:
    for _ in range(3):
        make_sent(world)
    make_draft(world)
    c = api(world, who)
    cold = queries(c, path)  # token, roles, last use, total, page, names
    assert len(cold) == 6, cold
    warm = queries(c, path)
    assert len(warm) == 3, warm
    assert warm[0].startswith("SELECT COUNT(*)")
    assert "units_unit" not in warm[1] and "catalogue_matter" not in warm[1]  # the rows: one table
    assert "units_unit" in warm[2] and "catalogue_matter" in warm[2]  # all names at once, no N+1
    assert len(c.get(path).json()["items"]) >= 1


def test_the_page_is_still_right(world: World) -> None:
    sent = [make_sent(world) for _ in range(3)]
    c = api(world, "dispatcher")
    body = c.get(f"{BASE}?status=sent&page=2&page_size=2").json()
    assert (body["total"], body["page"], body["page_size"]) == (3, 2, 2)
    assert [i["id"] for i in body["items"]] == [sent[0].pk]
    first = c.get(f"{BASE}?status=sent&page_size=2").json()["items"]
    assert [i["id"] for i in first] == [sent[2].pk, sent[1].pk]
    assert first[0]["sender"]["name"] == world.town.name


def test_large_totals_are_reused_briefly_small_ones_never(world: World, monkeypatch: Any) -> None:
    make_sent(world)
    make_sent(world)
    c = api(world, "dispatcher")
    path = f"{BASE}?status=sent"
    assert c.get(path).json()["total"] == 2
    make_sent(world)
    assert c.get(path).json()["total"] == 3  # small: always exact
    monkeypatch.setattr(pagination, "COUNT_EXACT_UPTO", 2)
    pagination._counts.clear()
    assert c.get(path).json()["total"] == 3  # "large" now: counted and kept
    make_sent(world)
    assert Transfer.objects.filter(status="sent").count() == 4
    assert c.get(path).json()["total"] == 3  # reused within COUNT_TTL
    assert len(queries(c, path)) == 2  # the page and its names only
    later = pagination.time.monotonic() + pagination.COUNT_TTL_MAX + 1
    monkeypatch.setattr(pagination.time, "monotonic", lambda: later)  # expired
    assert c.get(path).json()["total"] == 4
    pagination._counts.clear()


def test_the_list_renders_exactly_what_its_schema_would(world: World) -> None:
    """The list skips pydantic on the way out; its body must still be TransferPage, field for field."""
    make_sent(world)
    make_draft(world, in_progress=True)
    r = api(world, "township_handler").get(BASE)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["total"] == 2 and len(body["items"]) == 2
    validated = TransferPage.model_validate(body)
    assert json.loads(json.dumps(validated.model_dump(), cls=NinjaJSONEncoder)) == body
    for item in body["items"]:
        assert list(item) == list(TransferItem.model_fields)


def test_a_signed_in_page_calling_the_list_reads_the_roles_once(world: World) -> None:
    """Session auth: session, account, person, unit, roles, second-factor check, total, page,
    names, and the session's idle-time refresh — the actor the middleware built is reused."""
    make_sent(world)
    c = page(world, "dispatcher")
    path = f"{BASE}?status=sent"
    c.get(path)
    # The session save runs in a savepoint inside the test's transaction; those two don't count.
    sql = [q for q in queries(c, path) if "SAVEPOINT" not in q]
    assert sum("units_roleassignment" in q for q in sql) == 1, sql
    assert len(sql) == 10, "\n".join(q[:90] for q in sql)
