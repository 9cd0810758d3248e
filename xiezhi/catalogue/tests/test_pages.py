"""Signed-in pages: management, approval, diff, entrustments (DOCX), "who is competent?", subjects."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from docx import Document

from xiezhi.catalogue.models import CatalogueVersion, Matter, SubjectList, VersionStatus
from xiezhi.catalogue.tests.helpers import Cat, future, page_client
from xiezhi.units.models import Unit

pytestmark = pytest.mark.django_db


def test_navigation_has_catalogue_and_jurisdiction(cat: Cat) -> None:
    html = page_client(cat, "township_handler").get("/catalogue/").content.decode()
    assert 'href="/catalogue/"' in html and "事项清单" in html
    assert 'href="/catalogue/jurisdiction/"' in html and "管辖查询" in html


def test_manager_drafts_and_government_leader_approves_in_the_pages(cat: Cat) -> None:
    manager = page_client(cat, "manager")
    response = manager.post("/catalogue/", {"effective_from": future().isoformat(), "title": "第二版"})
    draft = CatalogueVersion.objects.get(number=2)
    assert response.status_code == 302 and response["Location"] == f"/catalogue/versions/{draft.pk}/"
    page = manager.get(f"/catalogue/versions/{draft.pk}/", {"check": "1"}).content.decode()
    assert "校验通过" in page and "审批并公布" not in page  # the manager cannot approve
    # Change one cell of the matrix: 河西镇 gets DEMO-SR-001 granted.
    response = manager.post(
        f"/catalogue/versions/{draft.pk}/matters/{cat.city.pk}/",
        {"township_id": cat.other.pk, "mode": "granted"},
    )
    assert response.status_code == 302

    leader = page_client(cat, "gov_leader")
    assert "审批并公布" in leader.get(f"/catalogue/versions/{draft.pk}/").content.decode()
    response = leader.post(
        f"/catalogue/versions/{draft.pk}/publish/", {"decision_document": "示政发〔2026〕2号"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED and draft.approved_by == cat.gov_leader

    diff = manager.get("/catalogue/diff/", {"a": cat.v1.pk, "b": draft.pk}).content.decode()
    assert "下放方式变化（1）" in diff and "河西镇" in diff
    again = manager.post(f"/catalogue/versions/{draft.pk}/edit/", {"title": "改"})
    assert again.status_code == 409 and "请新建草稿" in again.content.decode()


def test_publishing_an_invalid_draft_shows_the_problems(cat: Cat) -> None:
    manager = page_client(cat, "manager")
    manager.post("/catalogue/", {"effective_from": future().isoformat(), "empty": "1"})
    draft = CatalogueVersion.objects.get(number=2)
    response = page_client(cat, "gov_leader").post(f"/catalogue/versions/{draft.pk}/publish/", {})
    assert response.status_code == 422 and "目录中没有事项" in response.content.decode()


def test_matter_list_search_export_and_department_edit(cat: Cat) -> None:
    client = page_client(cat, "department_liaison")
    listed = client.get("/catalogue/matters/", {"q": "噪声"}).content.decode()
    assert "DEMO-ZS-001" in listed and "DEMO-SR-001" not in listed
    csv = client.get("/catalogue/matters/", {"export": "csv", "major": "食品药品安全"})
    assert csv["Content-Type"].startswith("text/csv") and "DEMO-SP-001" in csv.content.decode("utf-8-sig")
    response = client.post(
        f"/catalogue/matters/{cat.city.pk}/", {"discretion_benchmark": "《城管裁量基准》", "code": "HACK"}
    )
    assert response.status_code == 302
    matter = Matter.objects.get(pk=cat.city.pk)
    assert (
        matter.discretion_benchmark == "《城管裁量基准》" and matter.code == "DEMO-SR-001"
    )  # code is not theirs
    assert (
        page_client(cat, "market_liaison")
        .post(f"/catalogue/matters/{cat.city.pk}/", {"penalty": "x"})
        .status_code
        == 403
    )


def test_entrustment_pages_and_docx(cat: Cat) -> None:
    client = page_client(cat, "department_leader")
    response = client.post("/catalogue/entrustments/new/", {
        "number": "WT-P-1", "department_id": cat.dept.pk, "township_id": cat.town.pk, "matter_ids": [cat.noise.pk],
        "authority": "检查、处罚", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "responsibility": "委托机关负责",
    })  # fmt: skip
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "WT-P-1" in detail and "DEMO-ZS-001" in detail
    docx = client.get(f"{response['Location']}docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "行政执法委托书" in text and "委托机关：示例县城市管理局" in text and "2027年12月31日" in text
    missing = client.post("/catalogue/entrustments/new/", {"number": "WT-P-2", "department_id": cat.dept.pk,
                                                          "township_id": cat.town.pk})  # fmt: skip
    assert missing.status_code == 422 and "委托书必须载明委托范围" in missing.content.decode()


def test_who_is_competent_page(cat: Cat) -> None:
    client = page_client(cat, "township_handler")
    page = client.get(
        "/catalogue/jurisdiction/",
        {"matter": "DEMO-SR-001 对随地吐痰", "township": "T01", "date": "2025-06-01"},
    )
    html = page.content.decode()
    assert page.status_code == 200 and "赋权" in html and "示例县城市管理局在该镇不得再行使处罚权" in html
    options = client.get(
        "/catalogue/matters/search", {"matter": "噪声"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "DEMO-ZS-001" in options
    early = client.get(
        "/catalogue/jurisdiction/", {"matter": "DEMO-SR-001", "township": "T01", "date": "2024-01-01"}
    )
    assert early.status_code == 422 and "该日期没有生效的事项目录" in early.content.decode()


def test_subjects_page_and_publication(cat: Cat) -> None:
    client = page_client(cat, "manager")
    assert "城关镇" in client.get("/catalogue/subjects/").content.decode()
    Unit.objects.filter(is_enforcement_subject=True).update(subject_review_date=timezone.localdate())
    response = client.post("/catalogue/subjects/publish/", {"note": "年度审核"})
    assert response.status_code == 302
    published = SubjectList.objects.get(county=cat.p.county)
    assert published.note == "年度审核" and "城关镇" in [e["name"] for e in published.entries]
    assert page_client(cat, "township_handler").post("/catalogue/subjects/publish/").status_code == 403


def test_public_index_lists_townships(cat: Cat) -> None:
    html = page_client(cat, "township_handler").get("/public/").content.decode()
    assert f"/public/catalogue/{cat.town.code}/" in html
