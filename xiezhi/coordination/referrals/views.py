"""Referral pages: the inbox of each role, the report form, the detail with timeline, materials
checklist and steps; penalty decisions with the 以罚代刑 guard; police support requests."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.catalogue.models import Matter
from xiezhi.coordination.common.views import ActionPost, listing
from xiezhi.coordination.models import PoliceSupportRequest, Referral
from xiezhi.coordination.referrals import access, selectors, services
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines.selectors import for_subject
from xiezhi.documents.selectors import documents_for
from xiezhi.rulebook import referral_flow as flow
from xiezhi.units.models import Unit, UnitKind
from xiezhi.units.selectors import officers

_actor = request_actor
page_view = page_view_with(back_url="referrals:list", back_label="返回行刑衔接")

# The inbox heading and the states "waiting for me" per kind of unit (R-CR-02 restricted views).
INBOX = {
    UnitKind.POLICE: ("公安机关：接收的涉嫌犯罪案件", {"transferred", "received", "reconsidering"}),
    UnitKind.PROCURATORATE: ("检察院：行刑衔接立案监督", {"supervision"}),
    UnitKind.COURT: ("法院：案件结果通知", set()),
}
UNIT_TODO = {"reported", "approved", "declined", "upheld", "filed"}


def _inbox(actor: Actor) -> tuple[str, set[str]]:
    kind = actor.unit.kind if actor.unit else ""
    return INBOX.get(kind, ("行刑衔接：涉嫌犯罪案件移送", UNIT_TODO))  # type: ignore[call-overload,no-any-return]


@page_view
def referral_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    title, todo = _inbox(actor)
    qs = selectors.filtered(
        access.visible_to(actor), status=request.GET.get("status", "").strip(), q=request.GET.get("q", "")
    )
    if request.GET.get("todo") and todo:
        qs = qs.filter(status__in=todo)
    qs = qs.order_by("-id")
    if request.GET.get("export") == "csv":
        record(actor, "referral.export", None, after={"count": qs.count()})
        rows = [
            (
                r.pk,
                r.unit.name,
                r.party,
                r.offence,
                r.police.name,
                r.status_label,
                timezone.localtime(r.reported_at).strftime("%Y-%m-%d %H:%M"),
            )
            for r in qs[:5000]
        ]
        return csv_response(
            "行刑衔接移送案件.csv",
            ["编号", "移送机关", "当事人", "涉嫌罪名", "公安机关", "状态", "报告时间"],
            rows,
            ascii_name="referrals.csv",
        )
    page, query = listing(request, qs)
    return render(
        request,
        "coordination/referrals/list.html",
        {
            "title": title,
            "page": page,
            "params": request.GET,
            "query": query,
            "statuses": [("open", "未办结"), *flow.REFERRAL.states.items()],
            "has_todo": bool(todo),
            "is_enforcer": access.is_enforcer(actor),
            "sees_penalties": access.is_enforcer(actor)
            or actor.is_county_wide
            or (actor.unit is not None and actor.unit.kind == UnitKind.PROCURATORATE),
        },
    )


def _form_context(actor: Actor, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    assert actor.unit is not None
    return {
        "values": values,
        "errors": errors,
        "team_selected": [str(x) for x in values.get("team", [])],
        "officers": officers(actor.unit, timezone.localdate()).order_by("name"),
        "people": actor.unit.people.filter(active=True).order_by("name"),  # type: ignore[attr-defined]
        "police_units": Unit.objects.filter(
            county_id=actor.unit.county_id, kind=UnitKind.POLICE, active=True
        ),
        "matters": Matter.objects.filter(county_id=actor.unit.county_id).order_by("code")[:500],
    }


def _values(post: QueryDict, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: post.get(n, "") for n in names if post.get(n, "") != ""}


@page_view
def new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    if not access.is_enforcer(actor):
        raise NotFound("页面不存在或您无权访问")
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = _values(request.POST, ("party", "offence", "facts", "report", "police", "matter"))
        values["team"] = request.POST.getlist("team")
        try:
            r = services.report_suspicion(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "移送报告已提交负责人审批（3日内决定）")
            return redirect("referrals:detail", r.pk)
    return render(
        request, "coordination/referrals/form.html", _form_context(actor, values, errors), status=status
    )


def _detail(request: HttpRequest, r: Referral, error: XiezhiError | None = None) -> HttpResponse:
    actor = _actor(request)
    ct = ContentType.objects.get_for_model(Referral)
    checklist = [
        {
            "key": k,
            "label": label,
            "value": "见移送书" if k == "referral_letter" and r.letter_id else r.materials.get(k, ""),
        }
        for k, label in flow.MATERIALS.items()
    ]
    return render(
        request,
        "coordination/referrals/detail.html",
        {
            "r": r,
            "team": r.team.order_by("pk"),
            "allowed": services.allowed_actions(actor, r),
            "events": r.events.select_related("document").order_by("at", "id"),  # type: ignore[attr-defined]
            "documents": documents_for(actor, r),
            "obligations": list(
                for_subject(ct.pk, str(r.pk)).select_related("unit").order_by("opened_at", "pk")
            ),
            "checklist": checklist,
            "supplied": flow.SUPPLIED_MATERIALS,
            "materials": flow.MATERIALS,
            "error": error,
            "penalties": r.penalties.order_by("-id"),  # type: ignore[attr-defined]
        },
        status=error.status if error else 200,
    )


@page_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.access_referral(_actor(request), pk))


DONE = {
    "approve": "已批准移送，请在24小时内移送公安机关",
    "reject": "已记录不批准移送的理由",
    "transfer": "已移送公安机关，移送书已生成",
    "receive": "已签收，请在3日内审查决定是否立案",
    "forward": "已转送有管辖权的机关并书面告知移送机关",
    "file": "已立案，已通知移送机关",
    "decline": "已作出不予立案决定并通知移送机关",
    "reconsider_file": "复议后已立案",
    "reconsider_uphold": "已维持不予立案决定",
    "accept_decline": "已接受不予立案决定，行政处理继续",
    "reconsider": "已提请复议",
    "supervise": "已建议检察院进行立案监督",
    "supervision_file": "已通知公安机关立案",
    "supervision_close": "已记录立案监督结果",
    "hand_over": "已移交涉案物品及材料",
}
ACTION_POST = ActionPost(
    access.access_referral, _detail, "referrals:detail", services.ACTIONS, DONE, as_dict=True
)


@page_view
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return ACTION_POST.post(request, pk, action)


# --- penalties ---------------------------------------------------------------------------------


@page_view
def penalties(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    can_record = access.is_enforcer(actor)
    if request.method == "POST":
        if not can_record:
            raise NotFound("页面不存在或您无权访问")
        values = _values(
            request.POST, ("party", "decision_number", "amount", "decided_on", "matter", "crime_suspected")
        )
        try:
            p = services.record_penalty_decision(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            if p.alert:
                messages.warning(
                    request, f"处罚决定已登记，但{p.alert_reason}。已向司法局和检察院发出以罚代刑预警。"
                )
            else:
                messages.success(request, "处罚决定已登记")
            return redirect("referrals:penalties")
    qs = selectors.penalties(
        access.penalties_visible_to(actor), alert=bool(request.GET.get("alert")), q=request.GET.get("q", "")
    ).order_by("-id")
    if request.GET.get("export") == "csv":
        record(actor, "penalty.export", None, after={"count": qs.count()})
        rows = [
            (
                p.unit.name,
                p.decision_number,
                p.party,
                p.amount,
                p.decided_on.isoformat(),
                "是" if p.alert else "否",
                p.alert_reason,
            )
            for p in qs[:5000]
        ]
        header = ["处罚机关", "文号", "当事人", "金额（元）", "决定日期", "以罚代刑预警", "预警原因"]
        return csv_response("行政处罚决定.csv", header, rows, ascii_name="penalties.csv")
    page, query = listing(request, qs)
    matters = (
        Matter.objects.filter(county_id=actor.unit.county_id).order_by("code")[:500] if actor.unit else []
    )
    return render(
        request,
        "coordination/referrals/penalties.html",
        {
            "page": page,
            "query": query,
            "params": request.GET,
            "values": values,
            "errors": errors,
            "can_record": can_record,
            "matters": matters,
        },
        status=status,
    )


# --- police support ----------------------------------------------------------------------------


@page_view
def supports(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require_business(actor)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    can_request = access.is_enforcer(actor)
    if request.method == "POST":
        if not can_request:
            raise NotFound("页面不存在或您无权访问")
        values = _values(
            request.POST, ("kind", "occurred_at", "location", "description", "officers_on_scene", "police")
        )
        try:
            s = services.request_support(actor, values)
        except ValidationFailed as exc:
            errors, status = exc.details or {"__all__": [exc.message]}, exc.status
        else:
            messages.success(request, "已即时通知公安机关出警")
            return redirect("referrals:support_detail", s.pk)
    page, query = listing(
        request, access.supports_visible_to(actor).select_related("unit", "police").order_by("-id")
    )
    return render(
        request,
        "coordination/referrals/supports.html",
        {
            "page": page,
            "query": query,
            "values": values,
            "errors": errors,
            "can_request": can_request,
            "kinds": list(flow.OBSTRUCTION_KINDS.items()),
        },
        status=status,
    )


def _support_detail(
    request: HttpRequest, s: PoliceSupportRequest, error: XiezhiError | None = None
) -> HttpResponse:
    actor = _actor(request)
    ct = ContentType.objects.get_for_model(PoliceSupportRequest)
    return render(
        request,
        "coordination/referrals/support_detail.html",
        {
            "s": s,
            "can_respond": s.status == "requested" and access.can_respond(actor, s),
            "error": error,
            "obligations": list(for_subject(ct.pk, str(s.pk)).select_related("unit")),
        },
        status=error.status if error else 200,
    )


@page_view
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _support_detail(request, access.access_support(_actor(request), pk))


SUPPORT_POST = ActionPost(
    access.access_support,
    _support_detail,
    "referrals:support_detail",
    {"respond": services.respond_support},
    {"respond": "已记录出警处置情况"},
    as_dict=True,
)


@page_view
@require_POST
def support_respond(request: HttpRequest, pk: int) -> HttpResponse:
    return SUPPORT_POST.post(request, pk, "respond")
