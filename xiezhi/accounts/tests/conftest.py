from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from xiezhi.accounts.testing import sign_in


@pytest.fixture(autouse=True)
def _fast_hasher(settings: SettingsWrapper) -> None:
    # PBKDF2 costs ~0.25 s per hash; the personas alone would take seconds per test. What is under
    # test here is the sign-in logic, not the hash function.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client_for(db: None) -> Callable[..., Client]:
    """A fresh client signed in as the given person or account (second factor done for admins)."""

    def make(who: object, remote_addr: str = "127.0.0.1") -> Client:
        return sign_in(Client(REMOTE_ADDR=remote_addr), who)

    return make
