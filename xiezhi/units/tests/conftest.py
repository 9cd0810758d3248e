from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The persona fixture creates a dozen accounts; with production-strength PBKDF2 that is seconds
    # per test. Sign-in still goes through the real views and backends, only the hash is cheaper.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
