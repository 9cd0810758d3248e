"""Who may do what with the catalogue, and lookups by id (the same 404 for missing and invisible).

- Reading: any business user of the county (the catalogue is public anyway; the signed-in pages
  show drafts too). Administrators (三员) do not act in business and are refused.
- Managing drafts (create, edit devolutions, add matters, import, subject list): the county-wide
  units — county government, justice bureau, command centre — by a leader, handler or legal reviewer.
- Approving and publishing: a leader of the county government (issue 5 §3).
- A matter's legal basis and notes: managers, or the owning department (R-CAT-05).
- Entrustment letters: managers, or the entrusting department's leader or liaison.
"""

from __future__ import annotations

from typing import Literal

from xiezhi.catalogue.models import CatalogueVersion, Devolution, Entrustment, ImportJob, Matter
from xiezhi.core.actor import COUNTY_WIDE_KINDS, Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied
from xiezhi.units.models import UnitKind

MANAGER_ROLES = ("leader", "handler", "legal_reviewer")
DEPARTMENT_EDITOR_ROLES = ("leader", "liaison", "handler")
ENTRUSTMENT_ROLES = ("leader", "liaison")

Action = Literal["view", "change", "publish"]


def require_reader(actor: Actor) -> int:
    """The county the actor reads; refuses anonymous users and administrators."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not actor.can_act_in_business or actor.county_id is None:
        raise PermissionDenied("管理员账号不办理执法业务，不能查看或维护事项清单")
    return actor.county_id


def can_manage(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind in COUNTY_WIDE_KINDS
        and actor.has_role(*MANAGER_ROLES)
    )


def can_approve(actor: Actor) -> bool:
    return (
        actor.can_act_in_business
        and actor.unit is not None
        and actor.unit.kind == UnitKind.COUNTY_GOVERNMENT
        and actor.has_role("leader")
    )


def can_edit_matter(actor: Actor, matter: Matter) -> bool:
    if can_manage(actor):
        return True
    return actor.unit_id == matter.department_id and actor.has_role(*DEPARTMENT_EDITOR_ROLES)


def can_manage_entrustments_of(actor: Actor, department_id: int) -> bool:
    if can_manage(actor):
        return True
    return actor.unit_id == department_id and actor.has_role(*ENTRUSTMENT_ROLES)


def can_issue_entrustments(actor: Actor) -> bool:
    return can_manage(actor) or (
        actor.unit is not None
        and actor.unit.kind == UnitKind.DEPARTMENT
        and actor.has_role(*ENTRUSTMENT_ROLES)
    )


def require_manager(actor: Actor) -> int:
    county_id = require_reader(actor)
    if not can_manage(actor):
        raise PermissionDenied("事项清单由县政府、司法局或指挥中心的负责人、承办人或法制审核人员维护")
    return county_id


def require_approver(actor: Actor) -> int:
    county_id = require_reader(actor)
    if not can_approve(actor):
        raise PermissionDenied("事项目录须经县人民政府负责人批准后公布")
    return county_id


def access_matter(actor: Actor, pk: int, action: Action = "view") -> Matter:
    county_id = require_reader(actor)
    matter = Matter.objects.select_related("department", "county").filter(pk=pk, county_id=county_id).first()
    if matter is None:
        raise NotFound("事项不存在或您无权访问")
    if action != "view" and not can_edit_matter(actor, matter):
        raise PermissionDenied("只有主管部门或事项清单维护人员可以修改该事项")
    return matter


def access_version(actor: Actor, pk: int, action: Action = "view") -> CatalogueVersion:
    county_id = require_reader(actor)
    version = (
        CatalogueVersion.objects.select_related("approved_by", "created_by")
        .filter(pk=pk, county_id=county_id)
        .first()
    )
    if version is None:
        raise NotFound("目录版本不存在或您无权访问")
    if action == "change":
        require_manager(actor)
    elif action == "publish":
        require_approver(actor)
    return version


def access_devolution(actor: Actor, pk: int, action: Action = "view") -> Devolution:
    county_id = require_reader(actor)
    devolution = (
        Devolution.objects.select_related("version", "matter", "township", "entrustment")
        .filter(pk=pk, version__county_id=county_id)
        .first()
    )
    if devolution is None:
        raise NotFound("下放安排不存在或您无权访问")
    if action != "view":
        require_manager(actor)
    return devolution


def access_entrustment(actor: Actor, pk: int, action: Action = "view") -> Entrustment:
    county_id = require_reader(actor)
    entrustment = (
        Entrustment.objects.select_related("department", "township", "county")
        .filter(pk=pk, county_id=county_id)
        .first()
    )
    if entrustment is None:
        raise NotFound("委托书不存在或您无权访问")
    if action != "view" and not can_manage_entrustments_of(actor, entrustment.department_id):
        raise PermissionDenied("只有委托机关的负责人、联络员或事项清单维护人员可以修改委托书")
    return entrustment


def access_import(actor: Actor, pk: int) -> ImportJob:
    county_id = require_reader(actor)
    job = ImportJob.objects.filter(pk=pk, county_id=county_id).first()
    if job is None or (
        job.created_by_id != (actor.user.pk if actor.user else None) and not can_manage(actor)
    ):
        raise NotFound("导入任务不存在或您无权访问")
    return job
