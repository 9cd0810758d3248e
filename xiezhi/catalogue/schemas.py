"""API schemas. Write schemas forbid unknown fields (422); outputs are built by the `*_out` functions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import ConfigDict

from xiezhi.catalogue.models import (
    CatalogueVersion,
    Devolution,
    Entrustment,
    ImportJob,
    Matter,
    VersionMatter,
)
from xiezhi.rulebook import jurisdiction as jr


class WriteSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- matters -------------------------------------------------------------------------------------


class MatterWrite(WriteSchema):
    code: str | None = None
    name: str | None = None
    field: str | None = None
    department_id: int | None = None
    township_statutory: bool | None = None
    legal_basis_violation: str | None = None
    legal_basis_penalty: str | None = None
    penalty: str | None = None
    min_fine: int | None = None
    max_fine: int | None = None
    major_category: str | None = None
    related_inspection_powers: str | None = None
    related_coercive_powers: str | None = None
    discretion_benchmark: str | None = None
    procedure_notes: str | None = None
    standard_notes: str | None = None
    source: str | None = None


class MatterOut(Schema):
    id: int
    code: str
    name: str
    field: str
    department_id: int
    department: str
    township_statutory: bool
    legal_basis_violation: str
    legal_basis_penalty: str
    penalty: str
    min_fine: int | None
    max_fine: int | None
    major_category: str
    related_inspection_powers: str
    related_coercive_powers: str
    discretion_benchmark: str
    procedure_notes: str
    standard_notes: str
    source: str


def matter_out(m: Matter) -> dict[str, Any]:
    data = {name: getattr(m, name) for name in MatterOut.model_fields if name not in ("department",)}
    data["department"] = m.department.name
    return data


class MatterPage(Schema):
    items: list[MatterOut]
    total: int
    page: int
    page_size: int


# --- versions ------------------------------------------------------------------------------------


class VersionCreate(WriteSchema):
    effective_from: dt.date
    title: str = ""
    notes: str = ""
    decision_document: str = ""
    based_on_id: int | None = None
    empty: bool = False


class VersionUpdate(WriteSchema):
    effective_from: dt.date | None = None
    title: str | None = None
    notes: str | None = None
    decision_document: str | None = None


class PublishIn(WriteSchema):
    decision_document: str | None = None


class DiscardIn(WriteSchema):
    reason: str = ""


class VersionOut(Schema):
    id: int
    number: int
    status: str
    status_label: str
    effective_from: dt.date
    title: str
    decision_document: str
    notes: str
    based_on_number: int | None
    approved_by: str | None
    published_at: dt.datetime | None
    matters: int


def version_out(v: CatalogueVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "number": v.number,
        "status": v.status,
        "status_label": v.get_status_display(),
        "effective_from": v.effective_from,
        "title": v.title,
        "decision_document": v.decision_document,
        "notes": v.notes,
        "based_on_number": v.based_on.number if v.based_on else None,
        "approved_by": v.approved_by.name if v.approved_by else None,
        "published_at": v.published_at,
        "matters": v.entries.count(),
    }


class VersionMatterIn(WriteSchema):
    matter_id: int
    mode: str | None = None


class EntryOut(Schema):
    matter_id: int
    code: str
    name: str
    field: str
    department: str
    legal_basis_violation: str
    legal_basis_penalty: str
    penalty: str
    major_category: str


def entry_out(e: VersionMatter) -> dict[str, Any]:
    return {
        "matter_id": e.matter_id,
        "code": e.matter.code,
        "name": e.name,
        "field": e.field,
        "department": e.department.name,
        "legal_basis_violation": e.legal_basis_violation,
        "legal_basis_penalty": e.legal_basis_penalty,
        "penalty": e.penalty,
        "major_category": e.major_category,
    }


class EntryPage(Schema):
    items: list[EntryOut]
    total: int
    page: int
    page_size: int


# --- devolutions ---------------------------------------------------------------------------------


class DevolutionWrite(WriteSchema):
    matter_id: int | None = None
    township_id: int | None = None
    mode: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    entrustment_id: int | None = None


class DevolutionOut(Schema):
    id: int
    version_id: int
    matter_id: int
    matter_code: str
    township_id: int
    township: str
    mode: str
    mode_label: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    entrustment_id: int | None
    entrustment_number: str | None


def devolution_out(d: Devolution) -> dict[str, Any]:
    return {
        "id": d.pk,
        "version_id": d.version_id,
        "matter_id": d.matter_id,
        "matter_code": d.matter.code,
        "township_id": d.township_id,
        "township": d.township.name,
        "mode": d.mode,
        "mode_label": d.get_mode_display(),
        "effective_from": d.effective_from,
        "effective_to": d.effective_to,
        "entrustment_id": d.entrustment_id,
        "entrustment_number": d.entrustment.number if d.entrustment else None,
    }


class DevolutionPage(Schema):
    items: list[DevolutionOut]
    total: int
    page: int
    page_size: int


# --- entrustments --------------------------------------------------------------------------------


class EntrustmentWrite(WriteSchema):
    number: str | None = None
    department_id: int | None = None
    township_id: int | None = None
    matter_ids: list[int] | None = None
    authority: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    responsibility: str | None = None
    signed_on: dt.date | None = None


class EntrustmentOut(Schema):
    id: int
    number: str
    department_id: int
    department: str
    township_id: int
    township: str
    matters: list[str]
    authority: str
    valid_from: dt.date
    valid_to: dt.date
    responsibility: str
    signed_on: dt.date | None


def entrustment_out(e: Entrustment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "number": e.number,
        "department_id": e.department_id,
        "department": e.department.name,
        "township_id": e.township_id,
        "township": e.township.name,
        "matters": [m.code for m in e.matters.all()],
        "authority": e.authority,
        "valid_from": e.valid_from,
        "valid_to": e.valid_to,
        "responsibility": e.responsibility,
        "signed_on": e.signed_on,
    }


class EntrustmentPage(Schema):
    items: list[EntrustmentOut]
    total: int
    page: int
    page_size: int


# --- resolution, diff, imports, public -----------------------------------------------------------


class ResolutionOut(Schema):
    mode: str
    subject: str
    acting_unit: str
    in_name_of: str
    department_may_inspect: bool
    department_may_penalise: bool
    department_may_coerce: bool
    version: int
    version_effective_from: dt.date
    matter: str
    township: str
    date: dt.date
    explanation: str


def resolution_out(r: jr.Resolution) -> dict[str, Any]:
    from xiezhi.catalogue.services import resolution_dict

    return {
        **resolution_dict(r),
        "department_may_coerce": r.department_may_coerce,
        "version_effective_from": r.version_effective_from,
        "matter": r.matter.code,
        "township": r.township.name,
        "date": r.on_date,
    }


class ModeChangeOut(Schema):
    matter: str
    township: str
    old: str | None
    new: str | None


class BasisChangeOut(Schema):
    matter: str
    field: str
    old: str
    new: str
    notify_townships: list[str]


class DiffOut(Schema):
    old_version: int
    new_version: int
    added: list[str]
    removed: list[str]
    mode_changed: list[ModeChangeOut]
    basis_changed: list[BasisChangeOut]
    department_changed: list[dict[str, str]]
    lines: list[str]


def diff_out(d: jr.VersionDiff, townships: dict[str, str]) -> dict[str, Any]:
    return {
        "old_version": d.old_number,
        "new_version": d.new_number,
        "added": [m.code for m in d.added],
        "removed": [m.code for m in d.removed],
        "mode_changed": [
            {
                "matter": c.matter_code,
                "township": townships.get(c.township_code, c.township_code),
                "old": c.old.value if c.old else None,
                "new": c.new.value if c.new else None,
            }
            for c in d.mode_changed
        ],
        "basis_changed": [
            {
                "matter": b.matter_code,
                "field": b.field,
                "old": b.old,
                "new": b.new,
                "notify_townships": [townships.get(t, t) for t in b.notify_townships],
            }
            for b in d.basis_changed
        ],
        "department_changed": [
            {"matter": c.matter_code, "old": c.old.name, "new": c.new.name} for c in d.department_changed
        ],
        "lines": d.lines(townships),
    }


class ImportJobOut(Schema):
    id: int
    status: str
    status_label: str
    phase: str
    done: int
    total: int
    percent: int
    file_name: str
    version_id: int | None
    message: str
    errors: list[dict[str, Any]]


def import_out(j: ImportJob) -> dict[str, Any]:
    return {
        "id": j.pk,
        "status": j.status,
        "status_label": j.get_status_display(),
        "phase": j.phase,
        "done": j.done,
        "total": j.total,
        "percent": j.percent,
        "file_name": j.file_name,
        "version_id": j.version_id,
        "message": j.message,
        "errors": j.errors,
    }


class PublicTownshipOut(Schema):
    code: str
    name: str
    county: str


class PublicRowOut(Schema):
    code: str
    name: str
    field: str
    mode: str
    mode_label: str
    acting_unit: str
    in_name_of: str
    department: str
    legal_basis_violation: str
    legal_basis_penalty: str
    penalty: str


class PublicCatalogueOut(Schema):
    township: str
    county: str
    date: dt.date
    version: int
    version_effective_from: dt.date
    items: list[PublicRowOut]
    total: int
    page: int
    page_size: int


class SubjectOut(Schema):
    code: str
    name: str
    kind: str
    legal_basis: str
    review_date: str


class SubjectListOut(Schema):
    county: str
    year: int | None
    published_at: dt.datetime | None
    items: list[SubjectOut]
