"""Shared fixtures. Every test runs against the real database named by XIEZHI_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from xiezhi.testing.factories import Personas, make_personas


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Password hashing at production strength costs ~0.3 s per account; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests change accounts, people and roles straight in the database (UPDATE, no signals) and
    # expect the next API call to see it; the token cache's own tests switch it on.
    settings.XIEZHI_API_AUTH_CACHE_SECONDS = 0
    # A listener thread would hold a connection to the test database past its teardown; the
    # test of the listener starts and stops its own.
    settings.XIEZHI_API_AUTH_CACHE_LISTEN = False
    # WhiteNoise warns on every request handler it builds when collectstatic has not run yet (a clean
    # clone); tests serve nothing from it, so an empty folder is enough.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="并发测试仅在 PostgreSQL 上运行 / concurrency tests run on PostgreSQL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
