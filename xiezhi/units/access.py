"""Who may do what with units, people, roles and certificates, and lookups by id.

Kept deliberately simple (see README): the system administrator manages units, sections, people,
certificates and accounts' unit membership; the security administrator grants and revokes business
roles; business users read their own county's directory; the audit administrator reads none of it.
Every lookup by id raises the same NotFound for "missing" and "not visible".
"""

from __future__ import annotations

from typing import Literal

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.units.models import DIRECTORY_ADMIN_ROLES, Certificate, Person, Section, Unit

SYSADMIN = "sysadmin"
SECADMIN = "secadmin"

Action = Literal["view", "change", "roles"]


def can_read(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.can_act_in_business or actor.admin_role in DIRECTORY_ADMIN_ROLES)


def can_manage_directory(actor: Actor) -> bool:
    """Units, sections, people, certificates and account membership."""
    return actor.admin_role == SYSADMIN


def can_manage_roles(actor: Actor) -> bool:
    return actor.admin_role == SECADMIN


def require_read(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not can_read(actor):
        raise PermissionDenied("您无权查看单位与人员信息")


def require_manage_directory(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not can_manage_directory(actor):
        raise PermissionDenied("单位、人员和执法证信息仅限系统管理员维护")


def require_manage_roles(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not can_manage_roles(actor):
        raise PermissionDenied("业务角色仅限安全管理员授予或撤销")


def _check_action(actor: Actor, action: Action) -> None:
    if action == "change":
        require_manage_directory(actor)
    elif action == "roles":
        require_manage_roles(actor)


def access_unit(actor: Actor, pk: int, action: Action = "view") -> Unit:
    unit = Unit.objects.visible_to(actor).select_related("county", "parent").filter(pk=pk).first()
    if unit is None:
        raise NotFound("单位不存在或您无权访问")
    _check_action(actor, action)
    return unit


def access_section(actor: Actor, pk: int, action: Action = "view") -> Section:
    section = (
        Section.objects.select_related("unit").filter(pk=pk, unit__in=Unit.objects.visible_to(actor)).first()
    )
    if section is None:
        raise NotFound("内设机构不存在或您无权访问")
    _check_action(actor, action)
    return section


def access_person(actor: Actor, pk: int, action: Action = "view") -> Person:
    person = (
        Person.objects.visible_to(actor)
        .select_related("unit", "section", "unit__county")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFound("人员不存在或您无权访问")
    _check_action(actor, action)
    return person


def access_certificate(actor: Actor, pk: int, action: Action = "view") -> Certificate:
    cert = (
        Certificate.objects.visible_to(actor).select_related("holder", "holder__unit").filter(pk=pk).first()
    )
    if cert is None:
        raise NotFound("执法证不存在或您无权访问")
    _check_action(actor, action)
    return cert
