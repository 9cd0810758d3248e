"""API token → Actor, remembered in-process for a few seconds.

Every API call used to pay two queries (the token with its account, person and unit; the person's
roles) and the ORM work around them before doing anything useful — on a busy list endpoint that was
close to half of the request. A busy client calls many times a minute with the same token, so the
worker keeps what the token resolved to for `settings.XIEZHI_API_AUTH_CACHE_SECONDS` (default 10).

Keyed by the token's SHA-256 (the raw token is never kept). Only tokens that were valid when looked
up are kept; expiry is checked on every hit. Anything that can change what a token may do clears the
whole cache of this process, after commit: revoking a token, (de)activating an account, person or
unit, granting or revoking roles, linking an account — explicitly in those services (they write with
`UPDATE`, which sends no signals) and through model signals for every `save`/`delete` of tokens,
accounts, people, roles and units.

Other server processes hear of it through PostgreSQL: `invalidate` also sends NOTIFY on the
`xiezhi_token_cache` channel inside the same transaction (so it is delivered when the change
commits, never before), and every process that caches keeps a listener thread on that channel
which clears its cache on each notification. While the listener is connected an entry lives
`XIEZHI_API_AUTH_CACHE_LISTENING_SECONDS` (default 300); whenever it is not (SQLite, a dropped
connection, before it has connected) entries live only `XIEZHI_API_AUTH_CACHE_SECONDS` (default
10), the longest a change then takes to reach another process. The listener clears the cache
each time it (re)connects, since notifications sent while it was away are lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models.signals import post_delete, post_save

from xiezhi.core.actor import Actor

MAX_ENTRIES = 10_000
CHANNEL = "xiezhi_token_cache"
log = logging.getLogger(__name__)


@dataclass
class Entry:
    token_id: int
    scope: str
    expires_at: datetime
    user: Any
    actor: Actor
    last_used_at: datetime | None
    stored: float


_entries: dict[str, Entry] = {}


def ttl() -> float:
    return float(getattr(settings, "XIEZHI_API_AUTH_CACHE_SECONDS", 10))


def _lifetime() -> float:
    if _listener.live:
        return max(ttl(), float(getattr(settings, "XIEZHI_API_AUTH_CACHE_LISTENING_SECONDS", 300)))
    return ttl()


def get(digest: str) -> Entry | None:
    entry = _entries.get(digest)
    if entry is None:
        return None
    if time.monotonic() - entry.stored >= _lifetime():
        _entries.pop(digest, None)
        return None
    return entry


def put(digest: str, entry: Entry) -> None:
    if ttl() <= 0:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _listener.ensure()
    _entries[digest] = entry


def clear() -> None:
    _entries.clear()


def invalidate() -> None:
    """Forget every cached token now and again when the current transaction commits (a request
    between the two would otherwise cache the state that is being replaced)."""
    _entries.clear()
    transaction.on_commit(_entries.clear)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # delivered to the other processes at commit
            cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def _on_change(sender: Any, **kwargs: Any) -> None:
    invalidate()


def connect_signals() -> None:
    from xiezhi.accounts.models import ApiToken, User
    from xiezhi.units.models import Person, RoleAssignment, Unit

    for model in (ApiToken, User, Person, RoleAssignment, Unit):
        uid = f"token_cache_{model._meta.label_lower}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}_save", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}_delete", weak=False)


# What a listener connection needs from Django's connection parameters (the rest configures
# Django's own cursors and pool).
_CONNECT_KEYS = {
    "dbname", "user", "password", "host", "port", "sslmode", "sslrootcert", "sslcert", "sslkey",
    "options", "application_name", "connect_timeout", "service", "passfile",
}  # fmt: skip


class _Listener:
    """One daemon thread per process (started by the first `put`, after gunicorn's fork) holding
    a connection that LISTENs on CHANNEL; `live` while it is connected and listening."""

    POLL = 1.0  # seconds between looks at the stop flag
    RETRY = 2.0

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.live = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def ensure(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        if connections["default"].vendor != "postgresql" or not getattr(
            settings, "XIEZHI_API_AUTH_CACHE_LISTEN", True
        ):
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="xiezhi-token-cache", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.live = False

    def _run(self) -> None:
        import psycopg

        params = connections["default"].get_connection_params()
        kwargs = {k: v for k, v in params.items() if k in _CONNECT_KEYS and v not in (None, "")}
        while not self._stop.is_set():
            try:
                with psycopg.connect(**kwargs, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    _entries.clear()  # whatever was cached before now may have missed a notification
                    self.live = True
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.POLL):
                            _entries.clear()
            except Exception:
                log.exception("token cache listener lost its connection")
            finally:
                self.live = False
            self._stop.wait(self.RETRY)


_listener = _Listener()
# A forked child (a gunicorn worker) starts its own thread.
os.register_at_fork(after_in_child=_listener._reset)
