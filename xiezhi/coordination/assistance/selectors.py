"""Reads of assistance requests and hazard notices, scoped to the actor, and their CSV rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.assistance_flow import ASSISTANCE, HAZARD, HAZARD_CATEGORIES, KINDS

OPEN_REQUEST_STATES = ("pending",)
OPEN_HAZARD_STATES = ("notified", "onsite", "reported", "refused")


def _text_filter(qs: QuerySet[Any], q: str, *fields: str) -> QuerySet[Any]:
    text = q.strip()
    if not text:
        return qs
    cond = Q()
    for f in fields:
        cond |= Q(**{f"{f}__icontains": text})
    if text.isdigit():
        cond |= Q(pk=int(text))
    return qs.filter(cond)


def filtered_requests(
    qs: QuerySet[AssistanceRequest],
    *,
    status: str = "",
    kind: str = "",
    direction: str = "",
    unit_id: int | None = None,
    urgent: str = "",
    q: str = "",
) -> QuerySet[AssistanceRequest]:
    if status and status != "open" and status not in ASSISTANCE.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if kind and kind not in KINDS:
        raise ValidationFailed.field("kind", f"协助类型“{kind}”无效")
    if direction and direction not in ("sent", "received"):
        raise ValidationFailed.field("direction", "方向应为 sent（我发出的）或 received（我收到的）")
    if status == "open":
        qs = qs.filter(status__in=OPEN_REQUEST_STATES)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if direction == "sent" and unit_id:
        qs = qs.filter(requester_id=unit_id)
    elif direction == "received" and unit_id:
        qs = qs.filter(assisting_id=unit_id)
    if urgent in ("1", "true"):
        qs = qs.filter(urgent=True)
    qs = _text_filter(qs, q, "subject", "details", "case_reference")
    return qs.select_related("requester", "assisting").order_by("-id")


def filtered_hazards(
    qs: QuerySet[HazardNotice],
    *,
    status: str = "",
    category: str = "",
    q: str = "",
) -> QuerySet[HazardNotice]:
    if status and status != "open" and status not in HAZARD.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if category and category not in HAZARD_CATEGORIES:
        raise ValidationFailed.field("category", f"隐患类别“{category}”无效")
    if status == "open":
        qs = qs.filter(status__in=OPEN_HAZARD_STATES)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    qs = _text_filter(qs, q, "title", "location", "description")
    return qs.select_related("township", "department", "government").order_by("-id")


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


REQUEST_HEADER = (
    "编号",
    "协助类型",
    "协助事项",
    "请求单位",
    "被请求单位",
    "紧急",
    "请求时间",
    "状态",
    "到场人员",
    "到场时间",
    "预计答复日期",
    "答复时间",
    "拒绝理由",
)
HAZARD_HEADER = (
    "编号",
    "隐患类别",
    "隐患名称",
    "地点",
    "通报乡镇",
    "主管部门",
    "通报时间",
    "状态",
    "到场人员",
    "到场时间",
    "报县政府时间",
    "报告原因",
    "拒绝理由",
)


def request_rows(items: Iterable[AssistanceRequest]) -> Iterator[list[Any]]:
    for r in items:
        yield [
            r.pk, r.get_kind_display(), r.subject, r.requester.name, r.assisting.name, "是" if r.urgent else "否",
            _when(r.requested_at), r.status_label, r.officer_names, _when(r.arrived_at),
            r.expected_on.isoformat() if r.expected_on else "", _when(r.answered_at), r.refusal_reason,
        ]  # fmt: skip


def hazard_rows(items: Iterable[HazardNotice]) -> Iterator[list[Any]]:
    for h in items:
        yield [
            h.pk, h.get_category_display(), h.title, h.location, h.township.name,
            h.department.name if h.department else "（直接报告县政府）", _when(h.notified_at), h.status_label,
            h.officer_names, _when(h.arrived_at), _when(h.reported_at), h.report_reason, h.refusal_reason,
        ]  # fmt: skip
