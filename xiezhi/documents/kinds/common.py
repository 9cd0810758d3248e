"""Pieces several document types share."""

from __future__ import annotations

from xiezhi.documents.layout import Block, Style
from xiezhi.documents.specs import Field, Values

CONTACT_FIELDS = (
    Field("contact_person", "联系人", required=False, max_length=50),
    Field("contact_phone", "联系电话", required=False, max_length=30),
)

NUMERALS = "一二三四五六七八九十"


def contact_block(v: Values) -> list[Block]:
    parts = []
    if v.has("contact_person"):
        parts.append(f"联系人：{v['contact_person']}")
    if v.has("contact_phone"):
        parts.append(f"联系电话：{v['contact_phone']}")
    return [Block("，".join(parts) + "。")] if parts else []


def heading(index: int, text: str) -> Block:
    """一级标题 "一、……" (index from 0)."""
    return Block(f"{NUMERALS[index]}、{text}", Style.HEADING)


def numbered(items: list[str]) -> list[Block]:
    return [Block(f"{i}．{item}", Style.ITEM) for i, item in enumerate(items, 1)]


def sentence(text: str) -> str:
    """End a sentence taken from user data with one full stop, whatever it ended with."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？", "；", "”", "）")) else text + "。"
