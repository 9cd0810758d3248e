from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import World, build_world


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path / "media"


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)
