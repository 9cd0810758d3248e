"""Writes to units, sections, people, roles, account membership and certificates.

Each service: permission check → validation (Chinese field errors, nothing written) →
transaction.atomic → change → audit.record in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from xiezhi.accounts import token_cache
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed
from xiezhi.rulebook.identifiers import check_credit_code, check_phone
from xiezhi.rulebook.workflows import TransitionNotAllowed
from xiezhi.units import access
from xiezhi.units.cleaning import Cleaner, final
from xiezhi.units.models import (
    Certificate,
    County,
    Person,
    Role,
    RoleAssignment,
    Section,
    Unit,
    UnitKind,
)
from xiezhi.units.workflow import CERTIFICATE

# Roles that only make sense in certain kinds of unit (issue 3 §3); other roles fit any unit.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    Role.SUPERVISOR: frozenset({UnitKind.JUSTICE_OFFICE, UnitKind.JUSTICE_BUREAU}),
    Role.DISPATCHER: frozenset({UnitKind.COMMAND_CENTRE}),
    Role.OBSERVER: frozenset({UnitKind.POLICE, UnitKind.PROCURATORATE, UnitKind.COURT}),
}


def _state(obj: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


# --- units --------------------------------------------------------------------------------------

UNIT_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "county_id",
    "parent_id",
    "credit_code",
    "credit_code_override_reason",
    "is_enforcement_subject",
    "subject_legal_basis",
    "subject_review_date",
    "office_close",
)
_UNIT_STATE = (*UNIT_FIELDS, "active")


def _clean_unit(data: Mapping[str, Any], unit: Unit | None) -> tuple[dict[str, Any], str | None]:
    """Returns the cleaned fields and, when a failed credit-code check is overridden, the failure."""
    c = Cleaner(data, creating=unit is None)
    c.text("code", "单位编码", max_length=40, required=True)
    c.text("name", "单位名称", max_length=100, required=True)
    c.text("short_name", "简称", max_length=30)
    c.choice("kind", "单位类型", UnitKind.choices, required=True)
    c.integer("county_id", "所属县")
    c.integer("parent_id", "上级单位")
    c.text("credit_code", "统一社会信用代码", max_length=30)
    c.text("credit_code_override_reason", "校验未通过的说明", max_length=200)
    c.boolean("is_enforcement_subject", "具有执法主体资格")
    c.text("subject_legal_basis", "主体资格依据", max_length=300)
    c.date("subject_review_date", "主体资格审核日期")
    c.time("office_close", "下班时间")
    cleaned = c.cleaned

    # County: chosen on creation (defaulting to the only county there is), fixed afterwards.
    if unit is None:
        county_id = cleaned.get("county_id")
        if county_id is None and "county_id" not in c.errors:
            counties = list(County.objects.values_list("pk", flat=True)[:2])
            if len(counties) == 1:
                cleaned["county_id"] = county_id = counties[0]
            else:
                c.error("county_id", "请选择所属县")
        if county_id is not None and not County.objects.filter(pk=county_id).exists():
            c.error("county_id", "所属县不存在")
    elif "county_id" in cleaned and cleaned["county_id"] != unit.county_id:
        c.error("county_id", "单位的所属县不能更改")
    county_id = final(cleaned, unit, "county_id")

    others = Unit.objects.all() if unit is None else Unit.objects.exclude(pk=unit.pk)
    code = cleaned.get("code")
    if code and others.filter(code=code).exists():
        c.error("code", f"单位编码“{code}”已被其他单位使用")
    name = cleaned.get("name")
    if name and county_id and others.filter(county_id=county_id, name=name).exists():
        c.error("name", f"本县已有名为“{name}”的单位")

    if "parent_id" in cleaned and cleaned["parent_id"] is not None:
        parent = Unit.objects.filter(pk=cleaned["parent_id"]).first()
        if parent is None:
            c.error("parent_id", "上级单位不存在")
        elif county_id and parent.county_id != county_id:
            c.error("parent_id", "上级单位须与本单位属于同一县")
        elif unit is not None and _is_descendant_or_self(parent, unit):
            c.error("parent_id", "上级单位不能是本单位或其下级单位")

    override_failure = _check_credit_code(c, unit)

    subject_fields = {"is_enforcement_subject", "subject_legal_basis", "subject_review_date"}
    if (unit is None or subject_fields & cleaned.keys()) and final(
        cleaned, unit, "is_enforcement_subject", False
    ):
        if not final(cleaned, unit, "subject_legal_basis", ""):
            c.error("subject_legal_basis", "具有执法主体资格的单位须写明法律依据")
        if final(cleaned, unit, "subject_review_date") is None:
            c.error("subject_review_date", "请填写主体资格最近一次审核的日期")
    review = cleaned.get("subject_review_date")
    if review is not None and review > timezone.localdate():
        c.error("subject_review_date", "审核日期不能晚于今天")
    c.raise_if_errors()
    return cleaned, override_failure


def _is_descendant_or_self(candidate: Unit, unit: Unit) -> bool:
    seen: set[int] = set()
    node: Unit | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == unit.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _check_credit_code(c: Cleaner, unit: Unit | None) -> str | None:
    """GB 32100 check (LAW.md rule 59). A failed check is an error unless the user gives a reason,
    because real codes exist that fail it; the reason is kept and the override audited."""
    cleaned = c.cleaned
    if "credit_code" not in cleaned and "credit_code_override_reason" not in cleaned:
        return None
    raw = final(cleaned, unit, "credit_code", "") or ""
    reason = final(cleaned, unit, "credit_code_override_reason", "") or ""
    if not raw:
        cleaned["credit_code"] = ""
        cleaned["credit_code_override_reason"] = ""
        return None
    result = check_credit_code(raw)
    if len(result.value) != 18:
        c.error("credit_code", result.error or "统一社会信用代码应为18位")
        return None
    cleaned["credit_code"] = result.value
    if result.ok:
        cleaned["credit_code_override_reason"] = ""
        return None
    if not reason:
        c.error("credit_code", f"{result.error}。如确认代码无误，请在“校验未通过的说明”中写明理由后保存")
        return None
    cleaned["credit_code_override_reason"] = reason
    unchanged = (
        unit is not None and unit.credit_code == result.value and unit.credit_code_override_reason == reason
    )
    return None if unchanged else result.error


def _save_unit_integrity_error() -> ValidationFailed:
    return ValidationFailed(
        "单位编码或名称与已有单位重复", details={"code": ["单位编码或名称与已有单位重复"]}
    )


def create_unit(actor: Actor, data: Mapping[str, Any]) -> Unit:
    access.require_manage_directory(actor)
    cleaned, override_failure = _clean_unit(data, None)
    try:
        with transaction.atomic():
            unit = Unit.objects.create(**cleaned)
            record(actor, "unit.create", unit, after=_state(unit, _UNIT_STATE))
            if override_failure:
                _record_override(actor, unit, override_failure)
    except IntegrityError:
        raise _save_unit_integrity_error() from None
    return unit


def _record_override(actor: Actor, unit: Unit, failure: str) -> None:
    record(
        actor,
        "unit.credit_code_override",
        unit,
        after={"credit_code": unit.credit_code, "check": failure},
        reason=unit.credit_code_override_reason,
    )


def update_unit(actor: Actor, pk: int, data: Mapping[str, Any]) -> Unit:
    unit = access.access_unit(actor, pk, "change")
    cleaned, override_failure = _clean_unit(data, unit)
    before = _state(unit, _UNIT_STATE)
    for name, value in cleaned.items():
        setattr(unit, name, value)
    old, new = _diff(before, _state(unit, _UNIT_STATE))
    if not new:
        return unit
    try:
        with transaction.atomic():
            unit.save(update_fields=[*new, "updated_at"])
            record(actor, "unit.update", unit, before=old, after=new)
            if override_failure:
                _record_override(actor, unit, override_failure)
    except IntegrityError:
        raise _save_unit_integrity_error() from None
    return unit


def set_unit_active(actor: Actor, pk: int, active: bool, reason: str = "") -> Unit:
    unit = access.access_unit(actor, pk, "change")
    if not active:
        if unit.people.filter(active=True).exists():
            raise Conflict("该单位仍有在岗人员，请先调整或停用这些人员")
        if unit.children.filter(active=True).exists():
            raise Conflict("该单位仍有启用的下级单位，请先停用下级单位")
    with transaction.atomic():
        if not Unit.objects.filter(pk=pk, active=not active).update(active=active, updated_at=timezone.now()):
            raise Conflict("该单位已启用" if active else "该单位已停用")
        token_cache.invalidate()
        unit.refresh_from_db()
        record(
            actor,
            "unit.activate" if active else "unit.deactivate",
            unit,
            before={"active": not active},
            after={"active": active},
            reason=reason,
        )
    return unit


# --- sections -----------------------------------------------------------------------------------


def create_section(actor: Actor, unit_id: int, name: str) -> Section:
    unit = access.access_unit(actor, unit_id, "change")
    c = Cleaner({"name": name}, creating=True)
    c.text("name", "内设机构名称", max_length=100, required=True)
    cleaned_name = c.cleaned.get("name")
    if cleaned_name and unit.sections.filter(name=cleaned_name).exists():
        c.error("name", f"本单位已有名为“{cleaned_name}”的内设机构")
    c.raise_if_errors()
    with transaction.atomic():
        section = Section.objects.create(unit=unit, name=str(cleaned_name))
        record(actor, "section.create", section, after={"unit_id": unit.pk, "name": section.name})
    return section


def delete_section(actor: Actor, section_id: int) -> None:
    section = access.access_section(actor, section_id, "change")
    if section.people.exists():
        raise Conflict("该内设机构仍有人员，请先调整人员所在的内设机构")
    with transaction.atomic():
        record(actor, "section.delete", section, before={"unit_id": section.unit_id, "name": section.name})
        section.delete()


# --- people -------------------------------------------------------------------------------------

PERSON_FIELDS = ("unit_id", "section_id", "name", "post", "phone")
_PERSON_STATE = (*PERSON_FIELDS, "active")


def _clean_person(actor: Actor, data: Mapping[str, Any], person: Person | None) -> dict[str, Any]:
    c = Cleaner(data, creating=person is None)
    c.integer("unit_id", "所属单位", required=True)
    c.integer("section_id", "内设机构")
    c.text("name", "姓名", max_length=50, required=True)
    c.text("post", "职务", max_length=50)
    c.text("phone", "联系电话", max_length=30)
    cleaned = c.cleaned

    unit: Unit | None = person.unit if person else None
    if "unit_id" in cleaned and (person is None or cleaned["unit_id"] != person.unit_id):
        unit = Unit.objects.visible_to(actor).filter(pk=cleaned["unit_id"]).first()
        if unit is None:
            c.error("unit_id", "所属单位不存在")
        elif not unit.active:
            c.error("unit_id", "所属单位已停用")
        elif person is not None:
            misfit = [r for r in person.roles.values_list("role", flat=True) if not _role_fits(r, unit)]
            if misfit:
                labels = "、".join(Role(r).label for r in misfit)
                c.error("unit_id", f"该人员担任的{labels}角色不适用于新单位，请先由安全管理员撤销")
        if person is not None and "section_id" not in cleaned:
            cleaned["section_id"] = None  # the old section belongs to the old unit
    section_id = final(cleaned, person, "section_id")
    if (
        section_id is not None
        and unit is not None
        and not Section.objects.filter(pk=section_id, unit=unit).exists()
    ):
        c.error("section_id", "内设机构须属于所选单位")

    phone = cleaned.get("phone")
    if phone:
        check = check_phone(phone)
        if check.ok:
            cleaned["phone"] = check.value
        else:
            c.error("phone", check.error or "电话号码格式不正确")
    c.raise_if_errors()
    return cleaned


def create_person(actor: Actor, data: Mapping[str, Any]) -> Person:
    access.require_manage_directory(actor)
    cleaned = _clean_person(actor, data, None)
    with transaction.atomic():
        person = Person.objects.create(**cleaned)
        record(actor, "person.create", person, after=_state(person, _PERSON_STATE))
    return person


def update_person(actor: Actor, pk: int, data: Mapping[str, Any]) -> Person:
    person = access.access_person(actor, pk, "change")
    cleaned = _clean_person(actor, data, person)
    before = _state(person, _PERSON_STATE)
    for name, value in cleaned.items():
        setattr(person, name, value)
    old, new = _diff(before, _state(person, _PERSON_STATE))
    if not new:
        return person
    with transaction.atomic():
        person.save(update_fields=[*new, "updated_at"])
        record(actor, "person.update", person, before=old, after=new)
    return person


def set_person_active(actor: Actor, pk: int, active: bool, reason: str = "") -> Person:
    person = access.access_person(actor, pk, "change")
    if active and not person.unit.active:
        raise Conflict("所属单位已停用，不能恢复在岗")
    with transaction.atomic():
        if not Person.objects.filter(pk=pk, active=not active).update(
            active=active, updated_at=timezone.now()
        ):
            raise Conflict("该人员已在岗" if active else "该人员已停用")
        token_cache.invalidate()
        person.refresh_from_db()
        record(
            actor,
            "person.activate" if active else "person.deactivate",
            person,
            before={"active": not active},
            after={"active": active},
            reason=reason,
        )
    return person


def reveal_phone(actor: Actor, pk: int) -> str:
    """The unmasked phone number: an explicit, audited look at personal data."""
    access.require_read(actor)
    person = access.access_person(actor, pk, "view")
    with transaction.atomic():
        record(actor, "person.view_unmasked", person, reason="查看完整联系电话")
    return person.phone


# --- account membership -------------------------------------------------------------------------


def link_account(actor: Actor, person_id: int, username: str) -> Any:
    """Attach a business sign-in account to a person (and so to the person's unit)."""
    from xiezhi.accounts.models import User

    person = access.access_person(actor, person_id, "change")
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise ValidationFailed.field("username", "账号不存在")
    if user.admin_role:
        raise ValidationFailed.field("username", "管理员账号（三员）不能关联业务人员")
    if user.person_id == person.pk:
        return user
    if user.person_id is not None:
        raise ValidationFailed.field("username", "该账号已关联其他人员")
    if User.objects.filter(person=person).exists():
        raise Conflict("该人员已有账号，请先解除原账号")
    with transaction.atomic():
        if not User.objects.filter(pk=user.pk, person__isnull=True).update(person=person):
            raise Conflict()
        token_cache.invalidate()
        record(actor, "account.membership", user, before={"person_id": None}, after={"person_id": person.pk})
    user.refresh_from_db()
    return user


def unlink_account(actor: Actor, person_id: int) -> None:
    from xiezhi.accounts.models import User

    person = access.access_person(actor, person_id, "change")
    user = User.objects.filter(person=person).first()
    if user is None:
        raise Conflict("该人员没有关联账号")
    with transaction.atomic():
        User.objects.filter(pk=user.pk, person=person).update(person=None)
        token_cache.invalidate()
        record(actor, "account.membership", user, before={"person_id": person.pk}, after={"person_id": None})


# --- roles --------------------------------------------------------------------------------------


def _role_fits(role: str, unit: Unit) -> bool:
    kinds = ROLE_UNIT_KINDS.get(role)
    return kinds is None or unit.kind in kinds


def grant_role(actor: Actor, person_id: int, role: str) -> RoleAssignment:
    person = access.access_person(actor, person_id, "roles")
    if role not in Role.values:
        raise ValidationFailed.field("role", f"角色“{role}”无效，可选：{'、'.join(Role.labels)}")
    label = Role(role).label
    if not person.active:
        raise ValidationFailed.field("role", "该人员已停用，不能授予角色")
    if not _role_fits(role, person.unit):
        kinds = "、".join(UnitKind(k).label for k in sorted(ROLE_UNIT_KINDS[role]))
        raise ValidationFailed.field("role", f"{label}角色只能授予{kinds}的人员")
    account = getattr(person, "account", None)
    if account is not None and account.admin_role:
        raise ValidationFailed.field("role", "管理员账号（三员）不能担任业务角色")
    if person.roles.filter(role=role).exists():
        raise Conflict(f"该人员已担任{label}")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(person=person, role=role)
            record(actor, "role.grant", person, after={"role": role, "unit_id": person.unit_id})
    except IntegrityError:
        raise Conflict(f"该人员已担任{label}") from None
    return assignment


def revoke_role(actor: Actor, person_id: int, role: str, reason: str = "") -> None:
    person = access.access_person(actor, person_id, "roles")
    with transaction.atomic():
        deleted, _ = RoleAssignment.objects.filter(person=person, role=role).delete()
        if not deleted:
            raise Conflict("该人员未担任此角色")
        record(actor, "role.revoke", person, before={"role": role, "unit_id": person.unit_id}, reason=reason)


# --- certificates -------------------------------------------------------------------------------

CERTIFICATE_FIELDS = (
    "number",
    "holder_id",
    "issuing_authority",
    "fields",
    "valid_from",
    "valid_to",
    "last_review_date",
)
_CERTIFICATE_STATE = (*CERTIFICATE_FIELDS, "status")


def _clean_certificate(actor: Actor, data: Mapping[str, Any], cert: Certificate | None) -> dict[str, Any]:
    c = Cleaner(data, creating=cert is None)
    c.text("number", "证件编号", max_length=40, required=True)
    c.integer("holder_id", "持证人", required=True)
    c.text("issuing_authority", "发证机关", max_length=100, required=True)
    c.text("fields", "执法领域", max_length=200, required=True)
    c.date("valid_from", "有效期起", required=True)
    c.date("valid_to", "有效期止", required=True)
    c.date("last_review_date", "最近年审日期")
    cleaned = c.cleaned

    number = cleaned.get("number")
    others = Certificate.objects.all() if cert is None else Certificate.objects.exclude(pk=cert.pk)
    if number and others.filter(number=number).exists():
        c.error("number", f"证件编号“{number}”已登记")
    if "holder_id" in cleaned and (cert is None or cleaned["holder_id"] != cert.holder_id):
        holder = Person.objects.visible_to(actor).filter(pk=cleaned["holder_id"]).first()
        if holder is None:
            c.error("holder_id", "持证人不存在")
        elif not holder.active:
            c.error("holder_id", "持证人已停用")
    valid_from = final(cleaned, cert, "valid_from")
    valid_to = final(cleaned, cert, "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        c.error("valid_to", "有效期止不能早于有效期起")
    review = cleaned.get("last_review_date")
    if review is not None:
        if review > timezone.localdate():
            c.error("last_review_date", "年审日期不能晚于今天")
        elif valid_from and review < valid_from:
            c.error("last_review_date", "年审日期不能早于有效期起")
    c.raise_if_errors()
    return cleaned


def _certificate_integrity_error() -> ValidationFailed:
    return ValidationFailed("证件编号已登记或有效期有误", details={"number": ["证件编号已登记或有效期有误"]})


def create_certificate(actor: Actor, data: Mapping[str, Any]) -> Certificate:
    access.require_manage_directory(actor)
    cleaned = _clean_certificate(actor, data, None)
    try:
        with transaction.atomic():
            cert = Certificate.objects.create(**cleaned)
            record(actor, "certificate.create", cert, after=_state(cert, _CERTIFICATE_STATE))
    except IntegrityError:
        raise _certificate_integrity_error() from None
    return cert


def update_certificate(actor: Actor, pk: int, data: Mapping[str, Any]) -> Certificate:
    cert = access.access_certificate(actor, pk, "change")
    cleaned = _clean_certificate(actor, data, cert)
    before = _state(cert, _CERTIFICATE_STATE)
    for name, value in cleaned.items():
        setattr(cert, name, value)
    old, new = _diff(before, _state(cert, _CERTIFICATE_STATE))
    if not new:
        return cert
    try:
        with transaction.atomic():
            cert.save(update_fields=[*new, "updated_at"])
            record(actor, "certificate.update", cert, before=old, after=new)
    except IntegrityError:
        raise _certificate_integrity_error() from None
    return cert


def change_certificate_status(actor: Actor, pk: int, action: str, reason: str = "") -> Certificate:
    """Suspend, reinstate or cancel; a conditional UPDATE so a concurrent change gives 409."""
    cert = access.access_certificate(actor, pk, "change")
    if action not in CERTIFICATE.actions:
        raise ValidationFailed.field("action", "操作无效，可选：暂扣、恢复、注销")
    try:
        new_status = CERTIFICATE.next_state(cert.status, action)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    reason = (reason or "").strip()
    if action in ("suspend", "cancel") and not reason:
        raise ValidationFailed.field("reason", f"{CERTIFICATE.action_label(action)}执法证须说明理由")
    with transaction.atomic():
        updated = Certificate.objects.filter(pk=pk, status=cert.status).update(
            status=new_status, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict()
        record(
            actor,
            f"certificate.{action}",
            cert,
            before={"status": cert.status},
            after={"status": new_status},
            reason=reason,
        )
    cert.refresh_from_db()
    return cert
