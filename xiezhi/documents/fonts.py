"""The CJK fonts embedded in PDFs, found at run time in the standard system paths (never downloaded).

reportlab embeds TrueType-outline fonts only (not the CFF outlines of Noto CJK), so we use Debian's
`fonts-arphic-uming` (AR PL UMing CN, a Song/Ming serif, for title and body) and, when it is
missing, `fonts-wqy-zenhei` (WenQuanYi Zen Hei). Both are TTC collections; subfont 0 is the
simplified-Chinese face. `XIEZHI_CJK_FONT` (path[:index]) overrides the search.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)

# (file name, subfont index, Debian package), in order of preference.
CANDIDATES: tuple[tuple[str, int, str], ...] = (
    ("uming.ttc", 0, "fonts-arphic-uming"),
    ("wqy-zenhei.ttc", 0, "fonts-wqy-zenhei"),
    ("ukai.ttc", 0, "fonts-arphic-ukai"),
)

PDF_FONT_NAME = "XiezhiCJK"


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int


def _search(name: str) -> Path | None:
    for root in FONT_DIRS:
        if not root.is_dir():
            continue
        for found in root.rglob(name):
            if found.is_file():
                return found
    return None


def find_cjk_font() -> FontFile:
    override = os.environ.get("XIEZHI_CJK_FONT", "").strip()
    if override:
        path, _, subfont = override.partition(":")
        if not Path(path).is_file():
            raise FontMissing(f"XIEZHI_CJK_FONT 指定的字体文件不存在：{path}")
        return FontFile(Path(path), int(subfont or 0))
    for name, index, _package in CANDIDATES:
        found = _search(name)
        if found is not None:
            return FontFile(found, index)
    packages = " 或 ".join(p for _, _, p in CANDIDATES[:2])
    raise FontMissing(
        f"未找到可嵌入 PDF 的中文 TrueType 字体，请安装 Debian 软件包 {packages}"
        f"（apt-get install -y fonts-arphic-uming），或用 XIEZHI_CJK_FONT 指定字体文件路径"
    )


@cache
def register_pdf_font() -> str:
    """Register the font with reportlab once per process and return its name."""
    font = find_cjk_font()
    pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(font.path), subfontIndex=font.index))
    return PDF_FONT_NAME
