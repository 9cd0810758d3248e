"""Sharing pages: inbox / outbox, form, detail with receipts and timeline, subscriptions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record as audit
from xiezhi.catalogue.selectors import fields_of
from xiezhi.coordination.common.views import listing
from xiezhi.coordination.models import SharedAttachment, SharedRecord
from xiezhi.coordination.sharing import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.files import SHARED_ATTACHMENTS as ATTACHMENTS
from xiezhi.core.files import TamperedFile
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.rulebook import sharing as rules
from xiezhi.units.models import Unit

EXPORT_MAX = 10000
_actor = request_actor
page_view = page_view_with(back_url="sharing:list", back_label="返回信息共享")


def _box(actor: Actor, raw: str) -> str:
    if raw:
        return raw
    return "all" if actor.is_county_wide else "received"


@page_view
def record_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    params = request.GET
    box = _box(actor, params.get("box", "").strip())
    qs = selectors.filtered(
        selectors.in_box(actor, box),
        box,
        category=params.get("category", "").strip(),
        status=params.get("status", "").strip(),
        q=params.get("q", ""),
        date_from=params.get("date_from"),
        date_to=params.get("date_to"),
    )
    if params.get("format") == "csv":
        return _export(actor, qs, box)
    page, query = listing(request, selectors.for_list(qs).order_by("-id"))
    return render(
        request,
        "coordination/sharing/list.html",
        {
            "page": page,
            "box": box,
            "boxes": selectors.boxes_for(actor),
            "params": params,
            "query": query,
            "categories": rules.CATEGORY_CHOICES,
            "statuses": selectors.STATUSES[box].items(),
            "can_form": access.can_form(actor),
            "unread": selectors.unread_count(actor),
        },
    )


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _export(actor: Actor, qs: Any, box: str) -> HttpResponse:
    rows = list(selectors.for_list(qs).order_by("-id")[: EXPORT_MAX + 1])
    if len(rows) > EXPORT_MAX:
        raise ValidationFailed(f"导出结果超过{EXPORT_MAX}条，请缩小筛选范围")
    header = ["编号", "类别", "标题", "共享单位", "形成时间", "共享时间", "接收单位数", "已签收", "状态"]
    lines = [
        [r.pk, r.category_label, r.title, r.sender.name, _fmt(r.formed_at), _fmt(r.shared_at),
         getattr(r, "n_recipients", 0) if r.status == "shared" else 0, getattr(r, "n_read", 0), r.status_label]
        for r in rows
    ]  # fmt: skip
    with transaction.atomic():
        audit(actor, "sharing.export", None, after={"box": box, "rows": len(rows)})
    return csv_response("信息共享.csv", header, lines, ascii_name="sharing.csv")


def _form_context(actor: Actor, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    assert actor.unit is not None
    units = Unit.objects.filter(county_id=actor.unit.county_id, active=True).exclude(pk=actor.unit.pk)
    return {
        "values": values,
        "errors": errors,
        "categories": [(str(n), c) for n, c in rules.CATEGORIES.items()],
        "defaults": {n: [rules.GROUPS[g] for g in rules.default_groups(n)] for n in rules.CATEGORIES},
        "matters": list(services.published_matters(actor.unit.county_id).select_related("department")),
        "units": units.order_by("kind", "code"),
        "sender": actor.unit,
    }


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    access.require_can_form(actor)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        post = request.POST
        values = {k: post.get(k, "") for k in ("category", "title", "content", "formed_at", "sender")}
        values["matters"] = post.getlist("matters")
        values["recipients"] = post.getlist("recipients")
        uploads = [(f.name or "附件", f.read()) for f in request.FILES.getlist("attachments")]
        try:
            r = services.form_record(actor, values, uploads, share_now=post.get("share_now") == "1")
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(
                request,
                "信息已共享，已通知接收单位" if r.status == "shared" else "信息已登记，请在1个工作日内共享",
            )
            return redirect("sharing:detail", r.pk)
    return render(
        request, "coordination/sharing/form.html", _form_context(actor, values, errors), status=status
    )


def _detail(request: HttpRequest, r: SharedRecord, error: XiezhiError | None = None) -> HttpResponse:
    actor = _actor(request)
    ct = ContentType.objects.get_for_model(SharedRecord)
    matters = list(r.matters.select_related("department").order_by("code"))
    receipts = list(r.recipients.select_related("unit").order_by("unit__code"))  # type: ignore[attr-defined]
    return render(
        request,
        "coordination/sharing/detail.html",
        {
            "r": r,
            "allowed": services.allowed_actions(actor, r),
            "is_sender": access.is_sender(actor, r),
            "matters": matters,
            "holders": services.holders(r.county_id, matters),
            "receipts": receipts,
            "unread": [x for x in receipts if x.read_at is None],
            "attachments": r.attachments.all(),  # type: ignore[attr-defined]
            "events": r.events.order_by("at", "id"),  # type: ignore[attr-defined]
            "obligations": list(
                for_subject(ct.pk, str(r.pk)).select_related("unit").order_by("opened_at", "pk")
            ),
            "error": error,
        },
        status=error.status if error else 200,
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_record(_actor(request), pk))


DONE = {
    "share": "信息已共享，已通知接收单位",
    "extend": "已延期共享并记录理由",
    "read": "已确认签收",
    "attach": "附件已添加",
}


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in DONE:
        raise NotFound("没有这项操作")
    actor = _actor(request)
    r = access.access_record(actor, pk)
    try:
        if action == "share":
            services.share(actor, r)
        elif action == "extend":
            services.extend(actor, r, request.POST.dict())
        elif action == "read":
            services.mark_read(actor, r)
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed.field("file", "请选择要上传的文件")
            services.add_attachment(actor, r, upload.name or "附件", upload.read())
    except XiezhiError as exc:
        return _detail(request, access.access_record(actor, pk), exc)
    messages.success(request, DONE[action])
    return redirect("sharing:detail", pk)


@page_view
def attachment(request: HttpRequest, pk: int, att_id: int) -> HttpResponse:
    actor = _actor(request)
    r = access.access_record(actor, pk)
    att = SharedAttachment.objects.filter(pk=att_id, record=r).first()
    if att is None:
        raise NotFound("附件不存在或您无权访问")
    try:
        content = ATTACHMENTS.read_verified(att.path, att.sha256)
    except (TamperedFile, FileNotFoundError):
        with transaction.atomic():
            audit(
                actor, "sharing.attachment_integrity_failed", r, after={"sha256": att.sha256}, success=False
            )
        raise XiezhiError("附件与登记时的哈希值不一致，已停止提供下载", code="attachment_integrity") from None
    response = HttpResponse(content, content_type=att.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=att.name)
    response["X-Content-SHA256"] = att.sha256
    response["Cache-Control"] = "private, no-store"
    return response


@page_view
def subscriptions(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    assert actor.unit is not None
    error: XiezhiError | None = None
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                services.unsubscribe(actor, request.POST["delete"])
                messages.success(request, "已取消订阅")
            else:
                services.subscribe(actor, request.POST.dict())
                messages.success(request, "已订阅")
        except XiezhiError as exc:
            error = exc
        else:
            return redirect("sharing:subscriptions")
    return render(
        request,
        "coordination/sharing/subscriptions.html",
        {
            "subs": selectors.subscriptions_of(actor),
            "categories": rules.CATEGORY_CHOICES,
            "fields": fields_of(actor.unit.county_id),
            "matters": services.published_matters(actor.unit.county_id),
            "can_manage": access.can_form(actor),
            "error": error,
            "values": request.POST if error else {},
        },
        status=error.status if error else 200,
    )
