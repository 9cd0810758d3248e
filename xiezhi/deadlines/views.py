"""Pages: 我的待办 (my tasks / county view), one obligation with its history and actions, the calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.core.exports import csv_response
from xiezhi.core.pagination import paginate
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.deadlines import calendar_services, computing, selectors, services
from xiezhi.deadlines.access import access_obligation
from xiezhi.deadlines.calendar_view import year_grid
from xiezhi.deadlines.models import CalendarOverride, Obligation
from xiezhi.deadlines.schemas import allowed_actions
from xiezhi.rulebook.periods import get_limit
from xiezhi.rulebook.workdays import FIRST_YEAR, LAST_YEAR, WorkCalendar
from xiezhi.rulebook.workflows import OBLIGATION
from xiezhi.units.models import Unit

EXPORT_MAX = 10000


_actor = request_actor
# Signed-in pages; the deadlines error page keeps its own wording.
deadline_page = page_view_with(template="deadlines/error.html")


def _business(actor: Actor) -> None:
    if not actor.can_act_in_business:
        raise PermissionDenied("管理员账号不办理业务，没有待办事项")


def _rule_text(rule_id: str) -> str:
    try:
        return get_limit(rule_id).description_zh
    except KeyError:
        return ""


def _rows(obs: list[Obligation], calendar: WorkCalendar) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for ob in obs:
        left = computing.as_due(ob).remaining_workdays(now, calendar) if ob.is_active else None
        css = ""
        if ob.status == "overdue" or (left is not None and left < 0):
            css = "overdue"
        elif ob.status == "open" and left is not None and left <= 1:
            css = "due-soon"
        rows.append(
            {
                "ob": ob,
                "left": left,
                "css": css,
                "status_label": OBLIGATION.state_label(ob.status),
                "rule_text": _rule_text(ob.rule_id),
            }
        )
    return rows


@deadline_page
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _business(actor)
    assert actor.unit is not None
    wide = selectors.sees_beyond_own_unit(actor)
    view = request.GET.get("view", "unit") if wide else "unit"
    status = request.GET.get("status", "active") or "active"
    if status != "active" and status not in OBLIGATION.states:
        raise ValidationFailed.field("status", "状态无效")
    rule = request.GET.get("rule", "").strip()
    unit_id: int | None = None
    if view == "all" and request.GET.get("unit"):
        try:
            unit_id = int(request.GET["unit"])
        except ValueError:
            raise ValidationFailed.field("unit", "单位无效") from None
    base = selectors.visible_to(actor)
    if view != "all":
        base = base.filter(unit_id=actor.unit.pk)
    qs = selectors.filtered(
        base,
        unit=unit_id,
        status=status,
        rule=rule or None,
        due_before=selectors.parse_due_before(request.GET.get("due_before")),
    )
    qs = qs.order_by("due_at", "pk")
    if request.GET.get("format") == "csv":
        return _export(actor, qs, view)
    page = paginate(qs, request.GET.get("page", 1), request.GET.get("page_size", 20))
    calendar = WorkCalendar.default()
    units = (
        Unit.objects.filter(pk__in=selectors.visible_to(actor).values("unit_id")).order_by("kind", "code")
        if wide
        else []
    )
    own_rate = selectors.on_time_counts(Obligation.objects.filter(unit_id=actor.unit.pk))
    scope_rate = (
        selectors.on_time_counts(selectors.filtered(base, unit=unit_id, rule=rule or None))
        if view == "all"
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "deadlines/my_tasks.html",
        {
            "rows": _rows(page.items, calendar),
            "page": page,
            "view": view,
            "wide": wide,
            "status": status,
            "rule": rule,
            "unit_id": unit_id,
            "units": units,
            "own_rate": own_rate,
            "scope_rate": scope_rate,
            "statuses": [("active", "未办结"), *OBLIGATION.states.items()],
            "query": query.urlencode(),
            "is_county_wide": actor.is_county_wide,
        },
    )


def _export(actor: Actor, qs: Any, view: str) -> HttpResponse:
    header = ["编号", "规则", "责任单位", "事项", "起算时间", "时限", "截止时间", "状态", "完成时间", "暂定"]
    rows = list(qs[:EXPORT_MAX])
    lines = [
        [
            ob.pk,
            ob.rule_id,
            ob.unit.name,
            ob.subject_label,
            timezone.localtime(ob.opened_at).isoformat(),
            ob.period,
            timezone.localtime(ob.due_at).isoformat(),
            OBLIGATION.state_label(ob.status),
            timezone.localtime(ob.met_at).isoformat() if ob.met_at else "",
            "是" if ob.provisional else "否",
        ]
        for ob in rows
    ]
    with transaction.atomic():
        record(
            actor,
            "obligation.exported",
            ("deadlines.obligation", "", "时限义务导出"),
            after={"rows": len(rows), "view": view},
        )
    return csv_response("obligations.csv", header, lines)


@deadline_page
def obligation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    _business(actor)
    ob = access_obligation(actor, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action == "extend":
                services.extend(actor, ob, request.POST.get("period", "").strip(), reason)
            elif action in ("suspend", "resume", "waive"):
                getattr(services, action)(actor, ob, reason)
            else:
                raise ValidationFailed.field("action", "未知操作")
        except ValidationFailed as exc:
            errors = exc.details or {"__all__": [exc.message]}
        else:
            messages.success(request, f"已{OBLIGATION.action_label(action)}")
            return redirect("deadlines:obligation", pk=ob.pk)
    calendar = WorkCalendar.default()
    ob = access_obligation(actor, pk)
    row = _rows([ob], calendar)[0]
    return render(
        request,
        "deadlines/obligation.html",
        {
            "ob": ob,
            "row": row,
            "events": ob.events.order_by("at", "pk"),
            "actions": allowed_actions(actor, ob),
            "errors": errors,
            "form": request.POST if errors else {},
        },
        status=422 if errors else 200,
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or str(timezone.localdate().year)
    try:
        year = int(raw)
    except ValueError:
        raise ValidationFailed.field("year", "年份无效") from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed.field("year", f"年份须在{FIRST_YEAR}至{LAST_YEAR}之间")
    return year


def _is_calendar_admin(actor: Actor) -> bool:
    return actor.admin_role == "sysadmin"


@deadline_page
def calendar_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request)
    return _render_calendar(request, actor, year)


def _render_calendar(
    request: HttpRequest, actor: Actor, year: int, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    calendar = WorkCalendar.default()
    overrides = CalendarOverride.objects.filter(date__gte=date(year - 1, 12, 1), date__lte=date(year, 12, 31))
    return render(
        request,
        "deadlines/calendar.html",
        {
            "year": year,
            "months": year_grid(calendar, year),
            "provisional": year not in calendar.notice_years,
            "years": [y for y in range(year - 3, year + 3) if FIRST_YEAR <= y <= LAST_YEAR],
            "prev_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "overrides": overrides,
            "is_admin": _is_calendar_admin(actor),
            "errors": errors or [],
            "form": request.POST if errors else {},
        },
        status=status,
    )


def _after_change(request: HttpRequest, result: calendar_services.ChangeResult, year: int) -> HttpResponse:
    if result.changed:
        messages.success(
            request,
            f"已保存：新增{result.created}条、修改{result.updated}条、删除{result.deleted}条；"
            f"重新计算了{len(result.recomputed)}项未办结时限",
        )
    else:
        messages.success(request, "数据与现有记录相同，未作修改")
    return redirect(f"{reverse('deadlines:calendar')}?year={year}")


@deadline_page
@require_POST
def calendar_override(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    calendar_services.require_calendar_admin(actor)
    year = _year(request)
    try:
        result = calendar_services.set_override(
            actor,
            day=request.POST.get("date", "").strip(),
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            source=request.POST.get("source", ""),
        )
    except ValidationFailed as exc:
        return _render_calendar(
            request, actor, year, errors=exc.details.get("rows", [exc.message]), status=422
        )
    return _after_change(request, result, year)


@deadline_page
@require_POST
def calendar_delete(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    calendar_services.require_calendar_admin(actor)
    year = _year(request)
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        return _render_calendar(request, actor, year, errors=["日期无效"], status=422)
    try:
        result = calendar_services.delete_override(actor, day, request.POST.get("reason", ""))
    except ValidationFailed as exc:
        return _render_calendar(request, actor, year, errors=[exc.message], status=422)
    return _after_change(request, result, year)


@deadline_page
@require_POST
def calendar_import(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    calendar_services.require_calendar_admin(actor)
    year = _year(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _render_calendar(request, actor, year, errors=["请选择要导入的 CSV 文件"], status=422)
    if upload.size is not None and upload.size > 1_000_000:
        return _render_calendar(request, actor, year, errors=["文件过大（上限1MB）"], status=422)
    try:
        result = calendar_services.import_csv(actor, upload.read(), origin=f"上传文件 {upload.name}"[:200])
    except ValidationFailed as exc:
        return _render_calendar(
            request, actor, year, errors=exc.details.get("rows", [exc.message]), status=422
        )
    return _after_change(request, result, year)
