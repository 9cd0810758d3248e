"""Test data builders shared by every app's tests. Real rows in the real database — no mocks."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from xiezhi.accounts.actors import actor_for
from xiezhi.accounts.models import User
from xiezhi.core.actor import Actor
from xiezhi.units.models import Certificate, County, Person, RoleAssignment, Unit, UnitKind

PASSWORD = "Xz-test-2025!"
_seq = itertools.count(1)


def make_county(name: str = "示例县", code: str = "330183") -> County:
    county, _ = County.objects.get_or_create(code=code, defaults={"name": name})
    return county


def make_unit(name: str, kind: str, county: County | None = None, parent: Unit | None = None, code: str | None = None,
              **extra: object) -> Unit:
    county = county or make_county()
    if extra.get("is_enforcement_subject"):
        # The units model requires a legal basis for an enforcement subject (R-CAT-07).
        extra.setdefault("subject_legal_basis", "《示例省赋予乡镇（街道）行政执法权事项目录》")
    return Unit.objects.create(county=county, name=name, kind=kind, parent=parent,
                               code=code or f"U{next(_seq):05d}", **extra)


def make_person(unit: Unit, name: str | None = None, roles: tuple[str, ...] = (), *, account: bool = True,
                username: str | None = None, admin_role: str = "") -> Person:
    person = Person.objects.create(unit=unit, name=name or f"测试人员{next(_seq)}", post="科员", phone="13812345678")
    for role in roles:
        RoleAssignment.objects.create(person=person, role=role)
    if account:
        make_user(username or f"user{person.pk}", person=person, admin_role=admin_role)
    return person


def make_user(username: str, person: Person | None = None, admin_role: str = "", password: str = PASSWORD) -> User:
    user = User(username=username, person=person, admin_role=admin_role, must_change_password=False,
                password_changed_at=timezone.now())
    user.set_password(password)
    user.save()
    return user


def make_certificate(person: Person, valid_to: date | None = None, valid_from: date | None = None,
                     **extra: object) -> Certificate:
    today = timezone.localdate()
    return Certificate.objects.create(
        number=f"CERT{next(_seq):06d}", holder=person, issuing_authority="示例县人民政府", fields="城市管理",
        valid_from=valid_from or today - timedelta(days=365), valid_to=valid_to or today + timedelta(days=365),
        **extra)


def actor_of(person_or_user: Person | User) -> Actor:
    user = person_or_user if isinstance(person_or_user, User) else person_or_user.account
    return actor_for(user, "127.0.0.1")


@dataclass
class Personas:
    """The personas of the authorisation matrix (issue 3 §4)."""

    county: County
    government: Unit
    command_centre: Unit
    justice_bureau: Unit
    township: Unit
    other_township: Unit
    justice_office: Unit
    department: Unit
    township_handler: Person
    township_leader: Person
    other_township_handler: Person
    department_liaison: Person
    department_leader: Person
    justice_office_supervisor: Person
    dispatcher: Person
    sysadmin: User
    secadmin: User
    auditadmin: User
    outsider: Person

    def actor(self, who: str) -> Actor:
        return actor_of(getattr(self, who))


def make_personas() -> Personas:
    county = make_county()
    gov = make_unit("示例县人民政府", UnitKind.COUNTY_GOVERNMENT, county, code="GOV")
    cc = make_unit("示例县综合行政执法指挥中心", UnitKind.COMMAND_CENTRE, county, parent=gov, code="CC")
    jb = make_unit("示例县司法局", UnitKind.JUSTICE_BUREAU, county, parent=gov, code="JB")
    town = make_unit("城关镇", UnitKind.TOWNSHIP, county, parent=gov, code="T01", is_enforcement_subject=True)
    other = make_unit("河西镇", UnitKind.TOWNSHIP, county, parent=gov, code="T02", is_enforcement_subject=True)
    office = make_unit("城关镇司法所", UnitKind.JUSTICE_OFFICE, county, parent=jb, code="JO01")
    dept = make_unit("示例县城市管理局", UnitKind.DEPARTMENT, county, parent=gov, code="D01", is_enforcement_subject=True)
    other_county = make_county("邻县", "330184")
    outsider_unit = make_unit("邻县城关镇", UnitKind.TOWNSHIP, other_county, code="X01")
    return Personas(
        county=county, government=gov, command_centre=cc, justice_bureau=jb, township=town, other_township=other,
        justice_office=office, department=dept,
        township_handler=make_person(town, "张承办", ("handler",), username="t_handler"),
        township_leader=make_person(town, "李镇长", ("leader",), username="t_leader"),
        other_township_handler=make_person(other, "王承办", ("handler",), username="o_handler"),
        department_liaison=make_person(dept, "赵联络", ("liaison", "handler"), username="d_liaison"),
        department_leader=make_person(dept, "钱局长", ("leader",), username="d_leader"),
        justice_office_supervisor=make_person(office, "孙所长", ("supervisor",), username="jo_supervisor"),
        dispatcher=make_person(cc, "周调度", ("dispatcher",), username="cc_dispatcher"),
        sysadmin=make_user("sysadmin", admin_role="sysadmin"),
        secadmin=make_user("secadmin", admin_role="secadmin"),
        auditadmin=make_user("auditadmin", admin_role="auditadmin"),
        outsider=make_person(outsider_unit, "吴外县", ("handler", "leader"), username="outsider"),
    )
