"""The renderer-neutral shape of an official document. Generators build a `Layout`; the DOCX and PDF
renderers both draw the same `Layout`, so the two files always carry the same text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xiezhi.rulebook.zh import format_date_zh


class Style(StrEnum):
    BODY = "body"  # 正文: first line indented two characters
    HEADING = "heading"  # 一级标题 "一、……" in 黑体, indented two characters
    PLAIN = "plain"  # a record's "项目：内容" line, no indent
    ITEM = "item"  # a numbered list entry inside the body, indented two characters


@dataclass(frozen=True)
class Block:
    text: str
    style: Style = Style.BODY


@dataclass(frozen=True)
class Layout:
    header: str  # 发文机关标志 (版头), printed red
    number: str  # 发文字号
    title: str
    addressee: str  # 主送机关, "" when the document has none (records, minutes)
    blocks: tuple[Block, ...]
    attachments: tuple[str, ...]
    signer: str  # 发文机关署名: always the issuing unit's name (R-TR-01)
    signed_on: date
    urgency: str = ""  # 紧急程度: "", "加急", "特急"
    seal: bool = True  # 印章 placeholder; minutes (纪要) are customarily unsealed
    signature_notes: tuple[str, ...] = ()  # lines after the date, e.g. "记录人：……"
    copy_to: tuple[str, ...] = ()  # 抄送 in the imprint (版记)
    copy_label: str = "抄送"

    @property
    def date_text(self) -> str:
        return format_date_zh(self.signed_on)

    @property
    def imprint(self) -> str:
        """版记 second line: the printing unit and date."""
        return f"{self.signer}　　{self.date_text}印发"

    def paragraphs(self) -> list[Block]:
        """Blocks with embedded line breaks split into separate paragraphs of the same style."""
        out: list[Block] = []
        for block in self.blocks:
            for line in block.text.splitlines():
                if line.strip():
                    out.append(Block(line.strip(), block.style))
        return out

    def attachment_lines(self) -> list[str]:
        """The attachment note: "附件：1．……", later items numbered on their own lines."""
        if not self.attachments:
            return []
        if len(self.attachments) == 1:
            return [f"附件：{self.attachments[0]}"]
        return [f"{'附件：' if i == 0 else ''}{i + 1}．{name}" for i, name in enumerate(self.attachments)]

    def all_text(self) -> str:
        """Every piece of text the document shows, for tests and search."""
        parts = [self.header, self.urgency, self.number, self.title, self.addressee]
        parts += [b.text for b in self.paragraphs()] + self.attachment_lines()
        parts += [self.signer, self.date_text, *self.signature_notes]
        if self.copy_to:
            parts.append(f"{self.copy_label}：{'，'.join(self.copy_to)}。")
        parts.append(self.imprint)
        return "\n".join(p for p in parts if p)
