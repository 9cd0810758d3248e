"""Pages: the list (search, filters, pagination, CSV), the intake form, the detail page with actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.catalogue.services import resolve
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.files import INTAKE_ATTACHMENTS as ATTACHMENTS
from xiezhi.core.files import content_type
from xiezhi.core.pagination import paginate
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.intake import access, dispatching, imports, quality, selectors, services
from xiezhi.intake.models import CallbackDelivery, Channel, Report, Status
from xiezhi.units.models import Unit, UnitKind

EXPORT_MAX = 10000
FORM_FIELDS = (
    "channel",
    "text",
    "township",
    "address",
    "latitude",
    "longitude",
    "observed_at",
    "anonymous",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
    "matter_code",
    "matter_name",
)


_actor = request_actor
page_view = page_view_with(back_url="intake:list", back_label="返回投诉举报")


def _townships(actor: Actor) -> Any:
    return Unit.objects.filter(county_id=actor.county_id or 0, kind=UnitKind.TOWNSHIP, active=True).order_by(
        "code"
    )


@page_view
def report_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.can_act_in_business:
        raise NotFound()
    qs = selectors.search(actor, request.GET)
    if request.GET.get("format") == "csv":
        return _export(actor, qs)
    page = paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or 20)
    rows = [(r, services.reporter_masked(r)) for r in page.items]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "intake/list.html",
        {
            "page": page,
            "rows": rows,
            "params": request.GET,
            "query": query.urlencode(),
            "statuses": Status.choices,
            "channels": Channel.choices,
            "townships": _townships(actor),
            "can_create": access.can_receive(actor),
        },
    )


def _export(actor: Actor, qs: Any) -> HttpResponse:
    header = [
        "编号",
        "登记时间",
        "来源渠道",
        "乡镇（街道）",
        "反映内容",
        "反映人",
        "联系电话",
        "首问单位",
        "当前办理单位",
        "事项",
        "状态",
    ]
    rows = []
    for r in qs[:EXPORT_MAX]:
        masked = services.reporter_masked(r)
        rows.append(
            [
                r.pk,
                timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                r.get_channel_display(),
                r.township.name,
                r.text[:500],
                masked["name"],
                masked["phone"],
                r.first_unit.name,
                r.current_unit.name,
                r.matter_name or r.matter_code,
                r.get_status_display(),
            ]
        )
    record(actor, "report.exported", None, after={"rows": len(rows), "format": "csv"})
    return csv_response("reports.csv", header, rows)


def _uploads(request: HttpRequest) -> list[services.Upload]:
    out = []
    for f in request.FILES.getlist("attachments"):
        if f.size is not None and f.size > ATTACHMENTS.max_bytes():
            raise ValidationFailed.field("attachments", f"附件过大：{f.name}")
        out.append((f.name or "file", f.read()))
    return out


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_receive(actor)
    error: XiezhiError | None = None
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in FORM_FIELDS}
        try:
            with transaction.atomic():
                report = services.create_report(actor, data, _uploads(request))
                code = data["matter_code"].strip()
                if code:
                    name = data["matter_name"] or dispatching.matter_name(code)
                    services.dispatch(actor, report, code, name, source="派单助手建议")
            return redirect("intake:detail", pk=report.pk)
        except ValidationFailed as exc:
            error = exc
    return render(
        request,
        "intake/form.html",
        {
            "channels": Channel.choices,
            "townships": _townships(actor),
            "values": request.POST if request.method == "POST" else {},
            "error": error,
        },
        status=422 if error else 200,
    )


@page_view
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx: live suggestions for the text typed so far."""
    actor = _actor(request)
    access.require_receive(actor)
    text = request.GET.get("text", "").strip()[:5000]
    township = request.GET.get("township", "").strip()
    result = dispatching.suggestions(text, township, actor.county_id) if len(text) >= 4 else None
    return render(request, "intake/_suggestions.html", {"result": result, "ready": dispatching.available()})


def _units_for_hand_on(report: Report) -> Any:
    return (
        Unit.objects.filter(
            county_id=report.county_id, active=True, kind__in=(UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)
        )
        .exclude(pk=report.current_unit_id)
        .order_by("kind", "code")
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = access.access_report(actor, pk)
    ct = ContentType.objects.get_for_model(Report)
    competent = ""
    if report.matter_code:
        try:
            r = resolve(report.matter_code, report.township, timezone.localdate(), county_id=report.county_id)
            competent = f"{r.acting_unit.name}（{r.explanation}）"
        except XiezhiError as exc:
            competent = exc.message
    return render(
        request,
        "intake/detail.html",
        {
            "report": report,
            "competent": competent,
            "reporter": services.reporter_masked(report),
            "events": report.events.all(),
            "attachments": report.attachments.all(),
            "obligations": for_subject(ct.pk, str(report.pk)).select_related("unit").order_by("opened_at"),
            "can_act": access.can_act(actor, report),
            "units": _units_for_hand_on(report),
        },
    )


@page_view
@require_POST
def reporter(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    report = access.access_report(actor, pk)
    full = services.reporter_full(actor, report)
    return render(request, "intake/reporter.html", {"report": report, "full": full})


@page_view
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    actor = _actor(request)
    report = access.access_report(actor, pk)
    item = report.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise NotFound()
    content = ATTACHMENTS.read_verified(item.path, item.sha256)
    response = HttpResponse(content, content_type=content_type(item.kind))
    response["Content-Disposition"] = f'attachment; filename="report{report.pk}-{item.pk}.{item.kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


ACTIONS: dict[str, Callable[[Actor, Report, Any], Report]] = {
    "accept": lambda a, r, p: services.accept(a, r),
    "no-violation": lambda a, r, p: services.reply_no_violation(a, r, p.get("note", "")),
    "take-on": lambda a, r, p: services.take_on(a, r, p.get("note", ""), p.get("matter_code", "")),
    "hand-on": lambda a, r, p: services.hand_on(
        a, r, p.get("target", ""), p.get("note", ""), p.get("party", "")
    ),
    "reply": lambda a, r, p: services.reply(a, r, p.get("note", "")),
    "close": lambda a, r, p: services.close(a, r),
    "dispatch": lambda a, r, p: services.dispatch(a, r, p.get("matter_code", ""), p.get("matter_name", "")),
    "merge": lambda a, r, p: services.merge(a, r, p.get("into", "")),
}


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _actor(request)
    report = access.access_report(actor, pk)
    handler = ACTIONS.get(action)
    if handler is None:
        raise NotFound()
    handler(actor, report, request.POST)
    if not access.visible_to(actor).filter(pk=pk).exists():
        return redirect("intake:list")
    return redirect("intake:detail", pk=pk)


@page_view
def dispatch_quality(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not actor.can_act_in_business:
        raise NotFound()
    total, by_unit, by_channel = quality.measure(selectors.search(actor, request.GET))
    return render(
        request,
        "intake/quality.html",
        {"total": total, "by_unit": by_unit, "by_channel": by_channel, "params": request.GET},
    )


@page_view
def callback_log(request: HttpRequest) -> HttpResponse:
    """The 12345 status-callback delivery log (command centre and county-wide units)."""
    actor = _actor(request)
    if not actor.is_county_wide:
        raise NotFound()
    qs = CallbackDelivery.objects.filter(report__county_id=actor.county_id or 0).select_related(
        "client", "report"
    )
    status = request.GET.get("status", "").strip()
    if status:
        qs = qs.filter(status=status)
    page = paginate(qs, request.GET.get("page") or 1, request.GET.get("page_size") or 20)
    return render(request, "intake/callbacks.html", {"page": page, "params": request.GET})


@page_view
def batch_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV/xlsx of 12345 orders; htmx posts it and a progress bar follows the upload."""
    actor = _actor(request)
    access.require_receive(actor)
    if request.method != "POST":
        return render(request, "intake/import.html", {"columns": imports.COLUMNS})
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed.field("file", "请选择要导入的文件")
        if upload.size is not None and upload.size > ATTACHMENTS.max_bytes():
            raise ValidationFailed.field("file", "文件过大")
        created = imports.import_orders(actor, upload.name or "", upload.read())
    except ValidationFailed as exc:
        return render(request, "intake/_import_result.html", {"error": exc}, status=422)
    return render(request, "intake/_import_result.html", {"created": created})
