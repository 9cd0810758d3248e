"""`xiezhi demo`: the demo county's shape, idempotence, and passwords only in demo mode."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from xiezhi.accounts.models import User
from xiezhi.audit.models import AuditEvent
from xiezhi.core.actor import Actor
from xiezhi.rulebook.identifiers import check_credit_code
from xiezhi.units import selectors
from xiezhi.units.demo import DEMO_PASSWORD
from xiezhi.units.models import Certificate, County, Person, Role, RoleAssignment, Section, Unit, UnitKind
from xiezhi.units.tests.helpers import snapshot

pytestmark = pytest.mark.django_db


def _run(settings: Any, demo: bool) -> str:
    settings.DEMO = demo
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def _sysadmin_view() -> Actor:
    return Actor(user=User.objects.get(username="sysadmin"), admin_role="sysadmin")


def test_demo_is_idempotent(settings: Any) -> None:
    first = _run(settings, demo=True)
    assert "新增" in first
    state = snapshot()
    updated = {m.__name__: list(m.objects.order_by("pk").values_list("updated_at", flat=True))
               for m in (Unit, Person, Certificate)}  # fmt: skip
    passwords = list(User.objects.order_by("pk").values_list("password", flat=True))
    second = _run(settings, demo=True)
    assert "无需改动" in second
    assert snapshot() == state  # same rows, same values, no new audit event
    assert {m.__name__: list(m.objects.order_by("pk").values_list("updated_at", flat=True))
            for m in (Unit, Person, Certificate)} == updated  # fmt: skip
    assert list(User.objects.order_by("pk").values_list("password", flat=True)) == passwords
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_demo_county_shape(settings: Any) -> None:
    _run(settings, demo=True)
    county = County.objects.get(name="示例县")
    units = Unit.objects.filter(county=county)
    townships = units.filter(kind=UnitKind.TOWNSHIP)
    assert townships.count() >= 10
    assert townships.filter(name="城关镇").exists()
    for town in townships:
        assert units.filter(kind=UnitKind.JUSTICE_OFFICE, name=f"{town.name}司法所").exists()
    departments = set(units.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True))
    assert len(departments) >= 12
    for short in ("城市管理局", "市场监督管理局", "生态环境分局", "自然资源和规划局", "住房和城乡建设局", "农业农村局",
                  "应急管理局", "交通运输局", "林业局", "文化广电和旅游局", "卫生健康局", "民政局"):  # fmt: skip
        assert f"示例县{short}" in departments
    for kind in (UnitKind.COUNTY_GOVERNMENT, UnitKind.COMMAND_CENTRE, UnitKind.JUSTICE_BUREAU, UnitKind.POLICE,
                 UnitKind.PROCURATORATE, UnitKind.COURT):  # fmt: skip
        assert units.filter(kind=kind).count() == 1
    assert Section.objects.filter(unit__county=county).exists()
    # every role is held by someone with an account
    for role in Role.values:
        assert RoleAssignment.objects.filter(role=role, person__account__isnull=False).exists(), role
    assert set(User.objects.exclude(admin_role="").values_list("username", "admin_role")) == {
        ("sysadmin", "sysadmin"), ("secadmin", "secadmin"), ("auditadmin", "auditadmin"),
    }  # fmt: skip


@pytest.mark.rule("R-CO-06")
def test_demo_has_exactly_one_liaison_gap(settings: Any) -> None:
    _run(settings, demo=True)
    assert [u.name for u in selectors.liaison_gaps(_sysadmin_view())] == ["示例县民政局"]


@pytest.mark.rule("R-CASE-01")
def test_demo_certificates_and_assistants(settings: Any) -> None:
    _run(settings, demo=True)
    from django.utils import timezone

    today = timezone.localdate()
    certs = list(Certificate.objects.all())
    assert any(c.expires_soon(today) for c in certs)
    assert any(c.is_expired_on(today) for c in certs)
    assert any(c.status == "suspended" for c in certs)
    handler = Person.objects.get(account__username="cgz_handler")
    assert selectors.has_valid_certificate(handler, today)
    assert not selectors.has_valid_certificate(Person.objects.get(account__username="dsx_handler2"), today)
    assistants = selectors.search_people(_sysadmin_view(), selectors.PersonFilters(officer=False))
    assert assistants.filter(post="协管员").count() >= 10
    assert selectors.has_valid_certificate(
        Person.objects.get(account__username="cgz_handler2"), today + timedelta(days=5)
    )


@pytest.mark.rule("R-CAT-07")
def test_demo_credit_codes_and_subject_reviews(settings: Any) -> None:
    _run(settings, demo=True)
    for unit in Unit.objects.exclude(credit_code=""):
        assert check_credit_code(unit.credit_code).ok == (unit.credit_code_override_reason == ""), unit.name
    assert Unit.objects.exclude(credit_code_override_reason="").count() == 1
    from django.utils import timezone

    due = {
        u.name for u in selectors.enforcement_subjects(_sysadmin_view(), timezone.localdate(), due_only=True)
    }
    assert due == {"松岭乡", "示例县林业局"}


def test_demo_mode_prints_names_and_password_and_sign_in_works(settings: Any) -> None:
    out = _run(settings, demo=True)
    assert "cgz_leader" in out and DEMO_PASSWORD in out and "TOTP" in out
    response = Client().post("/accounts/login/", {"username": "cgz_leader", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert not User.objects.get(username="cgz_leader").must_change_password


def test_without_demo_mode_no_known_password_is_set(settings: Any) -> None:
    out = _run(settings, demo=False)
    assert DEMO_PASSWORD not in out
    assert "不设置公开的演示密码" in out
    assert not any(u.has_usable_password() for u in User.objects.all())
    # switching demo mode on later gives those accounts the demo password
    out = _run(settings, demo=True)
    assert DEMO_PASSWORD in out
    assert all(u.has_usable_password() and not u.must_change_password for u in User.objects.all())
