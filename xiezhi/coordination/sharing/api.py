"""/api/v1/sharing: records (form, share, extend, read, attachments), holders, subscriptions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import obligations_of, timeline_of
from xiezhi.coordination.models import SharedRecord, ShareSubscription
from xiezhi.coordination.sharing import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.pagination import paginate
from xiezhi.rulebook import sharing as rules

router = Router(tags=["信息共享 sharing"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class RecordIn(Strict):
    category: int | None = None
    title: str | None = None
    content: str | None = None
    formed_at: str | None = None
    matters: list[str] = []
    recipients: list[int] = []
    sender_id: int | None = None
    share_now: bool = False


class ExtendIn(Strict):
    reason: str = ""
    period: str = "1WD"


class SubscriptionIn(Strict):
    kind: str
    category: int | None = None
    field: str = ""
    matter: str = ""
    unit_id: int | None = None


class RecordItem(Schema):
    id: int
    category: int
    category_label: str
    title: str
    sender: dict[str, Any]
    status: str
    status_label: str
    formed_at: datetime
    shared_at: datetime | None
    recipients: int
    read: int


class RecordPage(Schema):
    items: list[RecordItem]
    total: int
    page: int
    page_size: int


class RecordOut(RecordItem):
    category_full: str
    content: str
    extension_reason: str
    matters: list[dict[str, Any]]
    holders: list[dict[str, Any]]
    receipts: list[dict[str, Any]]
    unread: list[str]
    attachments: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    allowed_actions: list[str]


class SubscriptionOut(Schema):
    id: int
    kind: str
    describe: str
    category: int | None
    field: str
    matter_id: int | None
    created_at: datetime


def item_out(r: SharedRecord) -> dict[str, Any]:
    n = getattr(r, "n_recipients", None)
    read = getattr(r, "n_read", None)
    if n is None:
        n = r.recipients.count()  # type: ignore[attr-defined]
        read = r.recipients.filter(read_at__isnull=False).count()  # type: ignore[attr-defined]
    return {
        "id": r.pk,
        "category": r.category,
        "category_label": r.category_label,
        "title": r.title,
        "sender": {"id": r.sender_id, "name": r.sender.name},
        "status": r.status,
        "status_label": r.status_label,
        "formed_at": r.formed_at,
        "shared_at": r.shared_at,
        "recipients": n if r.status == "shared" else 0,
        "read": read or 0,
    }


def record_out(a: Actor, r: SharedRecord) -> dict[str, Any]:
    matters = list(r.matters.select_related("department").order_by("code"))
    receipts = list(r.recipients.select_related("unit").order_by("unit__code"))  # type: ignore[attr-defined]
    out = item_out(r)
    out.update(
        {
            "category_full": r.category_full,
            "content": r.content,
            "extension_reason": r.extension_reason,
            "matters": [{"id": m.pk, "code": m.code, "name": m.name, "field": m.field} for m in matters],
            "holders": [
                {
                    "matter": row["matter"].code,
                    "modes": {label: [t.name for t in towns] for label, towns in row["modes"]},
                }
                for row in services.holders(r.county_id, matters)
            ],
            "receipts": [
                {
                    "unit": {"id": x.unit_id, "name": x.unit.name},
                    "reason": x.reason,
                    "read_at": x.read_at.isoformat() if x.read_at else None,
                    "read_by": x.read_by_name,
                }
                for x in receipts
            ],
            "unread": [x.unit.name for x in receipts if x.read_at is None] if access.is_sender(a, r) else [],
            "attachments": [
                {
                    "id": f.pk,
                    "name": f.name,
                    "sha256": f.sha256,
                    "size": f.size,
                    "content_type": f.content_type,
                }
                for f in r.attachments.all()  # type: ignore[attr-defined]
            ],
            "obligations": obligations_of(r),
            "timeline": timeline_of(r.events, document=False),  # type: ignore[attr-defined]
            "allowed_actions": services.allowed_actions(a, r),
        }
    )
    return out


@router.get("/categories", summary="共享类别（R-SH-01）及县级默认接收单位")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    actor(request)
    return [
        {
            "number": n,
            "label": c.label,
            "short": c.short,
            "needs_matters": c.needs_matters,
            "default_recipients": [rules.GROUPS[g] for g in rules.default_groups(n)],
        }
        for n, c in rules.CATEGORIES.items()
    ]


@router.get("", response=RecordPage, summary="共享信息列表（box=received|sent|all）")
def list_records(
    request: HttpRequest,
    box: str = "received",
    category: str = "",
    status: str = "",
    q: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered(
        selectors.in_box(a, box),
        box,
        category=category,
        status=status,
        q=q,
        date_from=date_from,
        date_to=date_to,
    )
    result = paginate(selectors.for_list(qs).order_by("-id"), page, page_size)
    return result.as_api(item_out)


@router.post("", response={201: RecordOut}, summary="登记共享信息（share_now=true 时同时共享）")
def form_record(request: HttpRequest, payload: RecordIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = payload.dict(exclude_unset=True)
    share_now = bool(data.pop("share_now", False))
    if "sender_id" in data:
        data["sender"] = data.pop("sender_id")
    return Status(201, record_out(a, services.form_record(a, data, share_now=share_now)))


@router.get("/subscriptions", response=list[SubscriptionOut], summary="本单位的订阅")
def list_subscriptions(request: HttpRequest) -> list[ShareSubscription]:
    a = actor(request)
    access.require_business(a)
    return list(selectors.subscriptions_of(a))


@router.post("/subscriptions", response={201: SubscriptionOut}, summary="订阅类别、执法领域或事项")
def subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status[ShareSubscription]:
    a = actor(request)
    data = payload.dict()
    data["unit"] = data.pop("unit_id")
    return Status(201, services.subscribe(a, data))


@router.delete("/subscriptions/{sub_id}", response={204: None}, summary="取消订阅")
def unsubscribe(request: HttpRequest, sub_id: int) -> Status[None]:
    services.unsubscribe(actor(request), sub_id)
    return Status(204, None)


@router.get("/{record_id}", response=RecordOut, summary="共享信息详情（含签收情况与时间线）")
def get_record(request: HttpRequest, record_id: int) -> dict[str, Any]:
    a = actor(request)
    return record_out(a, access.access_record(a, record_id))


@router.post("/{record_id}/share", response=RecordOut, summary="共享（R-SH-02：形成之日起1个工作日内）")
def share(request: HttpRequest, record_id: int) -> dict[str, Any]:
    a = actor(request)
    return record_out(a, services.share(a, access.access_record(a, record_id)))


@router.post("/{record_id}/extend", response=RecordOut, summary="延期共享（须说明理由，R-SH-02）")
def extend(request: HttpRequest, record_id: int, payload: ExtendIn) -> dict[str, Any]:
    a = actor(request)
    return record_out(a, services.extend(a, access.access_record(a, record_id), payload.dict()))


@router.post("/{record_id}/read", response=RecordOut, summary="接收单位确认签收")
def read(request: HttpRequest, record_id: int) -> dict[str, Any]:
    a = actor(request)
    r = access.access_record(a, record_id)
    services.mark_read(a, r)
    return record_out(a, r)


@router.post("/{record_id}/attachments", response=RecordOut, summary="上传附件（按SHA-256保存）")
def attach(request: HttpRequest, record_id: int, file: File[UploadedFile]) -> dict[str, Any]:
    a = actor(request)
    r = access.access_record(a, record_id)
    services.add_attachment(a, r, file.name or "附件", file.read())
    return record_out(a, r)
