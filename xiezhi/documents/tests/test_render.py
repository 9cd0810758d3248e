"""Every document type renders to DOCX and PDF with the same content; the PDF embeds its font."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from io import BytesIO

import pytest

from xiezhi.documents.kinds import SPECS
from xiezhi.documents.render import layout_for, render
from xiezhi.documents.tests.extract import (
    docx_text,
    pdf_fonts,
    pdf_info,
    pdf_text,
    squash,
    without_page_numbers,
)
from xiezhi.documents.tests.samples import KEY_FACTS, SAMPLES, TITLES

ISSUER = "示例县城市管理局"
NUMBER = "示例县城管移〔2025〕12号"
ISSUED_ON = date(2025, 10, 8)

rendered: dict[str, tuple[bytes, bytes]] = {}


def _render(doc_type: str) -> tuple[bytes, bytes]:
    if doc_type not in rendered:
        rendered[doc_type] = render(doc_type, SAMPLES[doc_type], NUMBER, issuer=ISSUER, issued_on=ISSUED_ON)
    return rendered[doc_type]


def test_every_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(SPECS) == set(KEY_FACTS) == set(TITLES)


def _expected(doc_type: str) -> list[str]:
    return [TITLES[doc_type], NUMBER, ISSUER, "2025年10月8日", *KEY_FACTS[doc_type]]


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_docx_carries_the_content(doc_type: str) -> None:
    docx, _ = _render(doc_type)
    text = squash(docx_text(docx))
    missing = [s for s in _expected(doc_type) if squash(s) not in text]
    assert missing == []
    # The issuer signs: its name appears in the 版头, the signature and the imprint.
    assert text.count(ISSUER) >= 3


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_pdf_carries_the_content(doc_type: str) -> None:
    _, pdf = _render(doc_type)
    raw = pdf_text(pdf)
    text = squash(without_page_numbers(raw))
    missing = [s for s in _expected(doc_type) if squash(s) not in text]
    assert missing == []
    assert "— 1 —" in raw


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_pdf_embeds_every_font(doc_type: str) -> None:
    _, pdf = _render(doc_type)
    fonts = pdf_fonts(pdf)
    assert fonts, "no fonts in the PDF"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert all(f["uni"] == "yes" for f in fonts), fonts  # text can be copied and searched


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_docx_and_pdf_show_the_same_text(doc_type: str) -> None:
    docx, pdf = _render(doc_type)
    layout = layout_for(doc_type, SAMPLES[doc_type], NUMBER, issuer=ISSUER, issued_on=ISSUED_ON)
    pdf_all, docx_all = squash(without_page_numbers(pdf_text(pdf))), squash(docx_text(docx))
    for line in layout.all_text().splitlines():
        assert squash(line) in docx_all, line
        assert squash(line) in pdf_all, line


def test_pdf_page_is_a4_with_metadata() -> None:
    _, pdf = _render("transfer_letter")
    info = pdf_info(pdf)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info), info
    assert f"Title:           {NUMBER} 涉嫌违法案件移送函" in info
    assert f"Author:          {ISSUER}" in info


def test_docx_layout_follows_gbt_9704() -> None:
    docx, _ = _render("transfer_letter")
    xml = zipfile.ZipFile(BytesIO(docx)).read("word/document.xml").decode()
    # A4 and margins in twentieths of a point: 37 mm = 2098, 35 mm = 1984, 28 mm = 1587, 26 mm = 1474.
    assert 'w:w="11906"' in xml and 'w:h="16838"' in xml
    for side, twips in (("top", 2098), ("bottom", 1984), ("left", 1587), ("right", 1474)):
        assert f'w:{side}="{twips}"' in xml, side
    assert 'w:eastAsia="仿宋_GB2312"' in xml
    assert 'w:eastAsia="方正小标宋简体"' in xml
    # Body on an exact 28 pt pitch (560 twips), 3号 = 16 pt (32 half-points), title 2号 = 22 pt.
    assert re.search(r'<w:spacing w:lineRule="exact" w:line="560"', xml)
    assert '<w:sz w:val="32"/>' in xml and '<w:sz w:val="44"/>' in xml
    # The 版头 is red and the separator under the number is a red rule.
    assert 'w:color w:val="E60000"' in xml and 'w:color="E60000"' in xml
    footer = zipfile.ZipFile(BytesIO(docx)).read("word/footer1.xml").decode()
    assert "PAGE" in footer and "— " in footer


def test_acceptance_title_follows_the_decision() -> None:
    data = {**SAMPLES["acceptance_reply"], "decision": "accept"}
    data.pop("reasons")
    docx, pdf = render("acceptance_reply", data, NUMBER, issuer=ISSUER, issued_on=ISSUED_ON)
    for text in (squash(docx_text(docx)), squash(pdf_text(pdf))):
        assert "案件受理告知书" in text and "不予受理" not in text
        assert "决定予以受理" in text


def test_markup_in_data_is_printed_not_interpreted() -> None:
    data = {**SAMPLES["copy_notice"], "content": "当事人称<b>不知情</b> & 拒绝签字"}
    docx, pdf = render("copy_notice", data, NUMBER, issuer=ISSUER, issued_on=ISSUED_ON)
    assert squash("当事人称<b>不知情</b> & 拒绝签字") in squash(pdf_text(pdf))
    assert squash("当事人称<b>不知情</b> & 拒绝签字") in squash(docx_text(docx))


def test_a_long_document_runs_over_pages_with_page_numbers() -> None:
    data = {
        **SAMPLES["transfer_letter"],
        "facts": "\n".join(["当事人多次违法搭建，经多次劝阻无效。" * 4] * 30),
    }
    _, pdf = render("transfer_letter", data, NUMBER, issuer=ISSUER, issued_on=ISSUED_ON)
    text = squash(pdf_text(pdf))
    assert "—1—" in text and "—2—" in text and "—3—" in text
