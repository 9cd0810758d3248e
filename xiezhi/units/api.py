"""/api/v1/units/: units, sections, people, roles, account membership, liaisons, certificates and
enforcement subjects. Errors are XiezhiError subclasses rendered as the envelope by the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from xiezhi.core.api import actor
from xiezhi.core.pagination import paginate
from xiezhi.units import access, selectors, services
from xiezhi.units.models import Role
from xiezhi.units.schemas import (
    AccountLink,
    AccountOut,
    CertificateCreate,
    CertificateOut,
    CertificatePage,
    CertificateStatusChange,
    CertificateUpdate,
    GapOut,
    LiaisonOut,
    PersonCreate,
    PersonOut,
    PersonPage,
    PersonUpdate,
    Reason,
    RoleGrant,
    RoleOut,
    SectionCreate,
    SectionOut,
    UnitCreate,
    UnitOut,
    UnitPage,
    UnitUpdate,
    UnmaskedPhoneOut,
    certificate_out,
    person_out,
    unit_out,
)

router = Router(tags=["单位与人员 units"])


def _page(qs: Any, page: int, page_size: int, out: Any) -> dict[str, Any]:
    result = paginate(qs, page, page_size)
    return {
        "items": [out(o) for o in result.items],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }


# --- units --------------------------------------------------------------------------------------


@router.get("/", response=UnitPage, summary="单位列表")
def list_units(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    active: bool | None = None,
    is_enforcement_subject: bool | None = None,
    parent_id: int | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    filters = selectors.UnitFilters(
        q=q.strip(),
        kind=kind,
        active=active,
        is_enforcement_subject=is_enforcement_subject,
        parent_id=parent_id,
    )
    return _page(selectors.search_units(a, filters), page, page_size, unit_out)


@router.post("/", response={201: UnitOut}, summary="新建单位（系统管理员）")
def create_unit(request: HttpRequest, payload: UnitCreate) -> Status[dict[str, Any]]:
    unit = services.create_unit(actor(request), payload.model_dump())
    return Status(201, unit_out(unit))


@router.get("/enforcement-subjects", response=UnitPage, summary="执法主体名单（due=true 仅列出逾期未复核的）")
def list_enforcement_subjects(
    request: HttpRequest, due: bool = False, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    today = timezone.localdate()
    return _page(selectors.enforcement_subjects(a, today, due_only=due), page, page_size, unit_out)


@router.get("/liaisons", response=list[LiaisonOut], summary="联络员名单")
def list_liaisons(request: HttpRequest) -> list[dict[str, Any]]:
    a = actor(request)
    access.require_read(a)
    return [
        {
            "unit_id": p.unit_id,
            "unit_name": p.unit.name,
            "unit_kind_label": p.unit.get_kind_display(),
            "person": person_out(p),
        }
        for p in selectors.liaisons(a)
    ]


@router.get("/liaisons/gaps", response=list[GapOut], summary="未明确联络员的乡镇和部门")
def list_liaison_gaps(request: HttpRequest) -> list[dict[str, Any]]:
    a = actor(request)
    access.require_read(a)
    return [
        {"unit_id": u.pk, "unit_name": u.name, "unit_kind": u.kind, "unit_kind_label": u.get_kind_display()}
        for u in selectors.liaison_gaps(a)
    ]


# --- people -------------------------------------------------------------------------------------


@router.get("/people", response=PersonPage, summary="人员列表（电话已脱敏）")
def list_people(
    request: HttpRequest,
    q: str = "",
    unit_id: int | None = None,
    role: str = "",
    active: bool | None = None,
    officer: bool | None = None,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    filters = selectors.PersonFilters(q=q.strip(), unit_id=unit_id, role=role, active=active, officer=officer)
    return _page(selectors.search_people(a, filters), page, page_size, person_out)


@router.post("/people", response={201: PersonOut}, summary="新建人员（系统管理员）")
def create_person(request: HttpRequest, payload: PersonCreate) -> Status[dict[str, Any]]:
    a = actor(request)
    person = services.create_person(a, payload.model_dump())
    return Status(201, _person(a, person.pk))


def _person(a: Any, pk: int) -> dict[str, Any]:
    access.access_person(a, pk)
    return person_out(selectors.people_for_listing(a).get(pk=pk))


@router.get("/people/{int:person_id}", response=PersonOut, summary="人员详情（电话已脱敏）")
def get_person(request: HttpRequest, person_id: int) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    return _person(a, person_id)


@router.patch("/people/{int:person_id}", response=PersonOut, summary="修改人员（系统管理员）")
def update_person(request: HttpRequest, person_id: int, payload: PersonUpdate) -> dict[str, Any]:
    a = actor(request)
    services.update_person(a, person_id, payload.model_dump(exclude_unset=True))
    return _person(a, person_id)


@router.post("/people/{int:person_id}/deactivate", response=PersonOut, summary="人员离岗停用（系统管理员）")
def deactivate_person(request: HttpRequest, person_id: int, payload: Reason) -> dict[str, Any]:
    a = actor(request)
    services.set_person_active(a, person_id, False, payload.reason)
    return _person(a, person_id)


@router.post("/people/{int:person_id}/activate", response=PersonOut, summary="人员恢复在岗（系统管理员）")
def activate_person(request: HttpRequest, person_id: int, payload: Reason) -> dict[str, Any]:
    a = actor(request)
    services.set_person_active(a, person_id, True, payload.reason)
    return _person(a, person_id)


@router.post(
    "/people/{int:person_id}/unmasked", response=UnmaskedPhoneOut, summary="查看完整联系电话（留痕）"
)
def unmasked_phone(request: HttpRequest, person_id: int) -> dict[str, Any]:
    a = actor(request)
    phone = services.reveal_phone(a, person_id)
    person = access.access_person(a, person_id)
    return {"id": person.pk, "name": person.name, "phone": phone}


@router.post("/people/{int:person_id}/roles", response={201: RoleOut}, summary="授予业务角色（安全管理员）")
def grant_role(request: HttpRequest, person_id: int, payload: RoleGrant) -> Status[dict[str, Any]]:
    services.grant_role(actor(request), person_id, payload.role)
    return Status(201, {"person_id": person_id, "role": payload.role, "role_label": Role(payload.role).label})


@router.delete(
    "/people/{int:person_id}/roles/{role}", response={204: None}, summary="撤销业务角色（安全管理员）"
)
def revoke_role(request: HttpRequest, person_id: int, role: str, reason: str = "") -> Status[None]:
    services.revoke_role(actor(request), person_id, role, reason)
    return Status(204, None)


@router.put("/people/{int:person_id}/account", response=AccountOut, summary="关联登录账号（系统管理员）")
def link_account(request: HttpRequest, person_id: int, payload: AccountLink) -> dict[str, Any]:
    user = services.link_account(actor(request), person_id, payload.username)
    return {"person_id": person_id, "username": user.get_username()}


@router.delete(
    "/people/{int:person_id}/account", response={204: None}, summary="解除登录账号关联（系统管理员）"
)
def unlink_account(request: HttpRequest, person_id: int) -> Status[None]:
    services.unlink_account(actor(request), person_id)
    return Status(204, None)


# --- certificates -------------------------------------------------------------------------------


@router.get("/certificates", response=CertificatePage, summary="执法证列表（valid_on=日期 仅列出当日有效的）")
def list_certificates(
    request: HttpRequest,
    q: str = "",
    holder_id: int | None = None,
    unit_id: int | None = None,
    status: str = "",
    valid_on: date | None = None,
    expiring: bool = False,
    expired: bool = False,
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    filters = selectors.CertificateFilters(
        q=q.strip(),
        holder_id=holder_id,
        unit_id=unit_id,
        status=status,
        valid_on=valid_on,
        expiring=expiring,
        expired=expired,
    )
    return _page(selectors.search_certificates(a, filters), page, page_size, certificate_out)


@router.post("/certificates", response={201: CertificateOut}, summary="登记执法证（系统管理员）")
def create_certificate(request: HttpRequest, payload: CertificateCreate) -> Status[dict[str, Any]]:
    cert = services.create_certificate(actor(request), payload.model_dump())
    return Status(201, certificate_out(cert))


@router.get("/certificates/{int:cert_id}", response=CertificateOut, summary="执法证详情")
def get_certificate(request: HttpRequest, cert_id: int) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    return certificate_out(access.access_certificate(a, cert_id))


@router.patch("/certificates/{int:cert_id}", response=CertificateOut, summary="修改执法证（系统管理员）")
def update_certificate(request: HttpRequest, cert_id: int, payload: CertificateUpdate) -> dict[str, Any]:
    a = actor(request)
    services.update_certificate(a, cert_id, payload.model_dump(exclude_unset=True))
    return certificate_out(access.access_certificate(a, cert_id))


@router.post(
    "/certificates/{int:cert_id}/status",
    response=CertificateOut,
    summary="暂扣、恢复或注销执法证（系统管理员）",
)
def change_certificate_status(
    request: HttpRequest, cert_id: int, payload: CertificateStatusChange
) -> dict[str, Any]:
    a = actor(request)
    services.change_certificate_status(a, cert_id, payload.action, payload.reason)
    return certificate_out(access.access_certificate(a, cert_id))


# --- one unit (after the fixed paths above) ------------------------------------------------------


@router.get("/{int:unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    a = actor(request)
    access.require_read(a)
    return unit_out(access.access_unit(a, unit_id))


@router.patch("/{int:unit_id}", response=UnitOut, summary="修改单位（系统管理员）")
def update_unit(request: HttpRequest, unit_id: int, payload: UnitUpdate) -> dict[str, Any]:
    a = actor(request)
    services.update_unit(a, unit_id, payload.model_dump(exclude_unset=True))
    return unit_out(access.access_unit(a, unit_id))


@router.post("/{int:unit_id}/deactivate", response=UnitOut, summary="停用单位（系统管理员）")
def deactivate_unit(request: HttpRequest, unit_id: int, payload: Reason) -> dict[str, Any]:
    return unit_out(services.set_unit_active(actor(request), unit_id, False, payload.reason))


@router.post("/{int:unit_id}/activate", response=UnitOut, summary="启用单位（系统管理员）")
def activate_unit(request: HttpRequest, unit_id: int, payload: Reason) -> dict[str, Any]:
    return unit_out(services.set_unit_active(actor(request), unit_id, True, payload.reason))


@router.get("/{int:unit_id}/sections", response=list[SectionOut], summary="内设机构列表")
def list_sections(request: HttpRequest, unit_id: int) -> list[dict[str, Any]]:
    a = actor(request)
    access.require_read(a)
    unit = access.access_unit(a, unit_id)
    return [{"id": s.pk, "unit_id": s.unit_id, "name": s.name} for s in unit.sections.order_by("name")]


@router.post("/{int:unit_id}/sections", response={201: SectionOut}, summary="新建内设机构（系统管理员）")
def create_section(request: HttpRequest, unit_id: int, payload: SectionCreate) -> Status[dict[str, Any]]:
    section = services.create_section(actor(request), unit_id, payload.name)
    return Status(201, {"id": section.pk, "unit_id": section.unit_id, "name": section.name})


@router.delete("/sections/{int:section_id}", response={204: None}, summary="删除内设机构（系统管理员）")
def delete_section(request: HttpRequest, section_id: int) -> Status[None]:
    services.delete_section(actor(request), section_id)
    return Status(204, None)
