"""/api/v1/transfers: every action of the transfer pages. Errors are XiezhiError → envelope
{code, message, details}; a lost race is 409 with details.status = the state that won."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer

from xiezhi.core.api import actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.pagination import paginate
from xiezhi.transfers import access, dashboard, replies, selectors, services, views
from xiezhi.transfers.schemas import (
    AcceptIn,
    ChecklistOut,
    CopyNoticeOut,
    CopyNoticePage,
    DeclineIn,
    MaterialOut,
    OralIn,
    ReasonIn,
    TransferOut,
    TransferPage,
    TransferWrite,
    copy_notice_out,
    material_out,
    row_out,
    transfer_out,
)

router = Router(tags=["案件移送 transfers"])
_JSON = JSONRenderer()  # the API's renderer (NinjaAPI's default)


def _write_data(payload: TransferWrite) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


@router.get("", response=TransferPage, summary="移送列表（收到、发出、抄告、全县）")
def list_transfers(
    request: HttpRequest,
    box: str = "all",
    status: str = "",
    urgency: str = "",
    unit: int | None = None,
    matter: int | None = None,
    q: str = "",
    discovered_from: str = "",
    discovered_to: str = "",
    page: int = 1,
    page_size: int = 20,
) -> HttpResponse:
    a = actor(request)
    access.require_business(a)
    result = selectors.list_page(
        a,
        box,
        page,
        page_size,
        status=status,
        urgency=urgency,
        unit=unit,
        matter=matter,
        q=q,
        discovered_from=selectors.parse_date(discovered_from, "discovered_from"),
        discovered_to=selectors.parse_date(discovered_to, "discovered_to"),
    )
    data = result.as_api(row_out)
    # The rows are plain dicts already in TransferPage's shape and order; running twenty of them
    # through pydantic cost more than the query, so they are rendered as they are (the documented
    # schema stays `TransferPage`; tests/test_query_budget.py checks the output against it).
    return HttpResponse(
        _JSON.render(request, data, response_status=200), content_type=f"{_JSON.media_type}; charset=utf-8"
    )


@router.get("/export", summary="导出移送列表（CSV，审计）")
def export_transfers(
    request: HttpRequest, box: str = "all", status: str = "", urgency: str = "", q: str = ""
) -> HttpResponse:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered(selectors.in_box(a, box), status=status, urgency=urgency, q=q)
    return views._export(a, qs, box)


@router.post("", response={201: TransferOut}, summary="新建移送草稿（以本单位名义）")
def create_transfer(request: HttpRequest, payload: TransferWrite) -> Status[dict[str, Any]]:
    a = actor(request)
    return Status(201, transfer_out(a, services.create_transfer(a, _write_data(payload))))


@router.get("/copy-notices", response=CopyNoticePage, summary="抄告本单位的移送")
def my_copy_notices(
    request: HttpRequest, unread: bool = False, page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.copy_notices_for(a)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    result = paginate(qs, page, page_size)
    return result.as_api(copy_notice_out)


@router.post("/copy-notices/{notice_id}/read", response=CopyNoticeOut, summary="签收抄告单（回执）")
def read_copy_notice(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    a = actor(request)
    return copy_notice_out(replies.read_copy_notice(a, access.access_copy_notice(a, notice_id)))


@router.get(
    "/dashboard", summary="移送统计：按时移送率、按时答复率、平均受理用时、超期、不予受理理由、争议阶段"
)
def statistics(request: HttpRequest, year: int | None = None, unit: int | None = None) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationFailed.field("year", "年度应为2000至2100之间的整数")
    stats = dashboard.statistics(a, year, unit if a.is_county_wide else None)
    data = stats.as_json()
    data.update(
        {
            "send_rate": stats.send_total.percent,
            "reply_rate": stats.reply_total.percent,
            "avg_accept_workdays": stats.avg_accept_days,
            "immediate_avg_hours": stats.immediate_hours,
            "by_unit": [
                {
                    "unit_id": u.unit_id,
                    "unit": u.name,
                    "send": {"on_time": u.send.on_time, "counted": u.send.counted, "rate": u.send.percent},
                    "reply": {
                        "on_time": u.reply.on_time,
                        "counted": u.reply.counted,
                        "rate": u.reply.percent,
                    },
                    "by_month": {
                        str(m): {"on_time": r.on_time, "counted": r.counted, "rate": r.percent}
                        for m, r in sorted(u.months.items())
                    },
                    "reply_by_month": {
                        str(m): {"on_time": r.on_time, "counted": r.counted, "rate": r.percent}
                        for m, r in sorted(u.reply_months.items())
                    },
                    "avg_accept_workdays": u.avg_accept_days,
                }
                for u in stats.units
            ],
            "overdue": [
                {
                    "obligation_id": ob.pk,
                    "rule_id": ob.rule_id,
                    "unit": ob.unit.name,
                    "label": ob.subject_label,
                    "url": ob.subject_url,
                    "due_at": ob.due_at.isoformat(),
                }
                for ob in stats.overdue
            ],
            "declines_by_reason": {code: n for code, _, n in stats.declines},
            "disputes_by_stage": {state: n for state, _, n in stats.disputes},
        }
    )
    return data


@router.get("/{transfer_id}", response=TransferOut, summary="移送详情（时间线、材料、文书、抄告、时限）")
def get_transfer(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    a = actor(request)
    return transfer_out(a, access.access_transfer(a, transfer_id))


@router.patch("/{transfer_id}", response=TransferOut, summary="修改移送草稿")
def update_transfer(request: HttpRequest, transfer_id: int, payload: TransferWrite) -> dict[str, Any]:
    a = actor(request)
    t = access.access_transfer(a, transfer_id)
    return transfer_out(a, services.update_transfer(a, t, _write_data(payload)))


@router.get("/{transfer_id}/checklist", response=ChecklistOut, summary="移送前还缺什么（含负责人审批）")
def get_checklist(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    t = access.access_transfer(actor(request), transfer_id)
    items = services.checklist(t)
    return {"items": [vars(i) for i in items], "missing": [i.label for i in items if not i.done]}


@router.post(
    "/{transfer_id}/materials", response={201: MaterialOut}, summary="上传材料（来源材料、初步证据；SHA-256）"
)
def upload_material(
    request: HttpRequest, transfer_id: int, kind: Form[str], file: File[UploadedFile], title: Form[str] = ""
) -> Status[dict[str, Any]]:
    a = actor(request)
    t = access.access_transfer(a, transfer_id)
    m = services.add_material(a, t, kind=kind, title=title, name=file.name or "", content=file.read())
    return Status(201, material_out(m))


@router.get("/{transfer_id}/materials/{material_id}/file", summary="下载材料（核验SHA-256）")
def material_file(request: HttpRequest, transfer_id: int, material_id: int) -> HttpResponse:
    return views.material_response(actor(request), transfer_id, material_id)


@router.delete("/{transfer_id}/materials/{material_id}", response={204: None}, summary="删除材料（草稿）")
def delete_material(request: HttpRequest, transfer_id: int, material_id: int) -> Status[None]:
    a = actor(request)
    services.remove_material(a, access.access_transfer(a, transfer_id), material_id)
    return Status(204, None)


def _do(request: HttpRequest, transfer_id: int, fn: Any, *args: Any) -> dict[str, Any]:
    a = actor(request)
    t = access.access_transfer(a, transfer_id)
    return transfer_out(a, fn(a, t, *args))


@router.post("/{transfer_id}/submit", response=TransferOut, summary="提交审批（缺少材料时列出所缺）")
def submit(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    return _do(request, transfer_id, services.submit)


@router.post("/{transfer_id}/approve", response=TransferOut, summary="负责人批准并移送（生成移送函、抄告单）")
def approve(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    return _do(request, transfer_id, services.approve)


@router.post("/{transfer_id}/return", response=TransferOut, summary="负责人退回修改")
def return_for_revision(request: HttpRequest, transfer_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, transfer_id, services.return_for_revision, payload.reason)


@router.post(
    "/{transfer_id}/oral", response=TransferOut, summary="登记口头移送（特别紧急，24小时内补办书面手续）"
)
def record_oral(request: HttpRequest, transfer_id: int, payload: OralIn) -> dict[str, Any]:
    return _do(request, transfer_id, services.record_oral, payload.dict())


@router.post("/{transfer_id}/complete", response=TransferOut, summary="补办书面移送手续（负责人批准）")
def complete(request: HttpRequest, transfer_id: int) -> dict[str, Any]:
    return _do(request, transfer_id, services.complete_formalities)


@router.post("/{transfer_id}/accept", response=TransferOut, summary="受理（接收单位负责人或联络员）")
def accept(request: HttpRequest, transfer_id: int, payload: AcceptIn) -> dict[str, Any]:
    return _do(request, transfer_id, replies.accept, payload.dict())


@router.post("/{transfer_id}/decline", response=TransferOut, summary="不予受理（须说明理由）")
def decline(request: HttpRequest, transfer_id: int, payload: DeclineIn) -> dict[str, Any]:
    return _do(request, transfer_id, replies.decline, payload.dict())


@router.post("/{transfer_id}/withdraw", response=TransferOut, summary="撤回（对方尚未答复）")
def withdraw(request: HttpRequest, transfer_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, transfer_id, replies.withdraw, payload.reason)


@router.post("/{transfer_id}/cancel", response=TransferOut, summary="作废草稿")
def cancel(request: HttpRequest, transfer_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _do(request, transfer_id, services.cancel, payload.reason)
