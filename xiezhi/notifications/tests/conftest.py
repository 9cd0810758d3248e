from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from xiezhi.notifications.tests.helpers import SECRET, Gateway, running_gateway


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The personas' eleven accounts hashed with PBKDF2 cost seconds per test; no test here checks hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    """A local SMS gateway, configured as the webhook with the test secret."""
    with running_gateway() as state:
        settings.XIEZHI_SMS_WEBHOOK_URL = state.url
        settings.XIEZHI_SMS_WEBHOOK_SECRET = SECRET
        settings.XIEZHI_SMS_WEBHOOK_TIMEOUT = 5
        yield state
