"""Services: validation with Chinese field errors, audit rows in the same transaction, nothing
written on error, and who may write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.testing.factories import Personas, make_certificate, make_person, make_user
from xiezhi.units import services
from xiezhi.units.models import Certificate, CertificateStatus, Person, RoleAssignment, Unit
from xiezhi.units.tests.helpers import audit_actions, snapshot

VALID_CODE = "91330183MA2B3C4D1H"  # LAW.md rule 59, self-constructed valid code
BAD_CHECK = "91330183MA2B3C4D1J"  # same with a wrong check character


def _unit_data(**extra: Any) -> dict[str, Any]:
    return {"code": "D99", "name": "示例县水利局", "kind": "department", **extra}


# --- units --------------------------------------------------------------------------------------


def test_create_unit_is_audited(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    unit = services.create_unit(sysadmin, _unit_data(county_id=personas.county.pk, parent_id=personas.government.pk,
                                                     credit_code=VALID_CODE.lower()))  # fmt: skip
    assert unit.credit_code == VALID_CODE
    event = AuditEvent.objects.get(action="unit.create")
    assert event.target_id == str(unit.pk)
    assert (event.after or {})["code"] == "D99"
    assert event.actor_user_id == personas.sysadmin.pk


def test_duplicate_unit_code_is_refused_and_nothing_written(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.create_unit(personas.actor("sysadmin"), _unit_data(code="T01", county_id=personas.county.pk))
    assert exc.value.details["code"] == ["单位编码“T01”已被其他单位使用"]
    assert exc.value.status == 422
    assert snapshot() == before


def test_duplicate_name_in_county_and_missing_fields_are_reported_together(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.create_unit(personas.actor("sysadmin"), {"code": "", "name": "城关镇", "kind": "nonsense",
                                                          "county_id": personas.county.pk})  # fmt: skip
    details = exc.value.details
    assert details["code"] == ["请填写单位编码"]
    assert details["name"] == ["本县已有名为“城关镇”的单位"]
    assert details["kind"][0].startswith("单位类型“nonsense”无效")
    assert snapshot() == before


def test_invalid_credit_code_is_a_chinese_field_error(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.create_unit(
            personas.actor("sysadmin"), _unit_data(county_id=personas.county.pk, credit_code=BAD_CHECK)
        )
    message = exc.value.details["credit_code"][0]
    assert message.startswith("校验码错误")
    assert "说明" in message
    assert snapshot() == before


@pytest.mark.rule("R-CAT-07")
def test_credit_code_override_is_recorded_and_audited(personas: Personas) -> None:
    reason = "与法人证书原件一致，已向登记机关核实"
    unit = services.create_unit(
        personas.actor("sysadmin"),
        _unit_data(county_id=personas.county.pk, credit_code=BAD_CHECK, credit_code_override_reason=reason),
    )
    unit.refresh_from_db()
    assert (unit.credit_code, unit.credit_code_override_reason) == (BAD_CHECK, reason)
    override = AuditEvent.objects.get(action="unit.credit_code_override")
    assert override.reason == reason
    assert override.target_id == str(unit.pk)
    assert "校验码错误" in (override.after or {})["check"]
    # Correcting the code later clears the reason, without a new override event.
    services.update_unit(personas.actor("sysadmin"), unit.pk, {"credit_code": VALID_CODE})
    unit.refresh_from_db()
    assert (unit.credit_code, unit.credit_code_override_reason) == (VALID_CODE, "")
    assert audit_actions().count("unit.credit_code_override") == 1


def test_a_credit_code_of_the_wrong_length_cannot_be_overridden(personas: Personas) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.create_unit(personas.actor("sysadmin"), _unit_data(county_id=personas.county.pk,
                             credit_code="9133018", credit_code_override_reason="原件如此"))  # fmt: skip
    assert exc.value.details["credit_code"] == ["统一社会信用代码应为18位"]


@pytest.mark.rule("R-CAT-07")
def test_enforcement_subject_needs_legal_basis_and_review_date(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.update_unit(
            personas.actor("sysadmin"), personas.command_centre.pk, {"is_enforcement_subject": True}
        )
    assert exc.value.details["subject_legal_basis"] == ["具有执法主体资格的单位须写明法律依据"]
    assert exc.value.details["subject_review_date"] == ["请填写主体资格最近一次审核的日期"]
    assert snapshot() == before
    today = timezone.localdate()
    services.update_unit(personas.actor("sysadmin"), personas.command_centre.pk, {
        "is_enforcement_subject": True, "subject_legal_basis": "《示例县综合行政执法改革方案》", "subject_review_date": today,
    })  # fmt: skip
    event = AuditEvent.objects.get(action="unit.update")
    assert event.before == {
        "is_enforcement_subject": False,
        "subject_legal_basis": "",
        "subject_review_date": None,
    }
    assert (event.after or {})["subject_review_date"] == today.isoformat()


def test_update_without_change_writes_nothing(personas: Personas) -> None:
    before = snapshot()
    services.update_unit(personas.actor("sysadmin"), personas.township.pk, {"name": personas.township.name})
    assert snapshot() == before


def test_parent_cycle_and_county_change_are_refused(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    with pytest.raises(ValidationFailed) as exc:
        services.update_unit(sysadmin, personas.government.pk, {"parent_id": personas.township.pk})
    assert exc.value.details["parent_id"] == ["上级单位不能是本单位或其下级单位"]
    with pytest.raises(ValidationFailed) as exc:
        services.update_unit(sysadmin, personas.township.pk, {"county_id": personas.outsider.unit.county_id})
    assert exc.value.details["county_id"] == ["单位的所属县不能更改"]


def test_deactivating_a_unit_with_people_is_a_conflict(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(Conflict, match="仍有在岗人员"):
        services.set_unit_active(personas.actor("sysadmin"), personas.township.pk, False)
    assert snapshot() == before
    empty = Unit.objects.create(county=personas.county, code="E1", name="空单位", kind="department")
    services.set_unit_active(personas.actor("sysadmin"), empty.pk, False, "机构撤并")
    with pytest.raises(Conflict, match="已停用"):
        services.set_unit_active(personas.actor("sysadmin"), empty.pk, False)
    assert AuditEvent.objects.get(action="unit.deactivate").reason == "机构撤并"


@pytest.mark.parametrize("who", ["township_leader", "dispatcher", "secadmin", "auditadmin"])
def test_only_the_system_administrator_writes_units(personas: Personas, who: str) -> None:
    before = snapshot()
    with pytest.raises((PermissionDenied, NotFound)):
        services.create_unit(personas.actor(who), _unit_data(county_id=personas.county.pk))
    with pytest.raises((PermissionDenied, NotFound)):
        services.update_unit(personas.actor(who), personas.township.pk, {"name": "改名镇"})
    assert snapshot() == before


def test_outsider_cannot_even_see_the_unit(personas: Personas) -> None:
    with pytest.raises(NotFound):
        services.update_unit(personas.actor("outsider"), personas.township.pk, {"name": "改名镇"})


# --- sections -----------------------------------------------------------------------------------


def test_sections_are_created_and_deleted_with_audit(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    section = services.create_section(sysadmin, personas.township.pk, "综合行政执法队")
    with pytest.raises(ValidationFailed):
        services.create_section(sysadmin, personas.township.pk, "综合行政执法队")
    services.update_person(sysadmin, personas.township_handler.pk, {"section_id": section.pk})
    with pytest.raises(Conflict):
        services.delete_section(sysadmin, section.pk)
    services.update_person(sysadmin, personas.township_handler.pk, {"section_id": None})
    services.delete_section(sysadmin, section.pk)
    assert audit_actions() == ["section.create", "person.update", "person.update", "section.delete"]


# --- people -------------------------------------------------------------------------------------


def test_create_person_validates_and_normalises_phone(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.create_person(sysadmin, {"unit_id": personas.township.pk, "name": "", "phone": "12345"})
    assert exc.value.details["name"] == ["请填写姓名"]
    assert "phone" in exc.value.details
    assert snapshot() == before
    person = services.create_person(
        sysadmin, {"unit_id": personas.township.pk, "name": "郑新", "phone": "138 1234 5678"}
    )
    assert person.phone == "13812345678"
    event = AuditEvent.objects.get(action="person.create")
    assert (event.after or {})["phone"] == "138****5678"  # personal data masked in the audit trail


def test_section_must_belong_to_the_persons_unit(personas: Personas) -> None:
    other = services.create_section(personas.actor("sysadmin"), personas.department.pk, "法制科")
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(
            personas.actor("sysadmin"), personas.township_handler.pk, {"section_id": other.pk}
        )
    assert exc.value.details["section_id"] == ["内设机构须属于所选单位"]


def test_moving_a_person_to_a_unit_that_does_not_fit_their_roles_is_refused(personas: Personas) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.update_person(
            personas.actor("sysadmin"), personas.dispatcher.pk, {"unit_id": personas.township.pk}
        )
    assert "指挥调度员" in exc.value.details["unit_id"][0]
    assert snapshot() == before


def test_deactivate_and_reactivate_person(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    services.set_person_active(sysadmin, personas.township_handler.pk, False, "调离")
    assert not Person.objects.get(pk=personas.township_handler.pk).active
    with pytest.raises(Conflict):
        services.set_person_active(sysadmin, personas.township_handler.pk, False)
    services.set_person_active(sysadmin, personas.township_handler.pk, True)
    assert audit_actions() == ["person.deactivate", "person.activate"]


def test_reveal_phone_is_audited(personas: Personas) -> None:
    phone = services.reveal_phone(personas.actor("township_leader"), personas.department_liaison.pk)
    assert phone == "13812345678"
    event = AuditEvent.objects.get(action="person.view_unmasked")
    assert event.target_id == str(personas.department_liaison.pk)
    assert event.actor_user_id == personas.township_leader.account.pk


def test_reveal_phone_outside_the_county_is_not_found_and_not_audited(personas: Personas) -> None:
    with pytest.raises(NotFound):
        services.reveal_phone(personas.actor("outsider"), personas.department_liaison.pk)
    with pytest.raises(PermissionDenied):
        services.reveal_phone(personas.actor("auditadmin"), personas.department_liaison.pk)
    assert not AuditEvent.objects.filter(action="person.view_unmasked").exists()


def test_account_membership_is_managed_by_the_sysadmin(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    person = make_person(personas.township, "新人", account=False)
    make_user("new_user")
    with pytest.raises(ValidationFailed, match="管理员账号"):
        services.link_account(sysadmin, person.pk, "secadmin")
    with pytest.raises(ValidationFailed, match="已关联其他人员"):
        services.link_account(sysadmin, person.pk, "t_handler")
    user = services.link_account(sysadmin, person.pk, "new_user")
    assert user.person_id == person.pk
    services.unlink_account(sysadmin, person.pk)
    user.refresh_from_db()
    assert user.person_id is None
    assert audit_actions() == ["account.membership", "account.membership"]
    with pytest.raises(PermissionDenied):
        services.link_account(personas.actor("secadmin"), person.pk, "new_user")


# --- roles --------------------------------------------------------------------------------------


def test_security_administrator_grants_and_revokes_roles(personas: Personas) -> None:
    secadmin = personas.actor("secadmin")
    services.grant_role(secadmin, personas.township_handler.pk, "liaison")
    assert set(personas.township_handler.roles.values_list("role", flat=True)) == {"handler", "liaison"}
    with pytest.raises(Conflict, match="已担任联络员"):
        services.grant_role(secadmin, personas.township_handler.pk, "liaison")
    services.revoke_role(secadmin, personas.township_handler.pk, "liaison", "岗位调整")
    with pytest.raises(Conflict):
        services.revoke_role(secadmin, personas.township_handler.pk, "liaison")
    assert audit_actions() == ["role.grant", "role.revoke"]
    assert AuditEvent.objects.get(action="role.revoke").reason == "岗位调整"


@pytest.mark.parametrize("who", ["sysadmin", "auditadmin", "township_leader", "department_leader"])
def test_only_the_security_administrator_changes_roles(personas: Personas, who: str) -> None:
    before = snapshot()
    # The audit administrator does not even see the directory: 404 rather than 403.
    with pytest.raises((PermissionDenied, NotFound)):
        services.grant_role(personas.actor(who), personas.township_handler.pk, "leader")
    with pytest.raises((PermissionDenied, NotFound)):
        services.revoke_role(personas.actor(who), personas.township_handler.pk, "handler")
    assert snapshot() == before


def test_role_must_fit_the_unit_and_never_go_to_an_administrator(personas: Personas) -> None:
    secadmin = personas.actor("secadmin")
    before = snapshot()
    with pytest.raises(ValidationFailed, match="监督员角色只能授予"):
        services.grant_role(secadmin, personas.township_handler.pk, "supervisor")
    with pytest.raises(ValidationFailed, match="角色“boss”无效"):
        services.grant_role(secadmin, personas.township_handler.pk, "boss")
    admin_person = make_person(personas.township, "管理员本人", account=False)
    make_user("admin_with_person", person=admin_person, admin_role="sysadmin")
    with pytest.raises(ValidationFailed, match="管理员账号（三员）不能担任业务角色"):
        services.grant_role(secadmin, admin_person.pk, "handler")
    after = snapshot()
    assert after["roles"] == before["roles"]
    assert after["audit"] == before["audit"]


# --- certificates -------------------------------------------------------------------------------


def _cert_data(personas: Personas, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {"number": "浙A00001", "holder_id": personas.township_handler.pk, "issuing_authority": "示例县人民政府",
            "fields": "城市管理", "valid_from": today - timedelta(days=10), "valid_to": today + timedelta(days=700),
            **extra}  # fmt: skip


def test_certificate_validity_must_not_end_before_it_starts(personas: Personas) -> None:
    before = snapshot()
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        services.create_certificate(
            personas.actor("sysadmin"), _cert_data(personas, valid_to=today - timedelta(days=11))
        )
    assert exc.value.details["valid_to"] == ["有效期止不能早于有效期起"]
    assert exc.value.message == "有效期止不能早于有效期起"
    assert snapshot() == before


def test_certificate_create_update_and_status_changes(personas: Personas) -> None:
    sysadmin = personas.actor("sysadmin")
    cert = services.create_certificate(sysadmin, {**_cert_data(personas), "valid_from": "2025-01-01"})
    with pytest.raises(ValidationFailed, match="已登记"):
        services.create_certificate(sysadmin, _cert_data(personas))
    services.update_certificate(sysadmin, cert.pk, {"fields": "城市管理、市场监管"})
    with pytest.raises(ValidationFailed, match="须说明理由"):
        services.change_certificate_status(sysadmin, cert.pk, "suspend")
    services.change_certificate_status(sysadmin, cert.pk, "suspend", "涉嫌违纪")
    services.change_certificate_status(sysadmin, cert.pk, "reinstate")
    services.change_certificate_status(sysadmin, cert.pk, "cancel", "调离执法岗位")
    with pytest.raises(Conflict, match="注销"):
        services.change_certificate_status(sysadmin, cert.pk, "reinstate")
    assert Certificate.objects.get(pk=cert.pk).status == CertificateStatus.CANCELLED
    assert audit_actions() == [
        "certificate.create", "certificate.update", "certificate.suspend", "certificate.reinstate", "certificate.cancel",
    ]  # fmt: skip


def test_concurrent_status_change_is_a_conflict(personas: Personas) -> None:
    cert = make_certificate(personas.township_handler)
    stale = Certificate.objects.get(pk=cert.pk)
    Certificate.objects.filter(pk=cert.pk).update(status=CertificateStatus.SUSPENDED)
    # The service re-reads the row, so a stale caller sees the current state's rule.
    with pytest.raises(Conflict):
        services.change_certificate_status(personas.actor("sysadmin"), stale.pk, "suspend", "重复操作")


def test_business_users_cannot_write_certificates(personas: Personas) -> None:
    cert = make_certificate(personas.township_handler)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.create_certificate(personas.actor("township_leader"), _cert_data(personas))
    with pytest.raises(PermissionDenied):
        services.change_certificate_status(
            personas.actor("justice_office_supervisor"), cert.pk, "suspend", "x"
        )
    with pytest.raises(NotFound):
        services.update_certificate(personas.actor("outsider"), cert.pk, {"fields": "x"})
    assert snapshot() == before


def test_role_assignment_rows_match_the_grants(personas: Personas) -> None:
    services.grant_role(personas.actor("secadmin"), personas.justice_office_supervisor.pk, "legal_reviewer")
    assert RoleAssignment.objects.filter(
        person=personas.justice_office_supervisor, role="legal_reviewer"
    ).exists()
