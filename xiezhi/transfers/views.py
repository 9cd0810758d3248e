"""Pages: the inbox (received / sent / copied / county), a new or edited transfer, the detail page with
its timeline, materials, documents, copy notices and the actions the actor may take."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.catalogue.models import Matter
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.files import TRANSFER_MATERIALS as MATERIALS
from xiezhi.core.files import TamperedFile
from xiezhi.core.pagination import paginate
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.documents.selectors import documents_for
from xiezhi.intake import selectors as intake_selectors
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.transfers import access, actions, replies, selectors, services
from xiezhi.transfers.cleaning import LOCKED_AFTER_ORAL
from xiezhi.transfers.models import (
    UPLOAD_KINDS,
    CopyNotice,
    DeclineReason,
    MaterialKind,
    OralMethod,
    Transfer,
    TransferMaterial,
    Urgency,
)
from xiezhi.units.models import Unit, UnitKind

EXPORT_MAX = 10000
FORM_FIELDS = (
    "receiver",
    "township",
    "matter",
    "party",
    "location",
    "facts",
    "legal_basis",
    "discovered_at",
    "urgency",
    "stop_ordered_at",
    "stop_order_note",
    "evidence_fixed_note",
    "consultation_on",
    "consultation_note",
    "source_reference",
)
BOOL_FIELDS = ("major_risk", "in_progress", "is_legacy")


_actor = request_actor
page_view = page_view_with(back_url="transfers:inbox", back_label="返回案件移送")


def _int(params: QueryDict, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed.field(name, f"{name} 必须是整数")
    return int(raw)


# --- inbox -------------------------------------------------------------------------------------------


def _filters(actor: Actor, params: QueryDict) -> tuple[str, Any]:
    wide = actor.is_county_wide or (actor.unit is not None and actor.unit.kind == UnitKind.JUSTICE_OFFICE)
    box = params.get("box") or ("all" if wide else "received")
    qs = selectors.in_box(actor, box)
    qs = selectors.filtered(
        qs,
        status=params.get("status", "").strip(),
        urgency=params.get("urgency", "").strip(),
        unit=_int(params, "unit"),
        q=params.get("q", ""),
        discovered_from=selectors.parse_date(params.get("discovered_from"), "discovered_from"),
        discovered_to=selectors.parse_date(params.get("discovered_to"), "discovered_to"),
    )
    return box, qs


@page_view
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    assert actor.unit is not None
    box, qs = _filters(actor, request.GET)
    if request.GET.get("format") == "csv":
        return _export(actor, qs, box)
    page = paginate(
        selectors.for_list(qs).order_by("-id"),
        request.GET.get("page") or 1,
        request.GET.get("page_size") or 20,
    )
    query = request.GET.copy()
    query.pop("page", None)
    units = Unit.objects.filter(
        county_id=actor.unit.county_id, kind__in=(UnitKind.TOWNSHIP, UnitKind.DEPARTMENT), active=True
    ).order_by("kind", "code")
    return render(
        request,
        "transfers/inbox.html",
        {
            "page": page,
            "box": box,
            "boxes": selectors.BOXES,
            "params": request.GET,
            "query": query.urlencode(),
            "statuses": [("open", "未办结"), *TRANSFER.states.items()],
            "urgencies": Urgency.choices,
            "units": units if actor.is_county_wide else [],
            "can_create": access.can_prepare_in(actor),
            "unread_copies": selectors.unread_copy_count(actor),
            "now": timezone.now(),
        },
    )


def _export(actor: Actor, qs: Any, box: str) -> HttpResponse:
    rows = list(selectors.for_list(qs).order_by("-id")[: EXPORT_MAX + 1])
    if len(rows) > EXPORT_MAX:
        raise ValidationFailed(f"导出结果超过{EXPORT_MAX}条，请缩小筛选范围")
    header = [
        "编号",
        "移送单位",
        "接收单位",
        "乡镇（街道）",
        "事项",
        "当事人",
        "发现时间",
        "紧急程度",
        "移送截止",
        "移送时间",
        "答复截止",
        "答复时间",
        "状态",
    ]
    lines = [
        [
            t.pk,
            t.sender.name,
            t.receiver.name,
            t.township.name,
            f"{t.matter.code} {t.matter.name}",
            t.party,
            _fmt(t.discovered_at),
            t.get_urgency_display(),
            _fmt(t.send_due_at),
            _fmt(t.sent_at),
            _fmt(t.reply_due_at),
            _fmt(t.replied_at),
            t.status_label,
        ]
        for t in rows
    ]
    with transaction.atomic():
        record(actor, "transfers.export", None, after={"box": box, "rows": len(rows)})
    return csv_response("案件移送.csv", header, lines)


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- new / edit --------------------------------------------------------------------------------------


def form_data(post: QueryDict) -> dict[str, Any]:
    data: dict[str, Any] = {n: post.get(n, "") for n in FORM_FIELDS if n in post}
    for name in BOOL_FIELDS:
        data[name] = name in post
    data["copy_to"] = [v for v in post.getlist("copy_to") if v]
    return data


def _form_context(
    actor: Actor, values: dict[str, Any], errors: dict[str, list[str]], transfer: Transfer | None
) -> dict[str, Any]:
    assert actor.unit is not None
    county = actor.unit.county_id
    parties = Unit.objects.filter(
        county_id=county, active=True, kind__in=(UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)
    ).order_by("kind", "code")
    return {
        "values": values,
        "errors": errors,
        "transfer": transfer,
        "receivers": [u for u in parties if u.pk != actor.unit_id],
        "townships": [u for u in parties if u.kind == UnitKind.TOWNSHIP],
        "matters": Matter.objects.filter(county_id=county)
        .only("id", "code", "name", "major_category")
        .order_by("code"),
        "copy_units": Unit.objects.filter(county_id=county, active=True)
        .exclude(pk=actor.unit_id or 0)
        .order_by("kind", "code"),
        "urgencies": Urgency.choices,
        "oral_locked": transfer is not None and transfer.status == "oral_recorded",
    }


def _local_input(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _values_of(t: Transfer) -> dict[str, Any]:
    return {
        "receiver": str(t.receiver_id),
        "township": str(t.township_id),
        "matter": str(t.matter_id),
        "party": t.party,
        "location": t.location,
        "facts": t.facts,
        "legal_basis": t.legal_basis,
        "discovered_at": _local_input(t.discovered_at),
        "urgency": t.urgency,
        "major_risk": t.major_risk,
        "in_progress": t.in_progress,
        "stop_ordered_at": _local_input(t.stop_ordered_at),
        "stop_order_note": t.stop_order_note,
        "evidence_fixed_note": t.evidence_fixed_note,
        "is_legacy": t.is_legacy,
        "consultation_on": t.consultation_on.isoformat() if t.consultation_on else "",
        "consultation_note": t.consultation_note,
        "source_reference": t.source_reference,
        "copy_to": [str(pk) for pk in t.copy_to.values_list("pk", flat=True)],
    }


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    values: dict[str, Any] = {
        "urgency": "normal",
        "discovered_at": _local_input(timezone.now()),
        "copy_to": [],
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = form_data(request.POST)
        try:
            t = services.create_transfer(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "移送草稿已创建，请上传来源材料和初步证据后提交审批")
            return redirect("transfers:detail", t.pk)
    elif not access.can_prepare_in(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以发起案件移送")
    return render(request, "transfers/form.html", _form_context(actor, values, errors, None), status=status)


@page_view
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    t = access.access_transfer(actor, pk, "prepare")
    values = _values_of(t)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = form_data(request.POST)
        if t.status == "oral_recorded":
            # Disabled inputs are not posted: what the oral record fixed stays as it is.
            for name in LOCKED_AFTER_ORAL:
                values.pop(name, None)
        try:
            services.update_transfer(actor, t, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "已保存")
            return redirect("transfers:detail", t.pk)
    return render(request, "transfers/form.html", _form_context(actor, values, errors, t), status=status)


# --- detail and actions ------------------------------------------------------------------------------


def detail_context(actor: Actor, t: Transfer) -> dict[str, Any]:
    allowed = actions.allowed_actions(actor, t)
    if (
        "dispute" in allowed
        and t.disputes.filter(status__in=("negotiating", "coordinating", "proposed")).exists()
    ):  # type: ignore[attr-defined]
        allowed.remove("dispute")
    obligations = (
        for_subject(_content_type_id(), str(t.pk)).select_related("unit").order_by("opened_at", "pk")
    )
    return {
        "t": t,
        "allowed": allowed,
        "labels": actions.LABELS,
        "checklist": services.checklist(t),
        "materials": TransferMaterial.objects.filter(transfer=t).select_related("document").order_by("id"),
        "documents": documents_for(actor, t),
        "copy_notices": CopyNotice.objects.filter(transfer=t).select_related("unit").order_by("id"),
        "my_copy": CopyNotice.objects.filter(transfer=t, unit_id=actor.unit_id or 0).first(),
        "events": t.events.select_related("document").order_by("at", "id"),  # type: ignore[attr-defined]
        "obligations": list(obligations),
        "disputes": list(t.disputes.order_by("-id")),  # type: ignore[attr-defined]
        "source_reports": list(intake_selectors.reports_of_transfer(actor, t.pk)),
        "upload_kinds": [(k, MaterialKind(k).label) for k in UPLOAD_KINDS],
        "decline_reasons": DeclineReason.choices,
        "oral_methods": OralMethod.choices,
        "now": timezone.now(),
    }


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Transfer).pk


def _detail(request: HttpRequest, t: Transfer, error: XiezhiError | None = None) -> HttpResponse:
    ctx = detail_context(_actor(request), t)
    ctx["error"] = error
    return render(request, "transfers/detail.html", ctx, status=error.status if error else 200)


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_transfer(_actor(request), pk))


ACTIONS: dict[str, Callable[[Actor, Transfer, QueryDict], Any]] = {
    "submit": lambda a, t, p: services.submit(a, t),
    "approve": lambda a, t, p: services.approve(a, t),
    "return": lambda a, t, p: services.return_for_revision(a, t, p.get("reason", "")),
    "record_oral": lambda a, t, p: services.record_oral(a, t, p.dict()),
    "complete_formalities": lambda a, t, p: services.complete_formalities(a, t),
    "cancel": lambda a, t, p: services.cancel(a, t, p.get("reason", "")),
    "accept": lambda a, t, p: replies.accept(a, t, p.dict()),
    "decline": lambda a, t, p: replies.decline(a, t, p.dict()),
    "withdraw": lambda a, t, p: replies.withdraw(a, t, p.get("reason", "")),
}
DONE = {
    "submit": "已提交负责人审批",
    "approve": "已批准并移送，移送函和抄告单已生成",
    "return": "已退回修改",
    "record_oral": "已登记口头移送，请在24小时内补办书面手续",
    "complete_formalities": "已补办书面移送手续",
    "cancel": "移送草稿已作废",
    "accept": "已受理，受理告知书已生成",
    "decline": "已决定不予受理，不予受理告知书已生成",
    "withdraw": "已撤回移送",
}


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise NotFound("没有这项操作")
    actor = _actor(request)
    t = access.access_transfer(actor, pk)
    try:
        ACTIONS[action](actor, t, request.POST)
    except XiezhiError as exc:
        return _detail(request, access.access_transfer(actor, pk), exc)
    messages.success(request, DONE[action])
    return redirect("transfers:detail", pk)


@page_view
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    t = access.access_transfer(actor, pk)
    upload_file = request.FILES.get("file")
    try:
        if upload_file is None:
            raise ValidationFailed.field("file", "请选择要上传的文件")
        services.add_material(
            actor,
            t,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            name=upload_file.name or "",
            content=upload_file.read(),
        )
    except XiezhiError as exc:
        return _detail(request, t, exc)
    messages.success(request, "材料已上传")
    return redirect("transfers:detail", pk)


@page_view
@require_POST
def remove(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    actor = _actor(request)
    t = access.access_transfer(actor, pk)
    try:
        services.remove_material(actor, t, material_id)
    except XiezhiError as exc:
        return _detail(request, t, exc)
    messages.success(request, "材料已删除")
    return redirect("transfers:detail", pk)


def material_response(actor: Actor, pk: int, material_id: int) -> HttpResponse:
    t = access.access_transfer(actor, pk)
    m = TransferMaterial.objects.filter(pk=material_id, transfer=t).exclude(kind=MaterialKind.LETTER).first()
    if m is None:
        raise NotFound("材料不存在或您无权访问")
    try:
        content = MATERIALS.read_verified(m.path, m.sha256)
    except (TamperedFile, FileNotFoundError):
        with transaction.atomic():
            record(
                actor,
                "transfer.material_integrity_failed",
                t,
                after={"material_id": m.pk, "sha256": m.sha256},
                success=False,
            )
        raise XiezhiError(
            "材料文件与上传时记录的哈希值不一致，已停止提供下载", code="material_integrity"
        ) from None
    response = HttpResponse(content, content_type=m.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=m.original_name or m.title
    )
    response["X-Content-SHA256"] = m.sha256
    response["Cache-Control"] = "private, no-store"
    return response


@page_view
def material_file(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    return material_response(_actor(request), pk, material_id)


# --- copy notices ------------------------------------------------------------------------------------


@page_view
def copy_notices(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    page = paginate(selectors.copy_notices_page(actor), request.GET.get("page") or 1, 20)
    return render(request, "transfers/copy_notices.html", {"page": page})


@page_view
@require_POST
def read_copy(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    notice = access.access_copy_notice(actor, pk)
    replies.read_copy_notice(actor, notice)
    messages.success(request, "已签收抄告单")
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("transfers:detail", notice.transfer_id)
