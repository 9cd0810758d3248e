from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xiezhi.rulebook.identifiers import citizen_id_check_char

BASE17 = "33018319850312001"
VALID_ID = BASE17 + citizen_id_check_char(BASE17)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


def report_data(town: Any, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "walk_in",
        "text": "某小区门口烧烤摊每天晚上油烟很大，影响居民休息。",
        "township": str(town.pk),
        "address": "城关镇人民路12号",
        "reporter_name": "陈小明",
        "reporter_phone": "13812345678",
        "reporter_id_number": VALID_ID,
    }
    data.update(extra)
    return data
