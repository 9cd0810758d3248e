"""PDF rendering of a `Layout` with reportlab, offline, with the CJK font embedded (subset).

Page and type follow GB/T 9704-2012 as far as one embeddable font allows: A4; margins top 37 mm,
bottom 35 mm, left 28 mm, right 26 mm; red 版头 and red separator line; title 2号 (22 pt); body
3号 (16 pt) on a 28 pt line pitch (22 lines a page); page numbers "— 1 —" in 4号 (14 pt) 7 mm
below the text area. The system has no 小标宋/仿宋/黑体, so title, 版头 and headings are the serif
face drawn fill-and-stroke (a faux bold).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)

from xiezhi.documents.fonts import register_pdf_font
from xiezhi.documents.layout import Layout, Style

RED = colors.Color(0.9, 0, 0)
GREY = colors.Color(0.55, 0.55, 0.55)
MARGINS = {"top": 37 * mm, "bottom": 35 * mm, "left": 28 * mm, "right": 26 * mm}
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
SMALL_PT = 14  # 4号
LINE = 28  # line pitch (行距) in points
TEXT_WIDTH = A4[0] - MARGINS["left"] - MARGINS["right"]


class BoldParagraph(Paragraph):
    """A paragraph drawn with text render mode 2 (fill, then stroke in the same colour)."""

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(self.style.fontSize / 36)
        canvas.setStrokeColor(self.style.textColor)
        # Tr is part of the graphics state, so it holds for the text objects drawn below and
        # is undone by restoreState.
        canvas._code.append("2 Tr")
        super().draw()
        canvas.restoreState()


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=BODY_PT, leading=LINE, wordWrap="CJK")

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "urgency": style("urgency", alignment=TA_LEFT),
        "number": style("number", alignment=TA_CENTER, spaceBefore=LINE),
        "title": style(
            "title",
            fontSize=TITLE_PT,
            leading=LINE + 8,
            alignment=TA_CENTER,
            spaceBefore=LINE,
            spaceAfter=LINE,
        ),
        "addressee": style("addressee", alignment=TA_LEFT),
        Style.BODY: style("body", alignment=TA_JUSTIFY, firstLineIndent=2 * BODY_PT),
        Style.HEADING: style("heading", firstLineIndent=2 * BODY_PT),
        Style.PLAIN: style("plain", alignment=TA_LEFT),
        Style.ITEM: style("item", firstLineIndent=2 * BODY_PT),
        "attachment": style("attachment", leftIndent=5 * BODY_PT, firstLineIndent=-3 * BODY_PT),
        "attachment_more": style("attachment_more", leftIndent=5 * BODY_PT),
        "seal": style("seal", alignment=TA_RIGHT, rightIndent=5 * BODY_PT, textColor=GREY, spaceBefore=LINE),
        "signer": style("signer", alignment=TA_RIGHT, rightIndent=4 * BODY_PT),
        "imprint": style(
            "imprint", fontSize=SMALL_PT, leading=LINE, leftIndent=SMALL_PT, rightIndent=SMALL_PT
        ),
    }


def _header_style(font: str, text: str) -> ParagraphStyle:
    # 发文机关标志: as large as fits on one line, between 2号 and 36 pt.
    size = max(TITLE_PT, min(36, int(TEXT_WIDTH / max(len(text), 1)) - 1))
    return ParagraphStyle(
        "header",
        fontName=font,
        fontSize=size,
        leading=size + 8,
        alignment=TA_CENTER,
        textColor=RED,
        wordWrap="CJK",
    )


def _p(text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    cls = BoldParagraph if bold else Paragraph
    return cls(escape(text), style)


def _flowables(layout: Layout, font: str) -> list[Any]:
    s = _styles(font)
    story: list[Any] = []
    if layout.urgency:
        story.append(_p(layout.urgency, s["urgency"], bold=True))
    story.append(_p(layout.header, _header_style(font, layout.header), bold=True))
    story.append(_p(layout.number, s["number"]))
    story.append(HRFlowable(width="100%", thickness=1.2, color=RED, spaceBefore=4 * mm, spaceAfter=0))
    story.append(_p(layout.title, s["title"], bold=True))
    if layout.addressee:
        story.append(_p(layout.addressee, s["addressee"]))
    for block in layout.paragraphs():
        story.append(_p(block.text, s[block.style], bold=block.style == Style.HEADING))
    attachments = layout.attachment_lines()
    if attachments:
        story.append(Spacer(1, LINE))
        story.append(_p(attachments[0], s["attachment"]))
        story += [_p(line, s["attachment_more"]) for line in attachments[1:]]
    # 成文日期 right-aligned four characters in; the issuer's name centred above it.
    date_width = stringWidth(layout.date_text, font, BODY_PT)
    signer_indent = max(0.0, 4 * BODY_PT + (date_width - stringWidth(layout.signer, font, BODY_PT)) / 2)
    signer_style = ParagraphStyle("signer_name", parent=s["signer"], rightIndent=signer_indent)
    signature = [
        _p("（印章）" if layout.seal else "", s["seal"]),
        _p(layout.signer, signer_style),
        _p(layout.date_text, s["signer"]),
        *[_p(note, s["signer"]) for note in layout.signature_notes],
    ]
    # The issuer's name never sits on a page apart from its date.
    story.append(KeepTogether(signature))
    story.append(Spacer(1, LINE))
    story.append(HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=0, spaceAfter=0))
    if layout.copy_to:
        story.append(_p(f"{layout.copy_label}：{'，'.join(layout.copy_to)}。", s["imprint"]))
        story.append(HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceBefore=0, spaceAfter=0))
    story.append(_p(layout.imprint, s["imprint"]))
    story.append(HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceBefore=0, spaceAfter=0))
    return story


def _page_number(font: str) -> Any:
    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, SMALL_PT)
        y = MARGINS["bottom"] - 7 * mm - SMALL_PT
        canvas.drawCentredString(A4[0] / 2, y, f"— {doc.page} —")
        canvas.restoreState()

    return draw


def render_pdf(layout: Layout) -> bytes:
    font = register_pdf_font()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        title=f"{layout.number} {layout.title}",
        author=layout.signer,
        subject=layout.title,
        creator="獬豸 Xiezhi",
        lang="zh-CN",
        # Otherwise every page declares an unembedded Helvetica it never uses.
        initialFontName=font,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="text",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_page_number(font))])
    doc.build(_flowables(layout, font))
    return buffer.getvalue()
