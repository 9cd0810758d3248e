"""The entrustment letter (行政执法委托书) as DOCX, from the stored record (R-CAT-02)."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from xiezhi.catalogue.models import Entrustment
from xiezhi.rulebook.zh import format_date_zh

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"


def _font(run: Run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word takes CJK glyphs from the East Asian font slot, which python-docx does not set by itself.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(
    doc: DocxDocument,
    text: str,
    *,
    size: float = 16,
    bold: bool = False,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
    font: str = BODY_FONT,
) -> None:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold)


def entrustment_docx(e: Entrustment) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    _para(doc, "行政执法委托书", size=22, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT)
    _para(doc, e.number, size=16, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"委托机关：{e.department.name}", indent=False)
    _para(doc, f"受委托单位：{e.township.name}", indent=False)
    _para(
        doc,
        f"根据《中华人民共和国行政处罚法》第二十条等规定，{e.department.name}决定将下列行政执法事项委托"
        f"{e.township.name}实施。受委托单位在委托范围内，以{e.department.name}的名义实施行政执法，"
        "不得再委托其他任何组织或者个人实施。",
    )
    _para(doc, "一、委托事项", bold=True, indent=False)
    matters = list(e.matters.order_by("code"))
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ("序号", "事项编码", "事项名称"), strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12, True)
    for i, m in enumerate(matters, start=1):
        cells = table.add_row().cells
        for cell, text in zip(cells, (str(i), m.code, m.name), strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 12)
    _para(doc, "二、委托权限", bold=True, indent=False)
    _para(doc, e.authority)
    _para(doc, "三、委托期限", bold=True, indent=False)
    _para(
        doc,
        f"自{format_date_zh(e.valid_from)}起至{format_date_zh(e.valid_to)}止。期限届满未续签的，委托自行终止，相关事项由委托机关行使。",
    )
    _para(doc, "四、法律责任", bold=True, indent=False)
    _para(doc, e.responsibility)
    _para(doc, "委托机关对受委托单位实施行政执法的行为负责监督，并对该行为的后果承担法律责任。")
    doc.add_paragraph()
    _para(doc, f"委托机关：{e.department.name}（盖章）", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, f"受委托单位：{e.township.name}（盖章）", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    signed = e.signed_on or e.valid_from
    _para(doc, format_date_zh(signed), indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
