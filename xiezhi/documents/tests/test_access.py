"""Who may download: the issuer, county-wide units of the county, and whoever the subject's app
allows through its registered visibility function; everybody else gets 404."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.audit.models import AuditEvent
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound
from xiezhi.documents import access
from xiezhi.documents.access import access_document, register_visibility
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.services import issue_document
from xiezhi.documents.tests.samples import SAMPLES
from xiezhi.testing.factories import Personas
from xiezhi.units.models import County


@pytest.fixture
def doc(personas: Personas) -> IssuedDocument:
    return issue_document(
        personas.actor("township_leader"),
        doc_type="transfer_letter",
        unit=personas.township,
        subject=personas.county,
        data=SAMPLES["transfer_letter"],
        issued_on=date(2025, 10, 8),
    )


@pytest.fixture
def registry(monkeypatch: Any) -> dict[str, Any]:
    """The visibility registry, restored after the test."""
    monkeypatch.setattr(access, "_VISIBILITY", {})
    return access._VISIBILITY


def _client(personas: Personas, who: str) -> Client:
    person_or_user = getattr(personas, who)
    user = getattr(person_or_user, "account", person_or_user)
    client = Client()
    client.force_login(user)
    if user.admin_role:
        # Administrators pass the second factor before reaching any page (accounts policy).
        device = TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["township_leader", "township_handler", "dispatcher"])
def test_issuer_and_county_wide_units_download(personas: Personas, doc: IssuedDocument, who: str) -> None:
    client = _client(personas, who)
    for fmt, content_type in (
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("pdf", "application/pdf"),
    ):
        for url in (f"/documents/{doc.pk}/{fmt}", f"/api/v1/documents/{doc.pk}/{fmt}"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == content_type
            assert "attachment" in response["Content-Disposition"]
            assert "filename*=utf-8''" in response["Content-Disposition"]  # the Chinese name, encoded
            digest = getattr(doc, f"{fmt}_sha256")
            assert hashlib.sha256(response.content).hexdigest() == digest == response["X-Content-SHA256"]


@pytest.mark.django_db
def test_metadata_through_the_api(personas: Personas, doc: IssuedDocument) -> None:
    response = _client(personas, "township_handler").get(f"/api/v1/documents/{doc.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "城关镇移〔2025〕1号"
    assert body["doc_type"] == "transfer_letter" and body["doc_type_label"] == "涉嫌违法案件移送函"
    assert body["issuer_name"] == "城关镇" and body["unit_id"] == personas.township.pk
    assert body["subject_type"] == "units.county" and body["subject_id"] == str(personas.county.pk)
    assert body["pdf_sha256"] == doc.pdf_sha256 and body["issued_on"] == "2025-10-08"
    assert body["pdf_url"] == f"/api/v1/documents/{doc.pk}/pdf"
    assert body["data"]["receiver"] == "示例县城市管理局"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "other_township_handler", "department_liaison", "sysadmin"])
def test_others_get_404(personas: Personas, doc: IssuedDocument, who: str, registry: dict[str, Any]) -> None:
    client = _client(personas, who)
    for url in (f"/documents/{doc.pk}/pdf", f"/documents/{doc.pk}/docx"):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert "文书不存在或您无权访问" in response.content.decode()
    for url in (f"/api/v1/documents/{doc.pk}", f"/api/v1/documents/{doc.pk}/pdf"):
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_missing_document_is_the_same_404(personas: Personas, doc: IssuedDocument) -> None:
    client = _client(personas, "township_leader")
    assert client.get(f"/documents/{doc.pk + 1000}/pdf").status_code == 404
    assert client.get(f"/api/v1/documents/{doc.pk + 1000}").json()["message"] == "文书不存在或您无权访问"


@pytest.mark.django_db
def test_anonymous_users_sign_in_first(doc: IssuedDocument) -> None:
    response = Client().get(f"/documents/{doc.pk}/pdf")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get(f"/api/v1/documents/{doc.pk}/pdf").status_code == 401


@pytest.mark.django_db
def test_the_subjects_app_grants_access(
    personas: Personas, doc: IssuedDocument, registry: dict[str, Any]
) -> None:
    seen: list[tuple[Actor, Any]] = []

    def receiver_sees(actor: Actor, subject: County) -> bool:
        seen.append((actor, subject))
        return actor.unit_id == personas.department.pk

    register_visibility(County, receiver_sees)
    assert access_document(personas.actor("department_liaison"), doc.pk) == doc
    assert seen[-1][1] == personas.county
    assert _client(personas, "department_liaison").get(f"/documents/{doc.pk}/pdf").status_code == 200
    with pytest.raises(NotFound):
        access_document(personas.actor("other_township_handler"), doc.pk)
    assert _client(personas, "outsider").get(f"/api/v1/documents/{doc.pk}").status_code == 404


@pytest.mark.django_db
def test_a_visibility_function_that_refuses_by_raising_means_no(
    personas: Personas, doc: IssuedDocument, registry: dict[str, Any]
) -> None:
    def strict(actor: Actor, subject: County) -> bool:
        raise NotFound()

    register_visibility(County, strict)
    with pytest.raises(NotFound):
        access_document(personas.actor("department_liaison"), doc.pk)


@pytest.mark.django_db
def test_a_tampered_file_is_not_served(personas: Personas, doc: IssuedDocument, media_root: Path) -> None:
    (media_root / doc.pdf_path).write_bytes(b"%PDF-1.4 forged")
    client = _client(personas, "township_leader")
    response = client.get(f"/api/v1/documents/{doc.pk}/pdf")
    assert response.status_code == 500
    assert response.json()["code"] == "document_integrity"
    assert client.get(f"/documents/{doc.pk}/pdf").status_code == 500
    assert AuditEvent.objects.filter(action="document.integrity_failed", success=False).count() == 2
    assert client.get(f"/documents/{doc.pk}/docx").status_code == 200  # the untouched file still is
