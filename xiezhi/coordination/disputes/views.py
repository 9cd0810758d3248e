"""Dispute pages: list, open (optionally from a declined transfer), detail with timeline and steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.coordination.common.views import ActionPost, listing
from xiezhi.coordination.disputes import access, selectors, services
from xiezhi.coordination.models import Dispute, DisputeKind
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed, XiezhiError
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.documents.selectors import documents_for
from xiezhi.rulebook.dispute_flow import DISPUTE
from xiezhi.transfers.access import access_transfer
from xiezhi.units.models import Unit

OPEN_FIELDS = (
    "kind",
    "counterpart",
    "provisional_handler",
    "subject",
    "facts",
    "applicant_position",
    "counterpart_position",
    "provisional_basis",
    "transfer",
)


_actor = request_actor
page_view = page_view_with(back_url="disputes:list", back_label="返回执法争议")


@page_view
def dispute_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    raw_unit = request.GET.get("unit", "").strip()
    qs = selectors.filtered(
        access.visible_to(actor),
        status=request.GET.get("status", "").strip(),
        kind=request.GET.get("kind", "").strip(),
        unit=int(raw_unit) if raw_unit.isdigit() else None,
        q=request.GET.get("q", ""),
    )
    page, query = listing(request, selectors.for_list(qs).order_by("-id"))
    return render(
        request,
        "coordination/disputes/list.html",
        {
            "page": page,
            "params": request.GET,
            "query": query,
            "statuses": [("open", "未办结"), *DISPUTE.states.items()],
            "kinds": DisputeKind.choices,
            "can_open": access.can_open(actor),
        },
    )


def _form_context(actor: Actor, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    assert actor.unit is not None
    parties = Unit.objects.filter(
        county_id=actor.unit.county_id, active=True, kind__in=access.PARTY_KINDS
    ).order_by("kind", "code")
    transfer = None
    if values.get("transfer"):
        try:
            transfer = access_transfer(actor, values["transfer"])
        except XiezhiError:
            transfer = None
    return {
        "values": values,
        "errors": errors,
        "kinds": DisputeKind.choices,
        "counterparts": [u for u in parties if u.pk != actor.unit_id],
        "handlers": parties,
        "transfer": transfer,
    }


def _form_values(post: QueryDict) -> dict[str, Any]:
    return {n: post.get(n, "") for n in OPEN_FIELDS if post.get(n, "") != ""}


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    if not access.can_open(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的承办人、联络员或负责人可以提起执法争议")
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = _form_values(request.POST)
        try:
            d = services.open_dispute(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "争议已提起，已通知对方单位和临时承办单位")
            return redirect("disputes:detail", d.pk)
    elif request.GET.get("transfer", "").isdigit():
        t = access_transfer(actor, request.GET["transfer"])
        values = {
            "transfer": str(t.pk),
            "kind": DisputeKind.TRANSFER,
            "counterpart": str(t.receiver_id),
            "subject": f"{t.party}涉嫌{t.violation}案件的管辖",
            "facts": f"我单位于{t.sent_at:%Y-%m-%d}移送该案件，{t.receiver.name}以“{t.get_decline_reason_display()}：{t.decline_detail}”为由不予受理。"
            if t.sent_at
            else "",
            "counterpart_position": t.decline_detail,
        }
    return render(
        request, "coordination/disputes/form.html", _form_context(actor, values, errors), status=status
    )


def _detail(request: HttpRequest, d: Dispute, error: XiezhiError | None = None) -> HttpResponse:
    actor = _actor(request)
    ct = ContentType.objects.get_for_model(Dispute)
    return render(
        request,
        "coordination/disputes/detail.html",
        {
            "d": d,
            "allowed": services.allowed_actions(actor, d),
            "events": d.events.select_related("document").order_by("at", "id"),  # type: ignore[attr-defined]
            "documents": documents_for(actor, d),
            "obligations": list(
                for_subject(ct.pk, str(d.pk)).select_related("unit").order_by("opened_at", "pk")
            ),
            "error": error,
        },
        status=error.status if error else 200,
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_dispute(_actor(request), pk))


def _with(data: QueryDict, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {k: data.get(k) for k in data if k not in ("attendees", "agreements")}
    for name in ("attendees", "agreements"):
        if name in data:
            out[name] = data.get(name, "")
    out.update(extra)
    return out


ACTIONS: dict[str, Callable[[Actor, Dispute, QueryDict], Any]] = {
    "acknowledge": lambda a, d, p: services.acknowledge(a, d, p.dict()),
    "negotiate": lambda a, d, p: services.negotiate(a, d, _with(p, agreed=False)),
    "agree": lambda a, d, p: services.negotiate(a, d, _with(p, agreed=True)),
    "apply": lambda a, d, p: services.apply_for_coordination(a, d, p.dict()),
    "coordinate": lambda a, d, p: services.coordinate(a, d, _with(p, agreed=True)),
    "propose": lambda a, d, p: services.coordinate(a, d, _with(p, agreed=False)),
    "decide": lambda a, d, p: services.decide(a, d, _with(p, refer=False)),
    "refer": lambda a, d, p: services.decide(a, d, _with(p, refer=True)),
    "withdraw": lambda a, d, p: services.withdraw(a, d, p.dict()),
}
DONE = {
    "acknowledge": "已确认临时承办",
    "negotiate": "已记录协商情况",
    "agree": "已记录协商一致，会议纪要已生成",
    "apply": "已申请司法局协调，申请书已生成",
    "coordinate": "已记录协调一致，会议纪要已生成",
    "propose": "已提出处理建议并报县政府决定",
    "decide": "县政府决定已记录，争议办结",
    "refer": "已移送有权机关处理",
    "withdraw": "争议已撤回",
}
ACTION_POST = ActionPost(access.access_dispute, _detail, "disputes:detail", ACTIONS, DONE)


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return ACTION_POST.post(request, pk, action)
