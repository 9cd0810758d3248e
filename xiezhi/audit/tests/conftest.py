"""Helpers for the audit tests: the owner's trigger bypass, second-factor sign-in, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import ApiToken, User
from xiezhi.audit import triggers
from xiezhi.audit.chain import chain_pending
from xiezhi.audit.models import AuditChainLink, AuditEvent
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor


@contextmanager
def owner_bypass() -> Iterator[None]:
    """The documented, deliberate bypass: as the database owner, switch the append-only triggers
    off (PostgreSQL) or drop them (SQLite), and put them back afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks queued by the links just written would make PostgreSQL
            # refuse the ALTER ("pending trigger events"): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {triggers.EVENT_TABLE} DISABLE TRIGGER audit_event_append_only")
            cursor.execute(f"ALTER TABLE {triggers.LINK_TABLE} DISABLE TRIGGER audit_link_append_only")
            cursor.execute(f"ALTER TABLE {triggers.HEAD_TABLE} DISABLE TRIGGER USER")
        else:
            triggers.remove(connection)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"ALTER TABLE {triggers.EVENT_TABLE} ENABLE TRIGGER audit_event_append_only")
                cursor.execute(f"ALTER TABLE {triggers.LINK_TABLE} ENABLE TRIGGER audit_link_append_only")
                cursor.execute(f"ALTER TABLE {triggers.HEAD_TABLE} ENABLE TRIGGER USER")
            else:
                triggers.install(connection)


def otp_login(client: Client, user: User) -> None:
    """Sign in and mark the session as having passed the second factor (what django_otp.login does)."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def bearer(user: User, scope: str = "read") -> dict[str, str]:
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        name="测试",
        prefix=raw[:8],
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=1),
    )
    return {"Authorization": f"Bearer {raw}"}


def make_events(n: int, actor: Actor | None = None, **extra: Any) -> list[AuditEvent]:
    """`n` events, linked into the chain. Inside a test's transaction nothing commits, so the
    chainer that `record` schedules for after commit never runs: call it as the scheduler would."""
    events = [
        record(actor, f"test.event{i % 3}", ("test.thing", str(i), f"对象{i}"), **extra) for i in range(n)
    ]
    chain_pending()
    return events


def link_of(event: AuditEvent) -> AuditChainLink:
    return AuditChainLink.objects.get(event_id=event.pk)


@pytest.fixture
def bypass() -> Any:
    return owner_bypass
