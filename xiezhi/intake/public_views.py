"""The public side (§5): report without signing in, track with the code. No personal data shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from xiezhi.accounts.actors import client_ip
from xiezhi.core.actor import SYSTEM
from xiezhi.core.errors import ValidationFailed, XiezhiError
from xiezhi.intake import selectors, services
from xiezhi.units.models import County, Unit, UnitKind

PUBLIC_FIELDS = ("text", "township", "address", "observed_at", "anonymous", "reporter_name", "reporter_phone")
HONEYPOT = "website"


def _county() -> County | None:
    return County.objects.order_by("id").first()


@never_cache
def report(request: HttpRequest) -> HttpResponse:
    county = _county()
    townships = (
        Unit.objects.filter(county=county, kind=UnitKind.TOWNSHIP, active=True).order_by("code")
        if county
        else []
    )
    context: dict[str, object] = {"townships": townships, "values": {}, "honeypot": HONEYPOT}
    if request.method == "POST":
        context["values"] = request.POST
        try:
            if request.POST.get(HONEYPOT) or county is None:
                # A bot filled the invisible field: refuse without saying why.
                raise ValidationFailed("提交失败，请稍后再试")
            data = {k: request.POST.get(k, "") for k in PUBLIC_FIELDS}
            uploads = [
                (f.name or "file", f.read())
                for f in request.FILES.getlist("attachments")[: services.MAX_ATTACHMENTS + 1]
            ]
            created = services.create_public_report(
                data, client_ip(request) or "", county.pk, uploads, system=SYSTEM
            )
            return render(request, "intake/public_done.html", {"code": created.tracking_code})
        except XiezhiError as exc:
            context["error"] = exc
            return render(request, "intake/public_form.html", context, status=exc.status)
    return render(request, "intake/public_form.html", context)


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    found = selectors.by_tracking_code(code) if code else None
    view = selectors.public_view(found) if found else None
    status = 404 if code and found is None else 200
    return render(request, "intake/public_track.html", {"code": code, "view": view}, status=status)
