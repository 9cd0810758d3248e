"""Test helpers: signing in for real (session and bearer token) and snapshots for "nothing changed"."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts.models import ApiToken, User
from xiezhi.audit.models import AuditEvent
from xiezhi.testing.factories import PASSWORD, Personas
from xiezhi.units.models import Certificate, County, Person, RoleAssignment, Section, Unit

BUSINESS = (
    "township_handler",
    "township_leader",
    "department_liaison",
    "justice_office_supervisor",
    "dispatcher",
)
ADMINS = ("sysadmin", "secadmin", "auditadmin")
EVERYONE = (*BUSINESS, *ADMINS, "outsider")


def user_of(personas: Personas, who: str) -> User:
    obj = getattr(personas, who)
    return obj if isinstance(obj, User) else obj.account


def bearer_client(user: User, scope: str = "write") -> Client:
    """An API client authenticated by a personal token, stored hashed as TokenAuth expects."""
    raw = "xz_" + secrets.token_urlsafe(24)
    ApiToken.objects.create(
        user=user, name="测试令牌", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scope=scope, expires_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    return Client(headers={"Authorization": f"Bearer {raw}"})


def session_client(user: User) -> Client:
    """Signs in through the real sign-in page; administrators also pass the TOTP step."""
    client = Client()
    device = None
    if user.admin_role:
        device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    if device is not None:
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        response = client.post("/accounts/otp/", {"code": f"{code:0{device.digits}d}"})
        assert response.status_code == 302, response.content.decode()[:500]
    return client


def snapshot() -> dict[str, Any]:
    """Everything the units app writes, plus the audit trail: equal snapshots mean nothing changed."""
    return {
        "counties": list(County.objects.order_by("pk").values()),
        "units": list(Unit.objects.order_by("pk").values()),
        "sections": list(Section.objects.order_by("pk").values()),
        "people": list(Person.objects.order_by("pk").values()),
        "roles": list(RoleAssignment.objects.order_by("pk").values("person_id", "role")),
        "certificates": list(Certificate.objects.order_by("pk").values()),
        "memberships": list(User.objects.order_by("pk").values_list("pk", "person_id")),
        "audit": AuditEvent.objects.count(),
    }


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


_serial = iter(range(1, 1_000_000))


def certificate(person: Person, valid_from: Any, valid_to: Any, **extra: Any) -> Certificate:
    """A certificate with an explicit period (the shared factory fixes the start a year back)."""
    return Certificate.objects.create(
        number=f"T-{next(_serial):06d}", holder=person, issuing_authority="示例县人民政府", fields="城市管理",
        valid_from=valid_from, valid_to=valid_to, **extra,
    )  # fmt: skip
