"""The token cache across server processes (PostgreSQL): a change committed anywhere clears every
process's cache through NOTIFY; while the listener is connected entries may live longer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction

from xiezhi.accounts import token_cache

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def other_session() -> psycopg.Connection[Any]:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=s["USER"], host=s["HOST"], port=s["PORT"] or 5432, autocommit=True
    )


@pytest.fixture
def listening(settings: Any) -> Iterator[None]:
    settings.XIEZHI_API_AUTH_CACHE_SECONDS = 10
    settings.XIEZHI_API_AUTH_CACHE_LISTENING_SECONDS = 300
    settings.XIEZHI_API_AUTH_CACHE_LISTEN = True
    token_cache.clear()
    yield
    token_cache._listener.stop()
    token_cache.clear()


def remember(digest: str) -> None:
    token_cache.put(digest, token_cache.Entry(1, "read", None, None, None, None, time.monotonic()))  # type: ignore[arg-type]


def test_a_notification_from_another_process_clears_the_cache(listening: None) -> None:
    remember("a")
    assert eventually(lambda: token_cache._listener.live)
    remember("b")  # the listener cleared what was cached before it was listening
    assert token_cache._lifetime() == 300  # a change now reaches this process at once
    with other_session() as other:
        other.execute(f"NOTIFY {token_cache.CHANNEL}")
    assert eventually(lambda: token_cache.get("b") is None)


def test_invalidate_notifies_the_others_when_its_transaction_commits(listening: None) -> None:
    with other_session() as other:
        other.execute(f"LISTEN {token_cache.CHANNEL}")
        with transaction.atomic():
            token_cache.invalidate()
            assert list(other.notifies(timeout=0.3)) == []  # not before the change is committed
        heard = list(other.notifies(timeout=2.0, stop_after=1))
    assert [n.channel for n in heard] == [token_cache.CHANNEL]


def test_without_a_listener_entries_live_the_short_time(listening: None, settings: Any) -> None:
    settings.XIEZHI_API_AUTH_CACHE_LISTEN = False
    token_cache._listener.stop()
    assert token_cache._lifetime() == 10
    remember("c")
    assert not token_cache._listener.live and token_cache.get("c") is not None
