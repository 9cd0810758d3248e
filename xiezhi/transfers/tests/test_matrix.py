"""Authorisation matrix over HTTP with the personas: 200 allowed, 403 visible but not allowed,
404 invisible (the same as missing); every denied case leaves the database unchanged."""

from __future__ import annotations

import json

import pytest

from xiezhi.audit.models import AuditEvent
from xiezhi.transfers import services
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import World, api, draft_data, make_draft, make_sent

pytestmark = pytest.mark.django_db
BASE = "/api/v1/transfers"
EVERYONE = (
    "township_handler",
    "township_leader",
    "other_township_handler",
    "department_liaison",
    "department_leader",
    "justice_office_supervisor",
    "dispatcher",
    "sysadmin",
    "secadmin",
    "auditadmin",
    "outsider",
)
ADMINS = {"sysadmin": 403, "secadmin": 403, "auditadmin": 403}


def _expect(table: dict[str, int], default: int) -> list[tuple[str, int]]:
    return [(who, table.get(who, default)) for who in EVERYONE]


def _state(t: Transfer) -> tuple[str, int]:
    return Transfer.objects.get(pk=t.pk).status, AuditEvent.objects.count()


VIEW_DRAFT = {
    "township_handler": 200,
    "township_leader": 200,
    "justice_office_supervisor": 200,
    "dispatcher": 200,
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(VIEW_DRAFT, 404))
def test_view_a_draft(world: World, who: str, expected: int) -> None:
    t = make_draft(world)
    assert api(world, who).get(f"{BASE}/{t.pk}").status_code == expected


VIEW_SENT = {**VIEW_DRAFT, "department_liaison": 200, "department_leader": 200}


@pytest.mark.parametrize(("who", "expected"), _expect(VIEW_SENT, 404))
def test_view_a_sent_transfer(world: World, who: str, expected: int) -> None:
    t = make_sent(world)
    assert api(world, who).get(f"{BASE}/{t.pk}").status_code == expected


CREATE = {
    "township_handler": 201,
    "township_leader": 201,
    "other_township_handler": 201,
    "department_liaison": 201,
    "department_leader": 201,
    "justice_office_supervisor": 403,
    "dispatcher": 403,
    "outsider": 422,  # may prepare in its own county, but this county's units are unknown there
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(CREATE, 403))
def test_create(world: World, who: str, expected: int) -> None:
    data = draft_data(
        world,
        receiver=world.p.other_township.pk
        if who == "department_liaison" or who == "department_leader"
        else world.dept.pk,
    )
    if who == "other_township_handler":
        data["receiver"] = world.dept.pk
    before = (Transfer.objects.count(), AuditEvent.objects.count())
    r = api(world, who).post(BASE, data=json.dumps(data), content_type="application/json")
    assert r.status_code == expected, r.content.decode()
    if expected != 201:
        assert (Transfer.objects.count(), AuditEvent.objects.count()) == before


SUBMIT = {
    "township_handler": 200,
    "township_leader": 200,
    "justice_office_supervisor": 403,
    "dispatcher": 403,
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(SUBMIT, 404))
def test_submit(world: World, who: str, expected: int) -> None:
    t = make_draft(world)
    before = _state(t)
    r = api(world, who).post(f"{BASE}/{t.pk}/submit")
    assert r.status_code == expected
    if expected != 200:
        assert _state(t) == before


APPROVE = {
    "township_leader": 200,
    "township_handler": 403,
    "justice_office_supervisor": 403,
    "dispatcher": 403,
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(APPROVE, 404))
def test_approve(world: World, who: str, expected: int) -> None:
    t = make_draft(world)
    services.submit(world.actor("township_handler"), t)
    before = _state(t)
    r = api(world, who).post(f"{BASE}/{t.pk}/approve")
    assert r.status_code == expected
    if expected != 200:
        assert _state(t) == before


ACCEPT = {
    "department_liaison": 200,
    "department_leader": 200,
    "township_handler": 403,
    "township_leader": 403,
    "justice_office_supervisor": 403,
    "dispatcher": 403,
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(ACCEPT, 404))
def test_accept(world: World, who: str, expected: int) -> None:
    t = make_sent(world)
    before = _state(t)
    r = api(world, who).post(f"{BASE}/{t.pk}/accept", data="{}", content_type="application/json")
    assert r.status_code == expected
    if expected != 200:
        assert _state(t) == before


@pytest.mark.parametrize(
    ("who", "expected"), _expect({**ACCEPT, "department_liaison": 200, "department_leader": 200}, 404)
)
def test_decline(world: World, who: str, expected: int) -> None:
    t = make_sent(world)
    before = _state(t)
    body = json.dumps({"reason": "other", "detail": "理由"})
    r = api(world, who).post(f"{BASE}/{t.pk}/decline", data=body, content_type="application/json")
    assert r.status_code == expected
    if expected != 200:
        assert _state(t) == before


WITHDRAW = {
    "township_leader": 200,
    "township_handler": 403,
    "department_liaison": 403,
    "department_leader": 403,
    "justice_office_supervisor": 403,
    "dispatcher": 403,
    **ADMINS,
}


@pytest.mark.parametrize(("who", "expected"), _expect(WITHDRAW, 404))
def test_withdraw(world: World, who: str, expected: int) -> None:
    t = make_sent(world)
    before = _state(t)
    r = api(world, who).post(
        f"{BASE}/{t.pk}/withdraw", data=json.dumps({"reason": "发错单位"}), content_type="application/json"
    )
    assert r.status_code == expected
    if expected != 200:
        assert _state(t) == before


def test_lists_are_scoped(world: World) -> None:
    t = make_sent(world)
    seen = {who: [i["id"] for i in api(world, who).get(BASE).json().get("items", [])] for who in EVERYONE}
    assert seen["department_liaison"] == [t.pk] and seen["dispatcher"] == [t.pk]
    assert seen["justice_office_supervisor"] == [t.pk]
    assert seen["other_township_handler"] == [] and seen["outsider"] == []
    for admin in ADMINS:
        assert api(world, admin).get(BASE).status_code == 403
