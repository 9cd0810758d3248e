"""issue_document: number, render, store (content-addressed, hashed), audit — or nothing at all."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.documents import services, storage
from xiezhi.documents.models import DocumentSequence, IssuedDocument
from xiezhi.documents.render import layout_for
from xiezhi.documents.services import issue_document
from xiezhi.documents.tests.extract import docx_text, pdf_text, squash, without_page_numbers
from xiezhi.documents.tests.samples import SAMPLES
from xiezhi.testing.factories import Personas
from xiezhi.units.models import Section

ON = date(2025, 10, 8)


def _issue(
    personas: Personas,
    who: str = "township_leader",
    doc_type: str = "transfer_letter",
    unit: Any = None,
    data: dict[str, Any] | None = None,
) -> IssuedDocument:
    return issue_document(
        personas.actor(who),
        doc_type=doc_type,
        unit=unit if unit is not None else personas.township,
        subject=personas.county,
        data=data if data is not None else SAMPLES[doc_type],
        issued_on=ON,
    )


def _nothing_written() -> None:
    assert not IssuedDocument.objects.exists()
    assert not DocumentSequence.objects.filter(last_number__gt=0).exists()
    assert not AuditEvent.objects.filter(action="document.issued").exists()


def _files(media_root: Path, doc: IssuedDocument) -> tuple[bytes, bytes]:
    return (media_root / doc.docx_path).read_bytes(), (media_root / doc.pdf_path).read_bytes()


@pytest.mark.rule("R-TR-06")
@pytest.mark.django_db
def test_issue_a_transfer_letter(personas: Personas, media_root: Path) -> None:
    doc = _issue(personas)
    assert doc.number == "城关镇移〔2025〕1号"
    assert (doc.year, doc.serial, doc.unit, doc.issuer_name) == (2025, 1, personas.township, "城关镇")
    assert doc.title == "涉嫌违法案件移送函"
    assert doc.subject == personas.county
    assert doc.issued_by == personas.township_leader and doc.issued_on == ON
    assert doc.data["materials"] == ["现场检查笔录", "投诉举报材料", "现场照片6张"]
    docx, pdf = _files(media_root, doc)
    assert hashlib.sha256(docx).hexdigest() == doc.docx_sha256 and len(docx) == doc.docx_size
    assert hashlib.sha256(pdf).hexdigest() == doc.pdf_sha256 and len(pdf) == doc.pdf_size
    assert doc.pdf_path == f"documents/{doc.pdf_sha256[:2]}/{doc.pdf_sha256}.pdf"
    assert doc.docx_path == f"documents/{doc.docx_sha256[:2]}/{doc.docx_sha256}.docx"
    # The letter the receiver gets: facts, basis, the leader's approval, materials, reply in 3 WD.
    for text in (squash(docx_text(docx)), squash(without_page_numbers(pdf_text(pdf)))):
        for fact in (
            "城关镇移〔2025〕1号",
            "涉嫌违法案件移送函",
            "约30平方米彩钢板房",
            "第六十四条",
            "经我单位负责人李镇长批准",
            "附件：1．现场检查笔录",
            "3个工作日内",
            "2025年10月8日",
        ):
            assert fact in text, fact
    event = AuditEvent.objects.get(action="document.issued")
    assert (event.target_type, event.target_id) == ("documents.issueddocument", str(doc.pk))
    assert event.after is not None and event.after["number"] == doc.number
    assert event.after["pdf_sha256"] == doc.pdf_sha256


@pytest.mark.django_db
def test_numbers_follow_on_and_files_are_never_overwritten(personas: Personas, media_root: Path) -> None:
    first = _issue(personas)
    first_files = _files(media_root, first)
    second = _issue(personas)
    assert second.number == "城关镇移〔2025〕2号"
    assert {first.pdf_path, first.docx_path}.isdisjoint({second.pdf_path, second.docx_path})
    assert _files(media_root, first) == first_files
    # Storing the same bytes again finds the file already there.
    again = storage.store(first_files[1], "pdf")
    assert again.path == first.pdf_path
    assert len(list((media_root / "documents").rglob("*.pdf"))) == 2


@pytest.mark.django_db
def test_stored_data_renders_the_same_document_again(personas: Personas, media_root: Path) -> None:
    doc = _issue(personas, doc_type="minutes")
    layout = layout_for(doc.doc_type, doc.data, doc.number, issuer=doc.issuer_name, issued_on=doc.issued_on)
    pdf = squash(without_page_numbers(pdf_text(_files(media_root, doc)[1])))
    assert all(squash(line) in pdf for line in layout.all_text().splitlines())


@pytest.mark.rule("R-TR-01")
@pytest.mark.django_db
def test_a_section_cannot_be_the_issuer(personas: Personas) -> None:
    section = Section.objects.create(unit=personas.township, name="综合执法队")
    with pytest.raises(ValidationFailed) as info:
        _issue(personas, unit=section)
    assert info.value.details == {
        "unit": ["“城关镇综合执法队”是内设机构，文书须以单位名义制发，内设机构不能作为发文单位"]
    }
    _nothing_written()


@pytest.mark.rule("R-TR-01")
@pytest.mark.django_db
def test_documents_are_issued_in_the_units_name(personas: Personas, media_root: Path) -> None:
    # A section member signs, but the document names the unit (header, signature, imprint).
    section = Section.objects.create(unit=personas.township, name="综合执法队")
    personas.township_leader.section = section
    personas.township_leader.save()
    doc = _issue(personas, who="township_leader", doc_type="copy_notice")
    docx_all = docx_text(_files(media_root, doc)[0])
    assert doc.unit == personas.township and doc.issuer_name == "城关镇"
    assert "综合执法队" not in docx_all
    assert docx_all.splitlines()[0] == "城关镇"  # the 版头
    assert docx_all.count("城关镇") >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["department_liaison", "other_township_handler", "outsider"])
def test_only_the_units_own_people_sign_for_it(personas: Personas, who: str) -> None:
    with pytest.raises(PermissionDenied) as info:
        _issue(personas, who=who)
    assert info.value.message == "只能以本单位名义制发文书"
    _nothing_written()


@pytest.mark.django_db
def test_administrators_issue_nothing(personas: Personas) -> None:
    from xiezhi.testing.factories import actor_of

    with pytest.raises(PermissionDenied):
        issue_document(
            actor_of(personas.sysadmin),
            doc_type="minutes",
            unit=personas.township,
            subject=personas.county,
            data=SAMPLES["minutes"],
        )
    _nothing_written()


@pytest.mark.django_db
def test_a_county_wide_unit_prepares_a_document_in_a_departments_name(personas: Personas) -> None:
    doc = _issue(personas, who="dispatcher", doc_type="entrustment", unit=personas.department)
    assert doc.number == "示例县城管委〔2025〕1号"
    assert doc.issuer_name == "示例县城市管理局"
    # …but not for another county's unit.
    with pytest.raises(PermissionDenied):
        _issue(personas, who="dispatcher", doc_type="entrustment", unit=personas.outsider.unit)


@pytest.mark.django_db
def test_an_inactive_unit_issues_nothing(personas: Personas) -> None:
    personas.township.active = False
    personas.township.save()
    with pytest.raises(ValidationFailed) as info:
        _issue(personas)
    assert info.value.details == {"unit": ["“城关镇”已停用，不能制发文书"]}
    _nothing_written()


@pytest.mark.django_db
def test_invalid_data_takes_no_number(personas: Personas) -> None:
    data = {k: v for k, v in SAMPLES["transfer_letter"].items() if k != "facts"}
    with pytest.raises(ValidationFailed) as info:
        _issue(personas, data=data)
    assert info.value.message == "文书内容不完整，缺少：基本事实"
    _nothing_written()
    assert _issue(personas).serial == 1


@pytest.mark.django_db
def test_a_failure_after_numbering_gives_the_number_back(personas: Personas, monkeypatch: Any) -> None:
    def broken(layout: Any) -> bytes:
        raise OSError("disk full")

    with monkeypatch.context() as m:
        m.setattr(services, "render_pdf", broken)
        with pytest.raises(OSError):
            _issue(personas)
    _nothing_written()
    assert _issue(personas).number == "城关镇移〔2025〕1号"


@pytest.mark.django_db
def test_the_subject_must_be_saved(personas: Personas) -> None:
    with pytest.raises(ValidationFailed) as info:
        issue_document(
            personas.actor("township_leader"),
            doc_type="minutes",
            unit=personas.township,
            subject=Section(name="未保存"),
            data=SAMPLES["minutes"],
        )
    assert "subject" in info.value.details
    _nothing_written()


@pytest.mark.rule("R-TR-10")
@pytest.mark.django_db
def test_copy_notice_names_every_recipient(personas: Personas, media_root: Path) -> None:
    doc = _issue(personas, doc_type="copy_notice")
    assert doc.number == "城关镇抄〔2025〕1号"
    for text in (squash(docx_text(_files(media_root, doc)[0])), squash(pdf_text(_files(media_root, doc)[1]))):
        assert "示例县司法局、河西镇人民政府：" in text
        assert "现将王某某违法搭建案件移送（城关镇移〔2025〕1号）有关情况抄告如下" in text
        assert "特此抄告" in text


@pytest.mark.rule("R-TR-07")
@pytest.mark.django_db
def test_oral_transfer_record_sets_the_24_hour_written_deadline(personas: Personas, media_root: Path) -> None:
    doc = _issue(personas, doc_type="oral_transfer_record")
    for text in (
        squash(docx_text(_files(media_root, doc)[0])),
        squash(without_page_numbers(pdf_text(_files(media_root, doc)[1]))),
    ):
        assert "口头移送时间：2025年10月8日22时15分" in text
        assert "移送单位：城关镇" in text and "接收人：陈值班" in text
        assert "24小时内补办书面移送手续，即于2025年10月9日22时15分前补齐" in text
        assert "记录人：刘记录" in text


@pytest.mark.rule("R-DIS-01")
@pytest.mark.django_db
def test_minutes_record_the_binding_agreement(personas: Personas, media_root: Path) -> None:
    doc = _issue(personas, doc_type="minutes")
    assert doc.number == "城关镇纪〔2025〕1号"
    for text in (
        squash(docx_text(_files(media_root, doc)[0])),
        squash(without_page_numbers(pdf_text(_files(media_root, doc)[1]))),
    ):
        assert "议定事项" in text
        assert "1．该案件由示例县城市管理局受理查处" in text
        assert "2．城关镇人民政府配合做好现场管控" in text
        assert "以上议定事项经参会各方协商一致，对各方具有约束力" in text
        assert "（印章）" not in text  # minutes are not sealed
