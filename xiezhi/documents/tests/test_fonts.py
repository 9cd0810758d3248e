"""The embedded font is found at run time; its absence is a clear error, never a download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xiezhi.documents import fonts


def test_a_truetype_cjk_font_is_installed() -> None:
    font = fonts.find_cjk_font()
    assert font.path.suffix in {".ttc", ".ttf"} and font.path.is_file()


def test_missing_font_names_the_package(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("XIEZHI_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    with pytest.raises(fonts.FontMissing, match="fonts-arphic-uming"):
        fonts.find_cjk_font()


def test_override_by_environment(monkeypatch: Any, tmp_path: Path) -> None:
    real = fonts.find_cjk_font()
    monkeypatch.setenv("XIEZHI_CJK_FONT", f"{real.path}:1")
    assert fonts.find_cjk_font() == fonts.FontFile(real.path, 1)
    monkeypatch.setenv("XIEZHI_CJK_FONT", str(tmp_path / "none.ttf"))
    with pytest.raises(fonts.FontMissing, match=r"none\.ttf"):
        fonts.find_cjk_font()
