"""/api/v1: matters, catalogue versions, devolutions, entrustments, imports, the jurisdiction
question, and the public catalogue (no sign-in). Errors are XiezhiError subclasses → envelope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from xiezhi.audit.services import record
from xiezhi.catalogue import access, imports, selectors, services, versions
from xiezhi.catalogue.documents import entrustment_docx
from xiezhi.catalogue.models import Devolution, VersionMatter
from xiezhi.catalogue.schemas import (
    DevolutionOut,
    DevolutionPage,
    DevolutionWrite,
    DiffOut,
    DiscardIn,
    EntrustmentOut,
    EntrustmentPage,
    EntrustmentWrite,
    EntryPage,
    ImportJobOut,
    MatterOut,
    MatterPage,
    MatterWrite,
    PublicCatalogueOut,
    PublicTownshipOut,
    PublishIn,
    ResolutionOut,
    SubjectListOut,
    VersionCreate,
    VersionMatterIn,
    VersionOut,
    VersionUpdate,
    devolution_out,
    diff_out,
    entrustment_out,
    entry_out,
    import_out,
    matter_out,
    resolution_out,
    version_out,
)
from xiezhi.catalogue.snapshot import unit_index
from xiezhi.catalogue.spreadsheets import export_csv, export_xlsx
from xiezhi.core.api import actor
from xiezhi.core.errors import NotFound, ValidationFailed
from xiezhi.core.pagination import paginate
from xiezhi.units.models import County, Unit, UnitKind

router = Router(tags=["事项清单 catalogue"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _page(qs: Any, page: int, page_size: int, out: Any) -> dict[str, Any]:
    result = paginate(qs, page, page_size)
    return {
        "items": [out(o) for o in result.items],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


# --- matters -------------------------------------------------------------------------------------


@router.get("/matters", response=MatterPage, summary="事项列表")
def list_matters(
    request: HttpRequest,
    q: str = "",
    field: str = "",
    department: str = "",
    major: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_reader(a)
    qs = selectors.search_matters(selectors.matters_visible_to(a), q.strip(), field, department, major)
    return _page(qs.order_by("code"), page, page_size, matter_out)


@router.post("/matters", response={201: MatterOut}, summary="新增事项")
def create_matter(request: HttpRequest, payload: MatterWrite) -> Status[dict[str, Any]]:
    matter = services.create_matter(actor(request), payload.dict(exclude_unset=True))
    return Status(201, matter_out(matter))


@router.get("/matters/{matter_id}", response=MatterOut, summary="事项详情")
def get_matter(request: HttpRequest, matter_id: int) -> dict[str, Any]:
    return matter_out(access.access_matter(actor(request), matter_id))


@router.patch("/matters/{matter_id}", response=MatterOut, summary="修改事项（主管部门或清单维护人员）")
def update_matter(request: HttpRequest, matter_id: int, payload: MatterWrite) -> dict[str, Any]:
    a = actor(request)
    matter = access.access_matter(a, matter_id)
    return matter_out(services.update_matter(a, matter, payload.dict(exclude_unset=True)))


@router.delete("/matters/{matter_id}", response={204: None}, summary="删除未公布过的事项")
def delete_matter(request: HttpRequest, matter_id: int) -> Status[None]:
    a = actor(request)
    services.delete_matter(a, access.access_matter(a, matter_id))
    return Status(204, None)


# --- versions ------------------------------------------------------------------------------------


@router.get("/catalogue/versions", response=list[VersionOut], summary="目录版本（历史）")
def list_versions(request: HttpRequest) -> list[dict[str, Any]]:
    county_id = access.require_reader(actor(request))
    return [version_out(v) for v in selectors.versions_of(county_id)]


@router.post("/catalogue/versions", response={201: VersionOut}, summary="新建草稿（默认复制现行版本）")
def create_version(request: HttpRequest, payload: VersionCreate) -> Status[dict[str, Any]]:
    a = actor(request)
    county_id = access.require_manager(a)
    based_on = access.access_version(a, payload.based_on_id) if payload.based_on_id else None
    data = payload.dict(exclude={"based_on_id", "empty"})
    version = versions.create_draft(a, county_id, data, based_on=based_on, copy_latest=not payload.empty)
    return Status(201, version_out(version))


@router.get("/catalogue/versions/{version_id}", response=VersionOut, summary="目录版本详情")
def get_version(request: HttpRequest, version_id: int) -> dict[str, Any]:
    return version_out(access.access_version(actor(request), version_id))


@router.patch(
    "/catalogue/versions/{version_id}", response=VersionOut, summary="修改草稿（已公布的版本返回409）"
)
def update_version(request: HttpRequest, version_id: int, payload: VersionUpdate) -> dict[str, Any]:
    a = actor(request)
    version = access.access_version(a, version_id)
    return version_out(versions.update_draft(a, version, payload.dict(exclude_unset=True)))


@router.post(
    "/catalogue/versions/{version_id}/publish", response=VersionOut, summary="批准并公布（县政府负责人）"
)
def publish_version(request: HttpRequest, version_id: int, payload: PublishIn) -> dict[str, Any]:
    a = actor(request)
    version = access.access_version(a, version_id)
    return version_out(versions.publish(a, version, decision_document=payload.decision_document))


@router.post("/catalogue/versions/{version_id}/discard", response=VersionOut, summary="废弃草稿")
def discard_version(request: HttpRequest, version_id: int, payload: DiscardIn) -> dict[str, Any]:
    a = actor(request)
    version = access.access_version(a, version_id)
    return version_out(versions.discard_draft(a, version, payload.reason))


@router.get("/catalogue/versions/{version_id}/problems", response=list[str], summary="草稿公布前的校验结果")
def version_problems(request: HttpRequest, version_id: int) -> list[str]:
    version = access.access_version(actor(request), version_id)
    if not version.is_draft:
        return []
    return versions.draft_problems(version, today=timezone.localdate())


@router.get("/catalogue/versions/{version_id}/matters", response=EntryPage, summary="版本中的事项")
def list_entries(
    request: HttpRequest, version_id: int, q: str = "", field: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    version = access.access_version(actor(request), version_id)
    qs = (
        VersionMatter.objects.filter(version=version)
        .select_related("matter", "department")
        .order_by("matter__code")
    )
    return _page(selectors.search_matters(qs, q.strip(), field), page, page_size, entry_out)


@router.post(
    "/catalogue/versions/{version_id}/matters", response={201: DevolutionPage}, summary="把事项加入草稿"
)
def add_entry(request: HttpRequest, version_id: int, payload: VersionMatterIn) -> Status[dict[str, Any]]:
    a = actor(request)
    version = access.access_version(a, version_id)
    matter = access.access_matter(a, payload.matter_id)
    versions.add_matter(a, version, matter, payload.mode)
    qs = Devolution.objects.filter(version=version, matter=matter).select_related(
        "matter", "township", "entrustment"
    )
    return Status(201, _page(qs.order_by("township__code"), 1, 100, devolution_out))


@router.delete(
    "/catalogue/versions/{version_id}/matters/{matter_id}", response={204: None}, summary="从草稿移除事项"
)
def remove_entry(request: HttpRequest, version_id: int, matter_id: int) -> Status[None]:
    a = actor(request)
    version = access.access_version(a, version_id)
    versions.remove_matter(a, version, access.access_matter(a, matter_id))
    return Status(204, None)


@router.get("/catalogue/versions/{version_id}/export", summary="导出版本（format=xlsx|csv）")
def export_version(request: HttpRequest, version_id: int, format: str = "xlsx") -> HttpResponse:
    a = actor(request)
    version = access.access_version(a, version_id)
    if format not in ("xlsx", "csv"):
        raise ValidationFailed.field("format", "导出格式只能是xlsx或csv")
    with transaction.atomic():
        record(a, "catalogue.exported", version, after={"format": format})
    name = f"catalogue-v{version.number}.{format}"
    if format == "csv":
        return _attachment(export_csv(version), "text/csv; charset=utf-8", name)
    return _attachment(export_xlsx(version), XLSX, name)


@router.get("/catalogue/diff", response=DiffOut, summary="两个版本的差异")
def diff(request: HttpRequest, a: int, b: int) -> dict[str, Any]:
    who = actor(request)
    va, vb = access.access_version(who, a), access.access_version(who, b)
    return diff_out(versions.compare(va, vb), unit_index(va.county_id).townships)


# --- devolutions ---------------------------------------------------------------------------------


@router.get("/catalogue/versions/{version_id}/devolutions", response=DevolutionPage, summary="下放安排")
def list_devolutions(
    request: HttpRequest,
    version_id: int,
    matter: str = "",
    township: str = "",
    mode: str = "",
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    version = access.access_version(actor(request), version_id)
    qs = Devolution.objects.filter(version=version).select_related("matter", "township", "entrustment")
    if matter:
        qs = qs.filter(matter__code=matter)
    if township:
        qs = qs.filter(township__code=township) | qs.filter(township__name=township)
    if mode:
        qs = qs.filter(mode=mode)
    return _page(
        qs.order_by("matter__code", "township__code", "effective_from"), page, page_size, devolution_out
    )


@router.post(
    "/catalogue/versions/{version_id}/devolutions", response={201: DevolutionOut}, summary="新增下放安排"
)
def create_devolution(
    request: HttpRequest, version_id: int, payload: DevolutionWrite
) -> Status[dict[str, Any]]:
    a = actor(request)
    version = access.access_version(a, version_id)
    return Status(201, devolution_out(versions.create_devolution(a, version, payload.dict(exclude_unset=True))))


@router.patch("/catalogue/devolutions/{devolution_id}", response=DevolutionOut, summary="修改下放安排")
def update_devolution(request: HttpRequest, devolution_id: int, payload: DevolutionWrite) -> dict[str, Any]:
    a = actor(request)
    devolution = access.access_devolution(a, devolution_id)
    return devolution_out(versions.update_devolution(a, devolution, payload.dict(exclude_unset=True)))


@router.delete("/catalogue/devolutions/{devolution_id}", response={204: None}, summary="删除下放安排")
def delete_devolution(request: HttpRequest, devolution_id: int) -> Status[None]:
    a = actor(request)
    versions.delete_devolution(a, access.access_devolution(a, devolution_id))
    return Status(204, None)


# --- entrustments --------------------------------------------------------------------------------


@router.get("/catalogue/entrustments", response=EntrustmentPage, summary="行政执法委托书")
def list_entrustments(
    request: HttpRequest, township: str = "", department: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_reader(a)
    qs = selectors.entrustments_visible_to(a)
    if township:
        qs = qs.filter(township__code=township) | qs.filter(township__name=township)
    if department:
        qs = qs.filter(department__code=department) | qs.filter(department__name=department)
    return _page(qs.order_by("-valid_from", "number"), page, page_size, entrustment_out)


@router.post("/catalogue/entrustments", response={201: EntrustmentOut}, summary="出具委托书")
def create_entrustment(request: HttpRequest, payload: EntrustmentWrite) -> Status[dict[str, Any]]:
    return Status(201, entrustment_out(services.create_entrustment(actor(request), payload.dict(exclude_unset=True))))


@router.get("/catalogue/entrustments/{entrustment_id}", response=EntrustmentOut, summary="委托书详情")
def get_entrustment(request: HttpRequest, entrustment_id: int) -> dict[str, Any]:
    return entrustment_out(access.access_entrustment(actor(request), entrustment_id))


@router.patch("/catalogue/entrustments/{entrustment_id}", response=EntrustmentOut, summary="修改委托书")
def update_entrustment(
    request: HttpRequest, entrustment_id: int, payload: EntrustmentWrite
) -> dict[str, Any]:
    a = actor(request)
    e = access.access_entrustment(a, entrustment_id)
    return entrustment_out(services.update_entrustment(a, e, payload.dict(exclude_unset=True)))


@router.delete(
    "/catalogue/entrustments/{entrustment_id}", response={204: None}, summary="删除未被引用的委托书"
)
def delete_entrustment(request: HttpRequest, entrustment_id: int) -> Status[None]:
    a = actor(request)
    services.delete_entrustment(a, access.access_entrustment(a, entrustment_id))
    return Status(204, None)


@router.get("/catalogue/entrustments/{entrustment_id}/docx", summary="下载委托书（DOCX）")
def entrustment_document(request: HttpRequest, entrustment_id: int) -> HttpResponse:
    a = actor(request)
    e = access.access_entrustment(a, entrustment_id)
    with transaction.atomic():
        record(a, "catalogue.entrustment_downloaded", e)
    return _attachment(entrustment_docx(e), DOCX, f"entrustment-{e.pk}.docx")


# --- imports -------------------------------------------------------------------------------------


@router.post("/catalogue/imports", response={202: ImportJobOut}, summary="导入事项清单（xlsx或CSV）")
def start_import(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    effective_from: date | None = Form(None),  # noqa: B008
    version_id: int | None = Form(None),
) -> Status[dict[str, Any]]:
    a = actor(request)
    target = access.access_version(a, version_id) if version_id else None
    job = imports.create_job(
        a, file_name=file.name or "", payload=file.read(), effective_from=effective_from, target=target
    )
    imports.start(job)
    job.refresh_from_db()
    return Status(202, import_out(job))


@router.get("/catalogue/imports/{job_id}", response=ImportJobOut, summary="导入进度与结果")
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return import_out(imports.refresh_stale(access.access_import(actor(request), job_id)))


# --- the jurisdiction question ---------------------------------------------------------------------


@router.get("/jurisdiction", response=ResolutionOut, summary="管辖查询：某事项某日在某乡镇由谁执法")
def jurisdiction(
    request: HttpRequest, matter: str, township: str, date: date | None = None
) -> dict[str, Any]:
    county_id = access.require_reader(actor(request))
    on = date or timezone.localdate()
    return resolution_out(services.resolve(matter, services.find_township(township, county_id), on))


# --- enforcement subjects (R-CAT-07) -------------------------------------------------------------


@router.get("/catalogue/subjects", response=SubjectListOut, summary="本县行政执法主体（现状）")
def current_subjects(request: HttpRequest) -> dict[str, Any]:
    county_id = access.require_reader(actor(request))
    county = County.objects.get(pk=county_id)
    return {
        "county": county.name,
        "year": None,
        "published_at": None,
        "items": services.subject_entries(county_id),
    }


@router.post("/catalogue/subjects/publish", response={201: SubjectListOut}, summary="公布年度执法主体名单")
def publish_subjects(request: HttpRequest) -> Status[dict[str, Any]]:
    published = services.publish_subject_list(actor(request))
    return Status(201, {
        "county": published.county.name,
        "year": published.year,
        "published_at": published.published_at,
        "items": published.entries,
    })


# --- public (no sign-in) ---------------------------------------------------------------------------


@router.get(
    "/public/catalogue", auth=None, response=list[PublicTownshipOut], summary="公开：有事项目录的乡镇（街道）"
)
def public_townships(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": t.code, "name": t.name, "county": t.county.name} for t in selectors.public_townships()]


@router.get(
    "/public/catalogue/{township_code}", auth=None, response=PublicCatalogueOut, summary="公开：乡镇事项目录"
)
def public_catalogue(
    request: HttpRequest,
    township_code: str,
    q: str = "",
    field: str = "",
    date: date | None = None,
    page: int = 1,
    page_size: int = 50,
) -> dict[str, Any]:
    town = (
        Unit.objects.filter(code=township_code, kind=UnitKind.TOWNSHIP, active=True)
        .select_related("county")
        .first()
    )
    if town is None:
        raise NotFound("乡镇（街道）不存在")
    on = date or timezone.localdate()
    version = selectors.version_in_force(town.county_id, on)
    if version is None:
        raise ValidationFailed.field("date", services.no_catalogue_message(on))
    result = paginate(selectors.public_entries(version, q.strip(), field), page, page_size)
    rows = selectors.public_rows(town, version, result.items, on)
    return {
        "township": town.name,
        "county": town.county.name,
        "date": on,
        "version": version.number,
        "version_effective_from": version.effective_from,
        "items": [
            {
                "code": r.entry.matter.code,
                "name": r.entry.name,
                "field": r.entry.field,
                "mode": r.resolution.mode.value,
                "mode_label": r.resolution.mode.label,
                "acting_unit": r.resolution.acting_unit.name,
                "in_name_of": r.resolution.in_name_of.name,
                "department": r.entry.department.name,
                "legal_basis_violation": r.entry.legal_basis_violation,
                "legal_basis_penalty": r.entry.legal_basis_penalty,
                "penalty": r.entry.penalty,
            }
            for r in rows
        ],
        "total": result.total,
        "page": result.page,
        "page_size": result.page_size,
    }


@router.get("/public/subjects", auth=None, response=list[SubjectListOut], summary="公开：行政执法主体名单")
def public_subjects(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for county in selectors.counties_with_lists():
        published = selectors.latest_subject_list(county)
        if published is not None:
            out.append(
                {
                    "county": county.name,
                    "year": published.year,
                    "published_at": published.published_at,
                    "items": published.entries,
                }
            )
    return out
