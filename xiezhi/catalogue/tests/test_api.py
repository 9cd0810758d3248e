"""The API over HTTP with real token auth: CRUD, the draft → published lifecycle, diff, the public
catalogue, and every bad input of issue 5 §8."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xiezhi.audit.models import AuditEvent
from xiezhi.catalogue.models import CatalogueVersion, Devolution, Matter, VersionStatus
from xiezhi.catalogue.tests.helpers import Cat, api_client, future

pytestmark = pytest.mark.django_db
JSON = "application/json"


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type=JSON)


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data, content_type=JSON)


def test_matter_crud_and_search(cat: Cat) -> None:
    client = api_client(cat, "manager")
    created = post(client, "/api/v1/matters", {
        "code": "DEMO-LH-001", "name": "对损坏城市树木花草的处罚", "field": "园林绿化", "department_id": cat.dept.pk,
        "legal_basis_violation": "《城市绿化条例》第二十条", "legal_basis_penalty": "《城市绿化条例》第二十七条",
        "min_fine": 0, "max_fine": 0,
    })  # fmt: skip
    assert created.status_code == 201, created.content
    mid = created.json()["id"]
    listed = client.get("/api/v1/matters", {"q": "树木"}).json()
    assert [m["code"] for m in listed["items"]] == ["DEMO-LH-001"]
    assert client.get("/api/v1/matters", {"field": "园林绿化", "page_size": "5"}).json()["total"] == 1
    changed = patch(client, f"/api/v1/matters/{mid}", {"penalty": "责令停止侵害，可以并处罚款"})
    assert changed.status_code == 200 and changed.json()["penalty"].startswith("责令停止侵害")
    assert client.delete(f"/api/v1/matters/{mid}").status_code == 204
    assert not Matter.objects.filter(pk=mid).exists()
    # A matter of a published version cannot be deleted.
    assert client.delete(f"/api/v1/matters/{cat.city.pk}").status_code == 409


def test_department_edits_its_basis_but_not_code_or_name(cat: Cat) -> None:
    client = api_client(cat, "department_liaison")
    ok = patch(client, f"/api/v1/matters/{cat.city.pk}", {"standard_notes": "当场纠正优先", "max_fine": 200})
    assert ok.status_code == 200 and ok.json()["standard_notes"] == "当场纠正优先"
    refused = patch(client, f"/api/v1/matters/{cat.city.pk}", {"name": "改名", "standard_notes": "x"})
    assert refused.status_code == 403 and "name" in refused.json()["message"]
    assert Matter.objects.get(pk=cat.city.pk).standard_notes == "当场纠正优先"


def test_version_lifecycle_draft_devolution_publish_diff_export(cat: Cat) -> None:
    manager, approver = api_client(cat, "manager"), api_client(cat, "gov_leader")
    start = future(20).isoformat()
    draft = post(manager, "/api/v1/catalogue/versions", {"effective_from": start, "title": "2026年调整"})
    assert draft.status_code == 201
    vid = draft.json()["id"]
    assert draft.json()["status"] == "draft" and draft.json()["matters"] == 3
    rows = manager.get(
        f"/api/v1/catalogue/versions/{vid}/devolutions", {"matter": "DEMO-SR-001", "township": "河西镇"}
    ).json()
    assert rows["total"] == 1 and rows["items"][0]["mode"] == "retained"
    changed = patch(manager, f"/api/v1/catalogue/devolutions/{rows['items'][0]['id']}", {"mode": "赋权"})
    assert changed.status_code == 200 and changed.json()["mode"] == "granted"
    assert manager.get(f"/api/v1/catalogue/versions/{vid}/problems").json() == []

    refused = post(manager, f"/api/v1/catalogue/versions/{vid}/publish", {})
    assert refused.status_code == 403  # only the county government's leader approves
    published = post(
        approver, f"/api/v1/catalogue/versions/{vid}/publish", {"decision_document": "示政发〔2026〕3号"}
    )
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["status"] == "published" and body["approved_by"] == "郑县长"
    assert CatalogueVersion.objects.get(pk=cat.v1.pk).status == VersionStatus.SUPERSEDED
    assert AuditEvent.objects.filter(action="catalogue.version_published", target_id=str(vid)).exists()

    diff = manager.get("/api/v1/catalogue/diff", {"a": cat.v1.pk, "b": vid}).json()
    assert diff["mode_changed"] == [
        {"matter": "DEMO-SR-001", "township": "河西镇", "old": "retained", "new": "granted"}
    ]
    assert diff["added"] == [] and diff["removed"] == []
    assert any("由不下放改为赋权" in line for line in diff["lines"])

    xlsx = manager.get(f"/api/v1/catalogue/versions/{vid}/export", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = manager.get(f"/api/v1/catalogue/versions/{vid}/export", {"format": "csv"})
    assert "DEMO-SR-001" in csv.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="catalogue.exported").count() == 2


def test_add_and_remove_a_matter_in_a_draft(cat: Cat) -> None:
    client = api_client(cat, "manager")
    draft = post(
        client, "/api/v1/catalogue/versions", {"effective_from": future().isoformat(), "empty": True}
    ).json()
    assert draft["matters"] == 0
    added = post(client, f"/api/v1/catalogue/versions/{draft['id']}/matters", {"matter_id": cat.food.pk})
    assert added.status_code == 201 and {d["mode"] for d in added.json()["items"]} == {"retained"}
    again = post(client, f"/api/v1/catalogue/versions/{draft['id']}/matters", {"matter_id": cat.food.pk})
    assert again.status_code == 422
    assert client.delete(f"/api/v1/catalogue/versions/{draft['id']}/matters/{cat.food.pk}").status_code == 204
    assert client.get(f"/api/v1/catalogue/versions/{draft['id']}/matters").json()["total"] == 0
    assert (
        post(client, f"/api/v1/catalogue/versions/{draft['id']}/discard", {"reason": "重做"}).json()["status"]
        == "discarded"
    )


def test_entrustment_crud_and_docx(cat: Cat) -> None:
    client = api_client(cat, "department_leader")
    created = post(client, "/api/v1/catalogue/entrustments", {
        "number": "WT-2026-02", "department_id": cat.dept.pk, "township_id": cat.town.pk, "matter_ids": [cat.noise.pk],
        "authority": "检查、处罚", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "responsibility": "委托机关负责",
    })  # fmt: skip
    assert created.status_code == 201, created.content
    eid = created.json()["id"]
    assert created.json()["matters"] == ["DEMO-ZS-001"]
    docx = client.get(f"/api/v1/catalogue/entrustments/{eid}/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert (
        patch(client, f"/api/v1/catalogue/entrustments/{eid}", {"authority": "检查"}).json()["authority"]
        == "检查"
    )
    # A letter used by a published version is frozen.
    assert (
        patch(client, f"/api/v1/catalogue/entrustments/{cat.letter.pk}", {"authority": "x"}).status_code
        == 409
    )
    # A department issues letters in its own name only.
    other = post(client, "/api/v1/catalogue/entrustments", {
        "number": "WT-2026-03", "department_id": cat.market.pk, "township_id": cat.town.pk, "matter_ids": [cat.food.pk],
        "authority": "检查", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "responsibility": "负责",
    })  # fmt: skip
    assert other.status_code == 403 and "本部门名义" in other.json()["message"]
    assert client.delete(f"/api/v1/catalogue/entrustments/{eid}").status_code == 204


def test_public_catalogue_json_needs_no_sign_in(cat: Cat) -> None:
    client = Client()
    towns = client.get("/api/v1/public/catalogue").json()
    assert {t["name"] for t in towns} == {"城关镇", "河西镇"}
    body = client.get(f"/api/v1/public/catalogue/{cat.other.code}", {"date": "2025-06-01"}).json()
    by_code = {row["code"]: row for row in body["items"]}
    assert body["version"] == 1 and body["total"] == 3
    assert by_code["DEMO-ZS-001"]["mode"] == "entrusted"
    assert (
        by_code["DEMO-ZS-001"]["acting_unit"] == "河西镇"
        and by_code["DEMO-ZS-001"]["in_name_of"] == "示例县城市管理局"
    )
    assert (
        client.get("/api/v1/jurisdiction", {"matter": "DEMO-SR-001", "township": "城关镇"}).status_code == 401
    )


# --- issue 5 §8: bad input ---------------------------------------------------------------------------


def test_a_date_before_any_published_version(cat: Cat) -> None:
    response = api_client(cat, "township_handler").get(
        "/api/v1/jurisdiction", {"matter": "DEMO-SR-001", "township": "T01", "date": "2024-06-01"}
    )
    assert response.status_code == 422
    assert response.json()["message"].startswith("该日期没有生效的事项目录")


def test_unknown_matter_and_township(cat: Cat) -> None:
    client = api_client(cat, "township_handler")
    unknown = client.get(
        "/api/v1/jurisdiction", {"matter": "NOPE-1", "township": "城关镇", "date": "2025-06-01"}
    )
    assert unknown.status_code == 422 and "未知的事项编码" in unknown.json()["message"]
    nowhere = client.get("/api/v1/jurisdiction", {"matter": "DEMO-SR-001", "township": "邻县城关镇"})
    assert nowhere.status_code == 422 and "未知的乡镇" in nowhere.json()["message"]


def test_overlapping_devolution_periods_are_refused(cat: Cat) -> None:
    client = api_client(cat, "manager")
    vid = post(client, "/api/v1/catalogue/versions", {"effective_from": future().isoformat()}).json()["id"]
    existing = Devolution.objects.get(version_id=vid, matter=cat.city, township=cat.other)
    patch(client, f"/api/v1/catalogue/devolutions/{existing.pk}", {"effective_to": future(100).isoformat()})
    overlapping = post(client, f"/api/v1/catalogue/versions/{vid}/devolutions", {
        "matter_id": cat.city.pk, "township_id": cat.other.pk, "mode": "granted",
        "effective_from": future(50).isoformat(),
    })  # fmt: skip
    assert overlapping.status_code == 422
    assert "DEMO-SR-001在河西镇的下放期间重叠" in overlapping.json()["message"]
    follows = post(client, f"/api/v1/catalogue/versions/{vid}/devolutions", {
        "matter_id": cat.city.pk, "township_id": cat.other.pk, "mode": "granted", "effective_from": future(101).isoformat(),
    })  # fmt: skip
    assert follows.status_code == 201


def test_entrusted_without_entrustment_and_a_mode_not_among_the_three(cat: Cat) -> None:
    client = api_client(cat, "manager")
    vid = post(client, "/api/v1/catalogue/versions", {"effective_from": future().isoformat()}).json()["id"]
    row = Devolution.objects.get(version_id=vid, matter=cat.city, township=cat.other)
    no_letter = patch(client, f"/api/v1/catalogue/devolutions/{row.pk}", {"mode": "entrusted"})
    assert no_letter.status_code == 422 and no_letter.json()["details"]["entrustment_id"] == [
        "委托事项必须附行政执法委托书"
    ]
    bad_mode = patch(client, f"/api/v1/catalogue/devolutions/{row.pk}", {"mode": "delegated"})
    assert bad_mode.status_code == 422
    assert "只能是赋权（granted）、委托（entrusted）或不下放（retained）" in bad_mode.json()["message"]
    assert Devolution.objects.get(pk=row.pk).mode == "retained"


def test_entrustment_without_scope_or_term(cat: Cat) -> None:
    client = api_client(cat, "department_leader")
    base = {"number": "WT-9", "department_id": cat.dept.pk, "township_id": cat.town.pk, "authority": "检查",
            "responsibility": "负责"}  # fmt: skip
    no_scope = post(
        client,
        "/api/v1/catalogue/entrustments",
        {**base, "valid_from": "2026-01-01", "valid_to": "2026-12-31"},
    )
    assert (
        no_scope.status_code == 422
        and "委托书必须载明委托范围" in no_scope.json()["details"]["matter_ids"][0]
    )
    no_term = post(client, "/api/v1/catalogue/entrustments", {**base, "matter_ids": [cat.city.pk]})
    assert no_term.status_code == 422 and "委托书必须载明委托期限" in no_term.json()["details"]["valid_to"][0]


def test_a_matter_code_used_twice(cat: Cat) -> None:
    response = post(api_client(cat, "manager"), "/api/v1/matters", {
        "code": "DEMO-SR-001", "name": "重复", "field": "市容环境卫生", "department_id": cat.dept.pk,
    })  # fmt: skip
    assert response.status_code == 422
    assert response.json()["details"]["code"] == [
        "事项编码DEMO-SR-001已被事项“对随地吐痰、便溺的处罚”使用，同一县内事项编码不能重复"
    ]


def test_unknown_fields_are_refused(cat: Cat) -> None:
    response = post(
        api_client(cat, "manager"), "/api/v1/catalogue/versions", {"effective_from": "2030-01-01", "foo": 1}
    )
    assert response.status_code == 422 and response.json()["details"]["foo"] == ["不允许的字段"]
