"""Authorisation matrix over HTTP with the personas; every denied case asserts that nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xiezhi.catalogue.models import CatalogueVersion, Entrustment, Matter, VersionStatus
from xiezhi.catalogue.tests.helpers import Cat, api_client, future, page_client

pytestmark = pytest.mark.django_db
JSON = "application/json"

PEOPLE = (
    "manager", "gov_leader", "township_handler", "township_leader", "department_liaison", "department_leader",
    "market_liaison", "justice_office_supervisor", "dispatcher", "sysadmin", "secadmin", "auditadmin", "outsider",
)  # fmt: skip


def state(cat: Cat) -> tuple[Any, ...]:
    matter = Matter.objects.get(pk=cat.city.pk)
    return (
        tuple(CatalogueVersion.objects.order_by("pk").values_list("pk", "status", "title")),
        matter.legal_basis_penalty,
        Entrustment.objects.count(),
    )


def create_draft(cat: Cat, c: Client) -> Any:
    return c.post(
        "/api/v1/catalogue/versions",
        {"effective_from": future().isoformat(), "title": "T"},
        content_type=JSON,
    )


def publish(cat: Cat, c: Client) -> Any:
    draft = CatalogueVersion.objects.create(
        county=cat.p.county,
        number=9,
        effective_from=future(),
        status="draft",
        decision_document="示政发〔2026〕1号",
    )
    from xiezhi.catalogue.versions import _copy_contents

    _copy_contents(cat.v1, draft)
    return c.post(f"/api/v1/catalogue/versions/{draft.pk}/publish", {}, content_type=JSON)


def edit_basis(cat: Cat, c: Client) -> Any:
    return c.patch(f"/api/v1/matters/{cat.city.pk}", {"legal_basis_penalty": "改"}, content_type=JSON)


def entrust(cat: Cat, c: Client) -> Any:
    return c.post("/api/v1/catalogue/entrustments", {
        "number": "WT-M", "department_id": cat.dept.pk, "township_id": cat.town.pk, "matter_ids": [cat.city.pk],
        "authority": "检查", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "responsibility": "负责",
    }, content_type=JSON)  # fmt: skip


def read_version(cat: Cat, c: Client) -> Any:
    return c.get(f"/api/v1/catalogue/versions/{cat.v1.pk}")


def ask(cat: Cat, c: Client) -> Any:
    return c.get(
        "/api/v1/jurisdiction", {"matter": "DEMO-SR-001", "township": "城关镇", "date": "2025-06-01"}
    )


# (operation, changes state?, {who: expected status}); anyone not listed gets `default`.
MATRIX: list[tuple[Callable[[Cat, Client], Any], bool, dict[str, int], int]] = [
    (create_draft, True, {"manager": 201, "gov_leader": 201}, 403),
    (publish, True, {"gov_leader": 200, "outsider": 404}, 403),
    (
        edit_basis,
        True,
        {
            "manager": 200,
            "gov_leader": 200,
            "department_liaison": 200,
            "department_leader": 200,
            "outsider": 404,
        },
        403,
    ),
    (
        entrust,
        True,
        {"manager": 201, "gov_leader": 201, "department_liaison": 201, "department_leader": 201},
        403,
    ),
    (read_version, False, {"outsider": 404, "sysadmin": 403, "secadmin": 403, "auditadmin": 403}, 200),
    (ask, False, {"outsider": 422, "sysadmin": 403, "secadmin": 403, "auditadmin": 403}, 200),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("operation", MATRIX, ids=lambda op: op[0].__name__)
def test_matrix(
    cat: Cat, who: str, operation: tuple[Callable[[Cat, Client], Any], bool, dict[str, int], int]
) -> None:
    action, writes, allowed, default = operation
    expected = allowed.get(who, default)
    before = state(cat)
    response = action(cat, api_client(cat, who))
    assert response.status_code == expected, (who, response.content.decode()[:300])
    if writes and expected >= 400:
        after = state(cat)
        # `publish` prepares its draft itself; only the draft row may differ from before.
        assert after[1:] == before[1:]
        assert [v for v in after[0] if v[1] != VersionStatus.DRAFT] == [
            v for v in before[0] if v[1] != VersionStatus.DRAFT
        ]


@pytest.mark.parametrize("who", ["township_handler", "department_liaison", "dispatcher", "outsider"])
def test_pages_open_to_business_users_and_management_forms_only_to_managers(cat: Cat, who: str) -> None:
    client = page_client(cat, who)
    index = client.get("/catalogue/")
    assert index.status_code == 200
    assert ("新建草稿" in index.content.decode()) is False
    detail = client.get(f"/catalogue/versions/{cat.v1.pk}/")
    assert detail.status_code == (404 if who == "outsider" else 200)
    assert client.get("/catalogue/imports/new/").status_code == 403


def test_admins_do_not_see_business_pages(cat: Cat) -> None:
    assert page_client(cat, "sysadmin").get("/catalogue/").status_code == 403
