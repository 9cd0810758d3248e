"""Authorisation matrix over every accounts page and endpoint (issue 3 §4).

Each persona (and an anonymous visitor) calls each page/endpoint; the expected status is listed per
persona. Denied calls run first and each must leave the database exactly as it was; the allowed
call runs last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import ApiToken, User
from xiezhi.accounts.testing import enrol_device, sign_in
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import Personas, make_person, make_user
from xiezhi.units.models import RoleAssignment

BUSINESS = (
    "township_handler",
    "township_leader",
    "other_township_handler",
    "department_liaison",
    "department_leader",
    "justice_office_supervisor",
    "dispatcher",
    "outsider",
)
ADMINS = ("sysadmin", "secadmin", "auditadmin")
EVERYONE = (*BUSINESS, *ADMINS, "anonymous")


@dataclass
class World:
    personas: Personas
    target: User  # a business account
    standalone: User  # an account without person and without role
    foreign_token: ApiToken


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]  # persona -> status; others get `default`
    default: int
    anonymous: int
    body: dict[str, Any] | None = None
    api: bool = True
    prepare: Callable[[World], None] = field(default=lambda world: None)

    def status_for(self, who: str) -> int:
        if who == "anonymous":
            return self.anonymous
        return self.expect.get(who, self.default)


def _lock(world: World) -> None:
    for _ in range(5):
        Client().post("/accounts/login/", {"username": world.target.username, "password": "Wrong-pass-1"})


def _deactivate(world: World) -> None:
    User.objects.filter(pk=world.target.pk).update(is_active=False)


def _enrol_target(world: World) -> None:
    enrol_device(world.target)


def _give_role(world: World) -> None:
    User.objects.filter(pk=world.standalone.pk).update(admin_role="auditadmin")


READERS = {"sysadmin": 200, "secadmin": 200}
API = "/api/v1/accounts"
PAGE_ANON = 302
T = "target"

CASES = [
    # Own account and tokens: every signed-in persona.
    Case("me page", "get", lambda w: "/accounts/me/", {}, 200, PAGE_ANON, api=False),
    Case("tokens page", "get", lambda w: "/accounts/tokens/", {}, 200, PAGE_ANON, api=False),
    Case("me api", "get", lambda w: f"{API}/me", {}, 200, 401),
    Case("tokens api", "get", lambda w: f"{API}/tokens", {}, 200, 401),
    Case("issue token", "post", lambda w: f"{API}/tokens", {}, 201, 401, body={"name": "矩阵"}),
    Case("revoke another's token", "delete", lambda w: f"{API}/tokens/{w.foreign_token.pk}", {}, 404, 401),
    Case(
        "revoke another's token page",
        "post",
        lambda w: f"/accounts/tokens/{w.foreign_token.pk}/revoke/",
        {},
        404,
        PAGE_ANON,
        api=False,
    ),
    # Account management: readers see, the system administrator acts, the security administrator grants roles.
    Case("list page", "get", lambda w: "/accounts/manage/", READERS, 403, PAGE_ANON, api=False),
    Case("export", "get", lambda w: "/accounts/manage/export.csv", READERS, 403, PAGE_ANON, api=False),
    Case("new page", "get", lambda w: "/accounts/manage/new/", {"sysadmin": 200}, 403, PAGE_ANON, api=False),
    Case(
        "detail page", "get", lambda w: f"/accounts/manage/{w.target.pk}/", READERS, 404, PAGE_ANON, api=False
    ),
    Case("list api", "get", lambda w: f"{API}/", READERS, 403, 401),
    Case("detail api", "get", lambda w: f"{API}/{w.target.pk}", READERS, 404, 401),
    Case(
        "create api",
        "post",
        lambda w: f"{API}/",
        {"sysadmin": 201},
        403,
        401,
        body={"username": "matrix_new"},
    ),
    Case(
        "create page",
        "post",
        lambda w: "/accounts/manage/new/",
        {"sysadmin": 201},
        403,
        PAGE_ANON,
        body={"username": "matrix_page"},
        api=False,
    ),
    Case(
        "deactivate api",
        "post",
        lambda w: f"{API}/{w.target.pk}/deactivate",
        {"sysadmin": 200, "secadmin": 403},
        404,
        401,
        body={"reason": "矩阵"},
    ),
    Case(
        "deactivate page",
        "post",
        lambda w: f"/accounts/manage/{w.target.pk}/deactivate/",
        {"sysadmin": 302, "secadmin": 403},
        404,
        PAGE_ANON,
        body={"reason": "矩阵"},
        api=False,
    ),
    Case(
        "reactivate api",
        "post",
        lambda w: f"{API}/{w.target.pk}/reactivate",
        {"sysadmin": 200, "secadmin": 403},
        404,
        401,
        body={},
        prepare=_deactivate,
    ),
    Case(
        "reset password api",
        "post",
        lambda w: f"{API}/{w.target.pk}/reset-password",
        {"sysadmin": 200, "secadmin": 403},
        404,
        401,
    ),
    Case(
        "reset password page",
        "post",
        lambda w: f"/accounts/manage/{w.target.pk}/reset-password/",
        {"sysadmin": 200, "secadmin": 403},
        404,
        PAGE_ANON,
        api=False,
    ),
    Case(
        "unlock api",
        "post",
        lambda w: f"{API}/{w.target.pk}/unlock",
        {"sysadmin": 200, "secadmin": 403},
        404,
        401,
        prepare=_lock,
    ),
    Case(
        "reset otp api",
        "post",
        lambda w: f"{API}/{w.target.pk}/reset-otp",
        {"sysadmin": 200, "secadmin": 403},
        404,
        401,
        prepare=_enrol_target,
    ),
    Case(
        "grant admin role api",
        "put",
        lambda w: f"{API}/{w.standalone.pk}/admin-role",
        {"secadmin": 200, "sysadmin": 403},
        404,
        401,
        body={"admin_role": "auditadmin"},
    ),
    Case(
        "grant admin role page",
        "post",
        lambda w: f"/accounts/manage/{w.standalone.pk}/grant-admin-role/",
        {"secadmin": 302, "sysadmin": 403},
        404,
        PAGE_ANON,
        body={"admin_role": "auditadmin"},
        api=False,
    ),
    Case(
        "revoke admin role api",
        "delete",
        lambda w: f"{API}/{w.standalone.pk}/admin-role",
        {"secadmin": 200, "sysadmin": 403},
        404,
        401,
        prepare=_give_role,
    ),
]


def snapshot() -> dict[str, Any]:
    return {
        "users": sorted(
            User.objects.values_list(
                "pk", "username", "is_active", "admin_role", "password", "must_change_password"
            )
        ),
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        "devices": sorted(TOTPDevice.objects.values_list("pk", "confirmed")),
        "attempts": sorted(AccessAttempt.objects.values_list("username", "failures_since_start")),
        "roles": sorted(RoleAssignment.objects.values_list("person_id", "role")),
        "audit": AuditEvent.objects.count(),
    }


def client_as(world: World, who: str) -> Client:
    if who == "anonymous":
        return Client()
    return sign_in(Client(), getattr(world.personas, who))


def call(client: Client, case: Case, world: World) -> int:
    path = case.path(world)
    method = getattr(client, case.method)
    if case.api and case.method != "get":
        response = method(path, case.body or {}, content_type="application/json")
    elif case.method == "get":
        response = method(path)
    else:
        response = method(path, case.body or {})
    return int(response.status_code)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorisation_matrix(personas: Personas, case: Case) -> None:
    target = make_person(personas.township, "矩阵目标", ("handler",), username="matrix_target").account
    owner = make_user("token_owner", person=make_person(personas.department, "令牌主人", account=False))
    world = World(
        personas=personas,
        target=target,
        standalone=make_user("matrix_standalone"),
        foreign_token=ApiToken.objects.create(
            user=owner,
            name="别人的",
            prefix="abcd1234",
            token_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=1),
        ),
    )
    case.prepare(world)
    # Denied first (each must change nothing), then the allowed ones.
    order = sorted(EVERYONE, key=lambda who: case.status_for(who) < 400)
    wrong: list[str] = []
    for who in order:
        client = client_as(world, who)
        before = snapshot()
        status = call(client, case, world)
        expected = case.status_for(who)
        if status != expected:
            wrong.append(f"{who}: {status} (expected {expected})")
        if expected >= 400 or (expected == PAGE_ANON and who == "anonymous"):
            after = snapshot()
            if after != before:
                changed = [key for key in before if before[key] != after[key]]
                wrong.append(f"{who}: denied but changed {changed}")
    assert not wrong, f"{case.name}: " + "; ".join(wrong)
