from __future__ import annotations

from typing import Any

import pytest

from xiezhi.catalogue.snapshot import clear_cache
from xiezhi.catalogue.tests.helpers import Cat, build_cat
from xiezhi.testing.factories import Personas


@pytest.fixture(autouse=True)
def _catalogue_settings(settings: Any) -> None:
    # Accounts hash with PBKDF2 in production; the cheap hasher keeps persona creation fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.XIEZHI_CATALOGUE_IMPORT_THREAD = False
    clear_cache()


@pytest.fixture
def cat(personas: Personas) -> Cat:
    return build_cat(personas)
