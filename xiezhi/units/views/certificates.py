"""Pages: the enforcement certificate register (list with flags, form, status changes)."""

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
from xiezhi.units import access, exports, selectors, services
from xiezhi.units.models import EXPIRY_WARNING_DAYS, Certificate, CertificateStatus, Person, Unit
from xiezhi.units.views.common import (
    FieldSpec,
    date_param,
    edit_form,
    filters_of,
    get_actor,
    int_param,
    page_view,
    paged,
)
from xiezhi.units.workflow import CERTIFICATE

CERTIFICATE_FILTERS = ("q", "unit", "status", "valid_on", "expiring", "expired")


@page_view
def certificate_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    access.require_read(actor)
    p = request.GET
    valid_on, date_error = date_param(p, "valid_on")
    filters = selectors.CertificateFilters(
        q=p.get("q", "").strip(),
        unit_id=int_param(p, "unit"),
        holder_id=int_param(p, "holder"),
        status=p.get("status", "") if p.get("status", "") in CertificateStatus.values else "",
        valid_on=valid_on,
        expiring=p.get("expiring") == "1",
        expired=p.get("expired") == "1",
    )
    today = timezone.localdate()
    qs = selectors.search_certificates(actor, filters, today)
    fmt = p.get("export")
    if fmt:
        return exports.export(
            actor,
            "certificates",
            "执法证登记",
            fmt,
            exports.CERTIFICATE_HEADERS,
            exports.certificate_rows(qs, today),
            filters_of(p, CERTIFICATE_FILTERS),
        )
    page = paged(request, qs)
    rows = [
        {
            "cert": c,
            "valid": c.is_valid_on(today),
            "soon": c.expires_soon(today),
            "expired": c.is_expired_on(today),
        }
        for c in page.items
    ]
    soon_count = selectors.search_certificates(
        actor, selectors.CertificateFilters(expiring=True), today
    ).count()
    context = {
        "page": page,
        "rows": rows,
        "params": p,
        "date_error": date_error,
        "statuses": CertificateStatus.choices,
        "units": Unit.objects.visible_to(actor).order_by("kind", "code"),
        "soon_count": soon_count,
        "warning_days": EXPIRY_WARNING_DAYS,
        "can_manage": access.can_manage_directory(actor),
    }
    return render(request, "units/certificate_list.html", context)


def _certificate_fields(actor: Actor) -> list[FieldSpec]:
    people = (
        Person.objects.visible_to(actor)
        .filter(active=True)
        .select_related("unit")
        .order_by("unit__code", "name")
    )
    return [
        FieldSpec("number", "证件编号", required=True, max_length=40),
        FieldSpec(
            "holder_id",
            "持证人",
            "select",
            required=True,
            choices=[(p.pk, f"{p.name}（{p.unit.name}）") for p in people],
        ),
        FieldSpec("issuing_authority", "发证机关", required=True, max_length=100),
        FieldSpec("fields", "执法领域", required=True, max_length=200, help="多个领域用顿号分隔"),
        FieldSpec("valid_from", "有效期起", "date", required=True),
        FieldSpec("valid_to", "有效期止", "date", required=True),
        FieldSpec("last_review_date", "最近年审日期", "date"),
    ]


def _certificate_form(request: HttpRequest, cert: Certificate | None) -> HttpResponse:
    actor = get_actor(request)
    fields = _certificate_fields(actor)
    initial: dict[str, Any] = {f.name: getattr(cert, f.name) for f in fields} if cert else {}
    if cert is None and request.GET.get("holder"):
        initial["holder_id"] = request.GET["holder"]
    actions = (
        [(a, CERTIFICATE.action_label(a)) for a in CERTIFICATE.allowed_actions(cert.status)] if cert else []
    )
    return edit_form(
        request,
        fields=fields,
        initial=initial,
        save=lambda data: (
            services.create_certificate(actor, data)
            if cert is None
            else services.update_certificate(actor, cert.pk, data)
        ),
        saved_message="执法证信息已保存",
        success_url=lambda _saved: reverse("units:certificate_list"),
        template="units/certificate_form.html",
        context={"cert": cert, "title": "修改执法证" if cert else "登记执法证", "actions": actions},
    )


@page_view
def certificate_create(request: HttpRequest) -> HttpResponse:
    access.require_manage_directory(get_actor(request))
    return _certificate_form(request, None)


@page_view
def certificate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _certificate_form(request, access.access_certificate(get_actor(request), pk, "change"))


@require_POST
@page_view
def certificate_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        services.change_certificate_status(get_actor(request), pk, action, request.POST.get("reason", ""))
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"执法证已{CERTIFICATE.action_label(action)}")
    return redirect("units:certificate_edit", pk=pk)
