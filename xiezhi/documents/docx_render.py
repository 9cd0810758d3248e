"""DOCX rendering of a `Layout` with python-docx, for staff who edit in WPS or Word.

GB/T 9704-2012 as far as a template-free document allows: A4, margins 37/35/28/26 mm, fonts named
the way government machines have them (方正小标宋简体 for 版头 and title, 仿宋_GB2312 for the body,
黑体 for headings, 宋体 for page numbers) set as East Asian fonts through w:rFonts/@w:eastAsia,
body 3号 on an exact 28 pt line pitch, page numbers "— 1 —" in the footer.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xiezhi.documents.layout import Layout, Style

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xE6, 0x00, 0x00)
BODY_PT = 16
LINE_PT = 28


def _font(
    run: Run, east_asian: str, size: float, *, bold: bool = False, color: RGBColor | None = None
) -> Run:
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    return run


def _width(text: str) -> float:
    """Width in em: CJK characters are full width, ASCII digits and letters half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _para(
    doc: DocxDocument,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_indent: float = 0,
    left_indent: float = 0,
    right_indent: float = 0,
    bold: bool = False,
    color: RGBColor | None = None,
    line: float = LINE_PT,
) -> Paragraph:
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(first_indent)
    fmt.left_indent = Pt(left_indent)
    fmt.right_indent = Pt(right_indent)
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


# Elements that follow w:pBdr inside w:pPr (ECMA-376 order); Word rejects a misplaced border.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _borders(p: Paragraph, color: str, *, top: int = 0, bottom: int = 0) -> None:
    """Lines above/below a paragraph, widths in eighths of a point (the 版头 and 版记 rules)."""
    borders = OxmlElement("w:pBdr")
    for side, size in (("w:top", top), ("w:bottom", bottom)):
        if size:
            line = OxmlElement(side)
            for key, value in (
                ("w:val", "single"),
                ("w:sz", str(size)),
                ("w:space", "1"),
                ("w:color", color),
            ):
                line.set(qn(key), value)
            borders.append(line)
    p._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _field(p: Paragraph, instruction: str, size: float) -> None:
    """A Word field (PAGE), shown as its cached result until the reader's program updates it."""
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = _font(p.add_run(), PAGE_NUMBER_FONT, size)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Pt(14)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), PAGE_NUMBER_FONT, 14)
    _field(footer, "PAGE", 14)
    _font(footer.add_run(" —"), PAGE_NUMBER_FONT, 14)


def render_docx(layout: Layout) -> bytes:
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.title = f"{layout.number} {layout.title}"
    props.author = layout.signer
    props.language = "zh-CN"
    center, left, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    if layout.urgency:
        _para(doc, layout.urgency, font=HEADING_FONT, align=left)
    header_pt = max(22, min(36, int(442 / max(len(layout.header), 1)) - 1))
    _para(doc, layout.header, font=TITLE_FONT, size=header_pt, align=center, color=RED, line=header_pt + 8)
    _para(doc)
    number = _para(doc, layout.number, align=center)
    _borders(number, "E60000", bottom=12)
    _para(doc)
    _para(doc, layout.title, font=TITLE_FONT, size=22, align=center, line=36)
    _para(doc)
    if layout.addressee:
        _para(doc, layout.addressee, align=left)
    for block in layout.paragraphs():
        if block.style == Style.HEADING:
            _para(doc, block.text, font=HEADING_FONT, first_indent=2 * BODY_PT)
        elif block.style == Style.PLAIN:
            _para(doc, block.text, align=left)
        else:
            _para(doc, block.text, first_indent=2 * BODY_PT)
    attachments = layout.attachment_lines()
    if attachments:
        _para(doc)
        _para(doc, attachments[0], left_indent=5 * BODY_PT, first_indent=-3 * BODY_PT)
        for line in attachments[1:]:
            _para(doc, line, left_indent=5 * BODY_PT)
    _para(doc)
    # 成文日期 right-aligned four characters in; the issuer's name centred above it.
    signer_indent = max(0.0, 4 * BODY_PT + (_width(layout.date_text) - _width(layout.signer)) * BODY_PT / 2)
    grey = RGBColor(0x8C, 0x8C, 0x8C)
    signature = [
        _para(doc, "（印章）" if layout.seal else "", align=right, right_indent=5 * BODY_PT, color=grey),
        _para(doc, layout.signer, align=right, right_indent=signer_indent),
        _para(doc, layout.date_text, align=right, right_indent=4 * BODY_PT),
        *[_para(doc, note, align=right, right_indent=4 * BODY_PT) for note in layout.signature_notes],
    ]
    for p in signature[:-1]:
        p.paragraph_format.keep_with_next = True  # the issuer's name never sits apart from its date
    _para(doc)
    imprint = []
    if layout.copy_to:
        imprint.append(f"{layout.copy_label}：{'，'.join(layout.copy_to)}。")
    imprint.append(layout.imprint)
    for i, text in enumerate(imprint):
        p = _para(doc, text, size=14, align=left, left_indent=14, right_indent=14)
        _borders(p, "000000", top=8 if i == 0 else 0, bottom=8 if i == len(imprint) - 1 else 4)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
