"""Pages: people (list, detail, form, roles, account, unmasked phone)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, ValidationFailed
from xiezhi.rulebook.masking import mask_phone
from xiezhi.units import access, exports, selectors, services
from xiezhi.units.models import Person, Role, Section, Unit
from xiezhi.units.views.common import (
    FieldSpec,
    edit_form,
    filters_of,
    flag,
    get_actor,
    int_param,
    page_view,
    paged,
)

PERSON_FILTERS = ("q", "unit", "role", "active", "officer")


def _person_filters(request: HttpRequest) -> selectors.PersonFilters:
    p = request.GET
    # Lists show people on duty unless asked otherwise ("active=" shows everyone).
    active = flag(p, "active") if "active" in p else True
    return selectors.PersonFilters(
        q=p.get("q", "").strip(),
        unit_id=int_param(p, "unit"),
        role=p.get("role", "") if p.get("role", "") in Role.values else "",
        active=active,
        officer=flag(p, "officer"),
    )


@page_view
def person_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    qs = selectors.search_people(actor, _person_filters(request))
    fmt = request.GET.get("export")
    if fmt:
        filters = filters_of(request.GET, PERSON_FILTERS)
        return exports.export(
            actor, "people", "人员名录", fmt, exports.PERSON_HEADERS, exports.person_rows(qs), filters
        )
    page = paged(request, qs)
    context = {
        "page": page,
        "rows": [_row(p) for p in page.items],
        "units": Unit.objects.visible_to(actor).order_by("kind", "code"),
        "roles": Role.choices,
        "params": request.GET,
        "active_default": "1" if "active" not in request.GET else request.GET.get("active", ""),
        "can_manage": access.can_manage_directory(actor),
    }
    return render(request, "units/person_list.html", context)


def _row(person: Person) -> dict[str, Any]:
    officer = bool(getattr(person, "is_officer", False))
    return {
        "person": person,
        "phone": mask_phone(person.phone) if person.phone else "",
        "is_officer": officer,
        "category": selectors.category_label(officer, person.unit.kind),
        "roles": [r.get_role_display() for r in person.roles.all()],
    }


@page_view
def person_detail(request: HttpRequest, pk: int, unmasked_phone: str | None = None) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    access.access_person(actor, pk)
    person = selectors.people_for_listing(actor).get(pk=pk)
    today = timezone.localdate()
    held = {r.role for r in person.roles.all()}
    account = getattr(person, "account", None)
    context = {
        "row": _row(person),
        "person": person,
        "unmasked_phone": unmasked_phone,
        "certificates": [
            {
                "cert": c,
                "valid": c.is_valid_on(today),
                "soon": c.expires_soon(today),
                "expired": c.is_expired_on(today),
            }
            for c in person.certificates.order_by("-valid_to")
        ],
        "grantable": [(value, label) for value, label in Role.choices if value not in held],
        "account": account,
        "can_manage": access.can_manage_directory(actor),
        "can_manage_roles": access.can_manage_roles(actor),
    }
    return render(request, "units/person_detail.html", context)


@require_POST
@page_view
def person_reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    phone = services.reveal_phone(get_actor(request), pk)
    return person_detail(request, pk, unmasked_phone=phone or "（未登记）")


def _person_fields(actor: Actor) -> list[FieldSpec]:
    units = (
        Unit.objects.visible_to(actor)
        .filter(active=True)
        .select_related("county")
        .order_by("county_id", "kind", "code")
    )
    sections = Section.objects.filter(unit__in=units).select_related("unit").order_by("unit__code", "name")
    return [
        FieldSpec("unit_id", "所属单位", "select", required=True, choices=[(u.pk, u.name) for u in units]),
        FieldSpec("section_id", "内设机构", "select", choices=[(s.pk, f"{s.unit.name} · {s.name}") for s in sections],
                  help="内设机构只是人员归属，不能以自己的名义对外行文或作出决定"),
        FieldSpec("name", "姓名", required=True, max_length=50),
        FieldSpec("post", "职务", max_length=50),
        FieldSpec("phone", "联系电话", help="手机号码或带区号的固定电话", max_length=30),
    ]  # fmt: skip


def _person_form(request: HttpRequest, person: Person | None) -> HttpResponse:
    actor = get_actor(request)
    fields = _person_fields(actor)
    initial: dict[str, Any] = {f.name: getattr(person, f.name) for f in fields} if person else {}
    if person is None and request.GET.get("unit"):
        initial["unit_id"] = request.GET["unit"]
    return edit_form(
        request,
        fields=fields,
        initial=initial,
        save=lambda data: (
            services.create_person(actor, data)
            if person is None
            else services.update_person(actor, person.pk, data)
        ),
        saved_message="人员信息已保存",
        success_url=lambda saved: reverse("units:person_detail", kwargs={"pk": saved.pk}),
        template="units/person_form.html",
        context={"person": person, "title": "修改人员" if person else "新增人员"},
    )


@page_view
def person_create(request: HttpRequest) -> HttpResponse:
    access.require_manage_directory(get_actor(request))
    return _person_form(request, None)


@page_view
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_form(request, access.access_person(get_actor(request), pk, "change"))


@require_POST
@page_view
def person_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    services.set_person_active(get_actor(request), pk, active, request.POST.get("reason", ""))
    messages.success(request, "已恢复在岗" if active else "已停用")
    return redirect("units:person_detail", pk=pk)


@require_POST
@page_view
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.grant_role(get_actor(request), pk, request.POST.get("role", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "角色已授予")
    return redirect("units:person_detail", pk=pk)


@require_POST
@page_view
def role_revoke(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    services.revoke_role(get_actor(request), pk, role, request.POST.get("reason", ""))
    messages.success(request, "角色已撤销")
    return redirect("units:person_detail", pk=pk)


@require_POST
@page_view
def account_link(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.link_account(get_actor(request), pk, request.POST.get("username", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "账号已关联")
    return redirect("units:person_detail", pk=pk)


@require_POST
@page_view
def account_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    services.unlink_account(get_actor(request), pk)
    messages.success(request, "已解除账号关联")
    return redirect("units:person_detail", pk=pk)
