"""Authorisation matrix (issue 3 §4) for every units endpoint and page: each persona gets the
expected status, and every denied request leaves the database (and the audit trail) unchanged.

API requests authenticate with real bearer tokens; pages with a real sign-in (administrators also
pass their TOTP step). Allowed writers run last, so the denied attempts all meet the same state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.testing.factories import Personas, make_certificate
from xiezhi.units.models import Certificate, Unit
from xiezhi.units.tests.helpers import BUSINESS, EVERYONE, bearer_client, session_client, snapshot, user_of


@dataclass
class World:
    p: Personas
    empty_unit: Unit
    cert: Certificate


@pytest.fixture
def world(personas: Personas) -> World:
    empty = Unit.objects.create(
        county=personas.county, code="EMPTY", name="示例县待撤并局", kind="department"
    )
    return World(personas, empty, make_certificate(personas.township_handler))


def _pattern(kind: str, ok: int) -> dict[str, int]:
    business = {who: 200 for who in BUSINESS}
    if kind == "read_list":
        return {**business, "sysadmin": 200, "secadmin": 200, "auditadmin": 403, "outsider": 200}
    if kind == "read_obj":
        return {**business, "sysadmin": 200, "secadmin": 200, "auditadmin": 403, "outsider": 404}
    denied = {who: 403 for who in BUSINESS}
    if kind == "sys_create":
        return {**denied, "sysadmin": ok, "secadmin": 403, "auditadmin": 403, "outsider": 403}
    if kind == "sys_obj":
        return {**denied, "sysadmin": ok, "secadmin": 403, "auditadmin": 404, "outsider": 404}
    if kind == "sec_obj":
        return {**denied, "sysadmin": 403, "secadmin": ok, "auditadmin": 404, "outsider": 404}
    raise AssertionError(kind)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], dict[str, Any]] | None = None
    writes: bool = True


def _order(expected: dict[str, int]) -> list[str]:
    # Denied personas first: their attempts must all meet the same, unchanged state.
    return sorted(EVERYONE, key=lambda who: expected[who] < 400)


U = "/api/v1/units"
API_CASES = [
    Case("units list", "GET", lambda w: f"{U}/", _pattern("read_list", 200), writes=False),
    Case("unit detail", "GET", lambda w: f"{U}/{w.p.township.pk}", _pattern("read_obj", 200), writes=False),
    Case("unit create", "POST", lambda w: f"{U}/", _pattern("sys_create", 201),
         lambda w: {"code": "NEW1", "name": "示例县新设局", "kind": "department", "county_id": w.p.county.pk}),
    Case("unit update", "PATCH", lambda w: f"{U}/{w.p.township.pk}", _pattern("sys_obj", 200),
         lambda w: {"short_name": "城关"}),
    Case("unit deactivate", "POST", lambda w: f"{U}/{w.empty_unit.pk}/deactivate", _pattern("sys_obj", 200),
         lambda w: {"reason": "机构撤并"}),
    Case("sections list", "GET", lambda w: f"{U}/{w.p.township.pk}/sections", _pattern("read_obj", 200), writes=False),
    Case("section create", "POST", lambda w: f"{U}/{w.p.township.pk}/sections", _pattern("sys_obj", 201),
         lambda w: {"name": "综合行政执法队"}),
    Case("enforcement subjects", "GET", lambda w: f"{U}/enforcement-subjects", _pattern("read_list", 200), writes=False),
    Case("liaisons", "GET", lambda w: f"{U}/liaisons", _pattern("read_list", 200), writes=False),
    Case("liaison gaps", "GET", lambda w: f"{U}/liaisons/gaps", _pattern("read_list", 200), writes=False),
    Case("people list", "GET", lambda w: f"{U}/people", _pattern("read_list", 200), writes=False),
    Case("person detail", "GET", lambda w: f"{U}/people/{w.p.township_handler.pk}", _pattern("read_obj", 200),
         writes=False),
    Case("person create", "POST", lambda w: f"{U}/people", _pattern("sys_create", 201),
         lambda w: {"unit_id": w.p.township.pk, "name": "新来的"}),
    Case("person update", "PATCH", lambda w: f"{U}/people/{w.p.township_handler.pk}", _pattern("sys_obj", 200),
         lambda w: {"post": "副队长"}),
    Case("person deactivate", "POST", lambda w: f"{U}/people/{w.p.township_handler.pk}/deactivate",
         _pattern("sys_obj", 200), lambda w: {"reason": "调离"}),
    Case("role grant", "POST", lambda w: f"{U}/people/{w.p.township_handler.pk}/roles", _pattern("sec_obj", 201),
         lambda w: {"role": "liaison"}),
    Case("role revoke", "DELETE", lambda w: f"{U}/people/{w.p.township_handler.pk}/roles/handler",
         _pattern("sec_obj", 204)),
    Case("certificates list", "GET", lambda w: f"{U}/certificates", _pattern("read_list", 200), writes=False),
    Case("certificate detail", "GET", lambda w: f"{U}/certificates/{w.cert.pk}", _pattern("read_obj", 200),
         writes=False),
    Case("certificate create", "POST", lambda w: f"{U}/certificates", _pattern("sys_create", 201),
         lambda w: {"number": "浙A99999", "holder_id": w.p.township_leader.pk, "issuing_authority": "示例县人民政府",
                    "fields": "城市管理", "valid_from": "2025-01-01", "valid_to": "2028-12-31"}),
    Case("certificate update", "PATCH", lambda w: f"{U}/certificates/{w.cert.pk}", _pattern("sys_obj", 200),
         lambda w: {"fields": "城市管理、市场监管"}),
    Case("certificate suspend", "POST", lambda w: f"{U}/certificates/{w.cert.pk}/status", _pattern("sys_obj", 200),
         lambda w: {"action": "suspend", "reason": "涉嫌违纪"}),
]  # fmt: skip


def _call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    data = json.dumps(body) if body is not None else None
    return client.generic(method, path, data or "", content_type="application/json")


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: c.name)
def test_api_matrix(world: World, case: Case) -> None:
    failures = []
    for who in _order(case.expected):
        client = bearer_client(user_of(world.p, who))
        before = snapshot()
        response = _call(client, case.method, case.path(world), case.body(world) if case.body else None)
        expected = case.expected[who]
        if response.status_code != expected:
            failures.append(f"{who}: {response.status_code} != {expected} {response.content.decode()[:200]}")
            continue
        if expected >= 400:
            assert set(response.json()) == {"code", "message", "details"}
            assert snapshot() == before, f"{who} was denied but something changed"
        elif case.writes:
            assert snapshot() != before, f"{who} was allowed but nothing changed"
    assert not failures, "\n".join(failures)


def test_outsider_lists_never_show_this_county(world: World) -> None:
    client = bearer_client(user_of(world.p, "outsider"))
    for path in ("/", "/people", "/certificates", "/liaisons", "/liaisons/gaps", "/enforcement-subjects"):
        text = client.get(f"{U}{path}").content.decode()
        for name in ("城关镇", "张承办", "示例县城市管理局", "赵联络"):
            assert name not in text.replace("邻县城关镇", ""), (path, name)


P = "/units"
PAGE_CASES = [
    Case("unit list page", "GET", lambda w: f"{P}/", _pattern("read_list", 200), writes=False),
    Case("unit detail page", "GET", lambda w: f"{P}/{w.p.township.pk}/", _pattern("read_obj", 200), writes=False),
    Case("unit create page", "GET", lambda w: f"{P}/new/", _pattern("sys_create", 200), writes=False),
    Case("unit edit", "POST", lambda w: f"{P}/{w.p.township.pk}/edit/", _pattern("sys_obj", 302),
         lambda w: {"code": "T01", "name": "城关镇", "kind": "township", "short_name": "城关",
                    "is_enforcement_subject": "1", "subject_legal_basis": "赋权决定",
                    "subject_review_date": timezone.localdate().isoformat()}),
    Case("unit deactivate", "POST", lambda w: f"{P}/{w.empty_unit.pk}/deactivate/", _pattern("sys_obj", 302),
         lambda w: {}),
    Case("section add", "POST", lambda w: f"{P}/{w.p.township.pk}/sections/", _pattern("sys_obj", 302),
         lambda w: {"name": "党政办公室"}),
    Case("subjects page", "GET", lambda w: f"{P}/subjects/", _pattern("read_list", 200), writes=False),
    Case("liaisons page", "GET", lambda w: f"{P}/liaisons/", _pattern("read_list", 200), writes=False),
    Case("people page", "GET", lambda w: f"{P}/people/", _pattern("read_list", 200), writes=False),
    Case("person page", "GET", lambda w: f"{P}/people/{w.p.township_handler.pk}/", _pattern("read_obj", 200),
         writes=False),
    Case("person create", "POST", lambda w: f"{P}/people/new/", _pattern("sys_create", 302),
         lambda w: {"unit_id": str(w.p.township.pk), "name": "新来的"}),
    Case("person edit", "POST", lambda w: f"{P}/people/{w.p.township_handler.pk}/edit/", _pattern("sys_obj", 302),
         lambda w: {"unit_id": str(w.p.township.pk), "name": "张承办", "post": "副队长"}),
    Case("person deactivate", "POST", lambda w: f"{P}/people/{w.p.township_handler.pk}/deactivate/",
         _pattern("sys_obj", 302), lambda w: {}),
    Case("role grant", "POST", lambda w: f"{P}/people/{w.p.township_handler.pk}/roles/", _pattern("sec_obj", 302),
         lambda w: {"role": "liaison"}),
    Case("role revoke", "POST", lambda w: f"{P}/people/{w.p.township_handler.pk}/roles/handler/revoke/",
         _pattern("sec_obj", 302), lambda w: {}),
    Case("certificates page", "GET", lambda w: f"{P}/certificates/", _pattern("read_list", 200), writes=False),
    Case("certificate create", "POST", lambda w: f"{P}/certificates/new/", _pattern("sys_create", 302),
         lambda w: {"number": "浙A99999", "holder_id": str(w.p.township_leader.pk), "issuing_authority": "示例县人民政府",
                    "fields": "城市管理", "valid_from": "2025-01-01", "valid_to": "2028-12-31"}),
    Case("certificate status", "POST", lambda w: f"{P}/certificates/{w.cert.pk}/status/", _pattern("sys_obj", 302),
         lambda w: {"action": "suspend", "reason": "涉嫌违纪"}),
]  # fmt: skip


@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: c.name)
def test_page_matrix(world: World, case: Case) -> None:
    failures = []
    for who in _order(case.expected):
        client = session_client(user_of(world.p, who))
        before = snapshot()
        path = case.path(world)
        if case.method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, case.body(world) if case.body else {})
        expected = case.expected[who]
        if response.status_code != expected:
            failures.append(f"{who}: {response.status_code} != {expected}")
            continue
        if expected >= 400:
            assert "无法完成操作" in response.content.decode()
            assert snapshot() == before, f"{who} was denied but something changed"
        elif case.writes:
            assert snapshot() != before, f"{who} was allowed but nothing changed"
    assert not failures, "\n".join(failures)
