"""The API over HTTP with real authentication (session sign-in and bearer tokens)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import Personas, make_certificate, make_person
from xiezhi.units.models import Unit
from xiezhi.units.tests.helpers import bearer_client, certificate, session_client, snapshot

U = "/api/v1/units"


def test_unauthenticated_requests_get_401_in_the_envelope(personas: Personas) -> None:
    response = Client().get(f"{U}/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_sign_in_reads_units_with_search_filter_and_pagination(personas: Personas) -> None:
    client = session_client(personas.township_handler.account)
    body = client.get(f"{U}/", {"q": "镇", "kind": "township", "page_size": "1"}).json()
    assert body["total"] == 2 and body["page_size"] == 1 and len(body["items"]) == 1
    second = client.get(f"{U}/", {"q": "镇", "kind": "township", "page_size": "1", "page": "2"}).json()
    assert {body["items"][0]["name"], second["items"][0]["name"]} == {"城关镇", "河西镇"}
    assert second["items"][0]["kind_label"] == "乡镇/街道"


def test_page_size_is_bounded(personas: Personas) -> None:
    client = bearer_client(personas.township_handler.account)
    response = client.get(f"{U}/people", {"page_size": 1000})
    assert response.status_code == 422
    assert response.json()["details"]["page_size"] == ["每页条数须在1至100之间"]


def test_sysadmin_session_creates_a_unit_after_totp(personas: Personas) -> None:
    client = session_client(personas.sysadmin)
    response = client.post(f"{U}/", {"code": "D77", "name": "示例县水利局", "kind": "department",
                                     "county_id": personas.county.pk}, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "示例县水利局"
    assert Unit.objects.filter(code="D77").exists()


def test_unknown_fields_in_a_write_give_422_and_nothing_is_written(personas: Personas) -> None:
    client = bearer_client(personas.sysadmin)
    before = snapshot()
    response = client.post(f"{U}/", {"code": "D78", "name": "示例县水利局", "kind": "department", "colour": "red"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["details"] == {"colour": ["不允许的字段"]}
    response = client.patch(
        f"{U}/people/{personas.township_handler.pk}", {"salary": 1}, content_type="application/json"
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_service_validation_errors_are_422_with_chinese_field_messages(personas: Personas) -> None:
    client = bearer_client(personas.sysadmin)
    before = snapshot()
    response = client.post(
        f"{U}/", {"code": "T01", "name": "重复", "kind": "department"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["details"]["code"] == ["单位编码“T01”已被其他单位使用"]
    today = timezone.localdate()
    response = client.post(f"{U}/certificates", {
        "number": "X1", "holder_id": personas.township_handler.pk, "issuing_authority": "示例县人民政府", "fields": "城市管理",
        "valid_from": today.isoformat(), "valid_to": (today - timedelta(days=1)).isoformat(),
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["message"] == "有效期止不能早于有效期起"
    assert snapshot() == before


def test_read_only_token_cannot_write(personas: Personas) -> None:
    client = bearer_client(personas.sysadmin, scope="read")
    before = snapshot()
    response = client.patch(
        f"{U}/{personas.township.pk}", {"short_name": "城关"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert client.get(f"{U}/{personas.township.pk}").status_code == 200


def test_people_phones_are_masked_and_unmasked_view_is_audited(personas: Personas) -> None:
    client = bearer_client(personas.township_leader.account)
    listed = client.get(f"{U}/people", {"q": "赵联络"}).json()["items"]
    assert [p["phone"] for p in listed] == ["138****5678"]
    detail = client.get(f"{U}/people/{personas.department_liaison.pk}").json()
    assert detail["phone"] == "138****5678"
    assert detail["roles"] == ["handler", "liaison"]
    assert not AuditEvent.objects.filter(action="person.view_unmasked").exists()
    full = client.post(f"{U}/people/{personas.department_liaison.pk}/unmasked")
    assert full.status_code == 200
    assert full.json()["phone"] == "13812345678"
    assert (
        AuditEvent.objects.filter(
            action="person.view_unmasked", target_id=str(personas.department_liaison.pk)
        ).count()
        == 1
    )


@pytest.mark.rule("R-CASE-01")
def test_assistants_are_labelled_in_the_api(personas: Personas) -> None:
    make_certificate(personas.township_leader)
    make_person(personas.township, "协管员乙", account=False)
    client = bearer_client(personas.dispatcher.account)
    items = client.get(f"{U}/people", {"unit_id": personas.township.pk}).json()["items"]
    labels = {p["name"]: p["category_label"] for p in items}
    assert labels == {"李镇长": "执法人员", "张承办": "协管/辅助人员", "协管员乙": "协管/辅助人员"}
    officers = client.get(f"{U}/people", {"unit_id": str(personas.township.pk), "officer": "true"}).json()[
        "items"
    ]
    assert [p["name"] for p in officers] == ["李镇长"]


@pytest.mark.rule("R-CASE-01")
def test_certificates_valid_on_filter(personas: Personas) -> None:
    today = timezone.localdate()
    current = certificate(personas.township_handler, today - timedelta(days=10), today + timedelta(days=10))
    certificate(personas.township_leader, today - timedelta(days=100), today - timedelta(days=1))
    certificate(
        personas.department_leader, today - timedelta(days=10), today + timedelta(days=10), status="suspended"
    )
    client = bearer_client(personas.township_handler.account)
    items = client.get(f"{U}/certificates", {"valid_on": today.isoformat()}).json()["items"]
    assert [c["number"] for c in items] == [current.number]
    assert items[0]["valid_today"] is True and items[0]["expires_soon"] is True
    assert client.get(f"{U}/certificates", {"valid_on": "2025-13-01"}).status_code == 422


@pytest.mark.rule("R-CO-06")
def test_liaisons_and_gaps_over_the_api(personas: Personas) -> None:
    client = bearer_client(personas.justice_office_supervisor.account)
    gaps = client.get(f"{U}/liaisons/gaps").json()
    assert {g["unit_name"] for g in gaps} == {"城关镇", "河西镇"}
    liaisons = client.get(f"{U}/liaisons").json()
    assert [(row["unit_name"], row["person"]["name"]) for row in liaisons] == [("示例县城市管理局", "赵联络")]
    secadmin = bearer_client(personas.secadmin)
    assert secadmin.post(f"{U}/people/{personas.other_township_handler.pk}/roles", {"role": "liaison"},
                         content_type="application/json").status_code == 201  # fmt: skip
    assert {g["unit_name"] for g in client.get(f"{U}/liaisons/gaps").json()} == {"城关镇"}


@pytest.mark.rule("R-CAT-07")
def test_enforcement_subjects_due_for_review(personas: Personas) -> None:
    today = timezone.localdate()
    Unit.objects.filter(pk=personas.township.pk).update(subject_review_date=today - timedelta(days=30))
    Unit.objects.filter(pk=personas.other_township.pk).update(subject_review_date=today - timedelta(days=400))
    Unit.objects.filter(pk=personas.department.pk).update(subject_review_date=today - timedelta(days=200))
    client = bearer_client(personas.dispatcher.account)
    due = client.get(f"{U}/enforcement-subjects", {"due": "true"}).json()["items"]
    assert [u["name"] for u in due] == ["河西镇"]
    everyone = client.get(f"{U}/enforcement-subjects").json()
    assert everyone["total"] == 3
    assert {u["name"]: u["subject_review_due"] for u in everyone["items"]}["河西镇"] is True


def test_role_grant_to_unknown_role_is_422(personas: Personas) -> None:
    client = bearer_client(personas.secadmin)
    response = client.post(f"{U}/people/{personas.township_handler.pk}/roles", {"role": "boss"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert "角色“boss”无效" in response.json()["message"]


def test_certificate_status_conflict_is_409(personas: Personas) -> None:
    cert = make_certificate(personas.township_handler)
    client = bearer_client(personas.sysadmin)
    url = f"{U}/certificates/{cert.pk}/status"
    assert (
        client.post(url, {"action": "cancel", "reason": "调离"}, content_type="application/json").status_code
        == 200
    )
    response = client.post(url, {"action": "reinstate"}, content_type="application/json")
    assert response.status_code == 409
    assert "注销" in response.json()["message"]


def test_openapi_lists_the_units_endpoints(personas: Personas) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/units/", "/api/v1/units/people", "/api/v1/units/certificates", "/api/v1/units/liaisons/gaps",
                 "/api/v1/units/enforcement-subjects"):  # fmt: skip
        assert path in paths
