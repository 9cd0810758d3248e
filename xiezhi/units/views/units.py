"""Pages: units (list, detail, form), sections, enforcement subjects and liaisons."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.core.actor import Actor
from xiezhi.units import access, exports, selectors, services
from xiezhi.units.models import County, Unit, UnitKind
from xiezhi.units.views.common import (
    FieldSpec,
    edit_form,
    filters_of,
    flag,
    get_actor,
    page_view,
    paged,
)

UNIT_FILTERS = ("q", "kind", "active", "subject")


def _unit_filters(request: HttpRequest) -> selectors.UnitFilters:
    p = request.GET
    return selectors.UnitFilters(
        q=p.get("q", "").strip(),
        kind=p.get("kind", "") if p.get("kind", "") in UnitKind.values else "",
        active=flag(p, "active"),
        is_enforcement_subject=flag(p, "subject"),
    )


@page_view
def unit_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    qs = selectors.search_units(actor, _unit_filters(request))
    today = timezone.localdate()
    fmt = request.GET.get("export")
    if fmt:
        rows = exports.unit_rows(qs, today)
        filters = filters_of(request.GET, UNIT_FILTERS)
        return exports.export(actor, "units", "单位名录", fmt, exports.UNIT_HEADERS, rows, filters)
    page = paged(request, qs)
    context = {
        "page": page,
        "rows": [{"unit": u, "review_due": selectors.subject_review_due(u, today)} for u in page.items],
        "kinds": UnitKind.choices,
        "params": request.GET,
        "can_manage": access.can_manage_directory(actor),
    }
    return render(request, "units/unit_list.html", context)


@page_view
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    unit = access.access_unit(actor, pk)
    people = selectors.people_for_listing(actor).filter(unit=unit).order_by("-active", "name")
    context = {
        "unit": unit,
        "people": people,
        "sections": unit.sections.order_by("name"),
        "children": unit.children.order_by("kind", "code"),
        "review_due": selectors.subject_review_due(unit, timezone.localdate()),
        "has_liaison": any(p.active and any(r.role == "liaison" for r in p.roles.all()) for p in people),
        "can_manage": access.can_manage_directory(actor),
    }
    return render(request, "units/unit_detail.html", context)


def _unit_fields(actor: Actor, unit: Unit | None) -> list[FieldSpec]:
    county_id = unit.county_id if unit else None
    parents = Unit.objects.visible_to(actor).filter(active=True)
    if county_id:
        parents = parents.filter(county_id=county_id)
    if unit is not None:
        parents = parents.exclude(pk=unit.pk)
    fields = [
        FieldSpec("code", "单位编码", required=True, max_length=40),
        FieldSpec("name", "单位名称", required=True, max_length=100),
        FieldSpec("short_name", "简称", max_length=30),
        FieldSpec("kind", "单位类型", "select", required=True, choices=UnitKind.choices),
    ]
    if unit is None:
        counties = [(c.pk, c.name) for c in County.objects.order_by("code")]
        fields.append(FieldSpec("county_id", "所属县", "select", required=True, choices=counties))
    fields += [
        FieldSpec(
            "parent_id",
            "上级单位",
            "select",
            choices=[(u.pk, f"{u.name}（{u.county.name}）") for u in parents.select_related("county")],
        ),
        FieldSpec("credit_code", "统一社会信用代码", max_length=18, help="18位，按GB 32100校验"),
        FieldSpec(
            "credit_code_override_reason",
            "校验未通过的说明",
            help="代码确实无误但未通过校验时填写理由，理由将被记录并记入审计日志",
            max_length=200,
        ),
        FieldSpec("is_enforcement_subject", "具有执法主体资格", "checkbox"),
        FieldSpec(
            "subject_legal_basis",
            "主体资格依据",
            "textarea",
            help="法律、法规授权或省级政府赋权决定的名称和条款",
            max_length=300,
        ),
        FieldSpec("subject_review_date", "主体资格审核日期", "date", help="执法主体名单每年审核一次"),
        FieldSpec("office_close", "下班时间", "time", help="为空时按17:30计算工作日时限"),
    ]
    return fields


def _unit_form(request: HttpRequest, unit: Unit | None) -> HttpResponse:
    actor = get_actor(request)
    fields = _unit_fields(actor, unit)
    return edit_form(
        request,
        fields=fields,
        initial={f.name: getattr(unit, f.name) for f in fields} if unit else {"county_id": ""},
        save=lambda data: (
            services.create_unit(actor, data) if unit is None else services.update_unit(actor, unit.pk, data)
        ),
        saved_message="单位信息已保存",
        success_url=lambda saved: reverse("units:unit_detail", kwargs={"pk": saved.pk}),
        template="units/unit_form.html",
        context={"unit": unit, "title": "修改单位" if unit else "新建单位"},
    )


@page_view
def unit_create(request: HttpRequest) -> HttpResponse:
    access.require_manage_directory(get_actor(request))
    return _unit_form(request, None)


@page_view
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.access_unit(get_actor(request), pk, "change")
    return _unit_form(request, unit)


@require_POST
@page_view
def unit_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    services.set_unit_active(get_actor(request), pk, active, request.POST.get("reason", ""))
    messages.success(request, "单位已启用" if active else "单位已停用")
    return redirect("units:unit_detail", pk=pk)


@require_POST
@page_view
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    services.create_section(get_actor(request), pk, request.POST.get("name", ""))
    messages.success(request, "内设机构已添加")
    return redirect("units:unit_detail", pk=pk)


@require_POST
@page_view
def section_delete(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    section = access.access_section(get_actor(request), section_id, "change")
    if section.unit_id != pk:
        return redirect("units:unit_detail", pk=pk)
    services.delete_section(get_actor(request), section_id)
    messages.success(request, "内设机构已删除")
    return redirect("units:unit_detail", pk=pk)


@page_view
def enforcement_subjects(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    today = timezone.localdate()
    due_only = request.GET.get("due") == "1"
    page = paged(request, selectors.enforcement_subjects(actor, today, due_only=due_only))
    rows = [{"unit": u, "review_due": selectors.subject_review_due(u, today)} for u in page.items]
    due_count = selectors.enforcement_subjects(actor, today, due_only=True).count()
    context = {
        "page": page,
        "rows": rows,
        "due_only": due_only,
        "due_count": due_count,
        "cutoff": selectors.review_cutoff(today),
    }
    return render(request, "units/subjects.html", context)


@page_view
def liaisons(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    context = {"liaisons": selectors.liaisons(actor), "gaps": selectors.liaison_gaps(actor)}
    return render(request, "units/liaisons.html", context)
