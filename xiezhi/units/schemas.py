"""API schemas. Write schemas forbid unknown fields (422); outputs are built by the `*_out`
functions so that masking and labels are applied in one place."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict

from xiezhi.rulebook.masking import mask_phone
from xiezhi.units.models import Certificate, Person, Role, Unit
from xiezhi.units.selectors import category_label, is_assistant, subject_review_due


class WriteSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- units --------------------------------------------------------------------------------------


class UnitCreate(WriteSchema):
    code: str
    name: str
    kind: str
    county_id: int | None = None
    parent_id: int | None = None
    short_name: str = ""
    credit_code: str = ""
    credit_code_override_reason: str = ""
    is_enforcement_subject: bool = False
    subject_legal_basis: str = ""
    subject_review_date: date | None = None
    office_close: time | None = None


class UnitUpdate(WriteSchema):
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    parent_id: int | None = None
    short_name: str | None = None
    credit_code: str | None = None
    credit_code_override_reason: str | None = None
    is_enforcement_subject: bool | None = None
    subject_legal_basis: str | None = None
    subject_review_date: date | None = None
    office_close: time | None = None


class Reason(WriteSchema):
    reason: str = ""


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    county_id: int
    county_name: str
    parent_id: int | None
    parent_name: str | None
    credit_code: str
    credit_code_override_reason: str
    is_enforcement_subject: bool
    subject_legal_basis: str
    subject_review_date: date | None
    subject_review_due: bool
    office_close: time | None
    active: bool
    needs_liaison: bool


def unit_out(unit: Unit, today: date | None = None) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "kind_label": unit.get_kind_display(),
        "county_id": unit.county_id,
        "county_name": unit.county.name,
        "parent_id": unit.parent_id,
        "parent_name": unit.parent.name if unit.parent else None,
        "credit_code": unit.credit_code,
        "credit_code_override_reason": unit.credit_code_override_reason,
        "is_enforcement_subject": unit.is_enforcement_subject,
        "subject_legal_basis": unit.subject_legal_basis,
        "subject_review_date": unit.subject_review_date,
        "subject_review_due": subject_review_due(unit, today or timezone.localdate()),
        "office_close": unit.office_close,
        "active": unit.active,
        "needs_liaison": unit.needs_liaison,
    }


class UnitPage(Schema):
    items: list[UnitOut]
    total: int
    page: int
    page_size: int


class SectionCreate(WriteSchema):
    name: str


class SectionOut(Schema):
    id: int
    unit_id: int
    name: str


# --- people -------------------------------------------------------------------------------------


class PersonCreate(WriteSchema):
    unit_id: int
    name: str
    section_id: int | None = None
    post: str = ""
    phone: str = ""


class PersonUpdate(WriteSchema):
    unit_id: int | None = None
    section_id: int | None = None
    name: str | None = None
    post: str | None = None
    phone: str | None = None


class PersonOut(Schema):
    id: int
    name: str
    post: str
    unit_id: int
    unit_name: str
    section_id: int | None
    section_name: str | None
    phone: str
    roles: list[str]
    role_labels: list[str]
    is_officer: bool
    is_assistant: bool
    category_label: str
    active: bool


def person_out(person: Person, is_officer: bool | None = None) -> dict[str, Any]:
    """`phone` is always masked here; the unmasked number has its own audited endpoint."""
    officer = bool(getattr(person, "is_officer", False) if is_officer is None else is_officer)
    roles = sorted(r.role for r in person.roles.all())
    return {
        "id": person.pk,
        "name": person.name,
        "post": person.post,
        "unit_id": person.unit_id,
        "unit_name": person.unit.name,
        "section_id": person.section_id,
        "section_name": person.section.name if person.section else None,
        "phone": mask_phone(person.phone) if person.phone else "",
        "roles": roles,
        "role_labels": [Role(r).label for r in roles],
        "is_officer": officer,
        "is_assistant": is_assistant(officer, person.unit.kind),
        "category_label": category_label(officer, person.unit.kind),
        "active": person.active,
    }


class PersonPage(Schema):
    items: list[PersonOut]
    total: int
    page: int
    page_size: int


class UnmaskedPhoneOut(Schema):
    id: int
    name: str
    phone: str


class RoleGrant(WriteSchema):
    role: str


class RoleOut(Schema):
    person_id: int
    role: str
    role_label: str


class AccountLink(WriteSchema):
    username: str


class AccountOut(Schema):
    person_id: int
    username: str | None


# --- liaisons -----------------------------------------------------------------------------------


class LiaisonOut(Schema):
    unit_id: int
    unit_name: str
    unit_kind_label: str
    person: PersonOut


class GapOut(Schema):
    unit_id: int
    unit_name: str
    unit_kind: str
    unit_kind_label: str


# --- certificates -------------------------------------------------------------------------------


class CertificateCreate(WriteSchema):
    number: str
    holder_id: int
    issuing_authority: str
    fields: str
    valid_from: date
    valid_to: date
    last_review_date: date | None = None


class CertificateUpdate(WriteSchema):
    number: str | None = None
    holder_id: int | None = None
    issuing_authority: str | None = None
    fields: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    last_review_date: date | None = None


class CertificateStatusChange(WriteSchema):
    action: str
    reason: str = ""


class CertificateOut(Schema):
    id: int
    number: str
    holder_id: int
    holder_name: str
    unit_id: int
    unit_name: str
    issuing_authority: str
    fields: str
    valid_from: date
    valid_to: date
    status: str
    status_label: str
    last_review_date: date | None
    valid_today: bool
    expires_soon: bool
    expired: bool


def certificate_out(cert: Certificate, today: date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    return {
        "id": cert.pk,
        "number": cert.number,
        "holder_id": cert.holder_id,
        "holder_name": cert.holder.name,
        "unit_id": cert.holder.unit_id,
        "unit_name": cert.holder.unit.name,
        "issuing_authority": cert.issuing_authority,
        "fields": cert.fields,
        "valid_from": cert.valid_from,
        "valid_to": cert.valid_to,
        "status": cert.status,
        "status_label": cert.get_status_display(),
        "last_review_date": cert.last_review_date,
        "valid_today": cert.is_valid_on(day),
        "expires_soon": cert.expires_soon(day),
        "expired": cert.is_expired_on(day),
    }


class CertificatePage(Schema):
    items: list[CertificateOut]
    total: int
    page: int
    page_size: int
