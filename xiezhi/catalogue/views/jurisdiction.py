"""Pages: "who is competent?" and the enforcement-subject list (R-CAT-07)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezhi.catalogue import access, selectors, services
from xiezhi.catalogue.models import SubjectList
from xiezhi.catalogue.views.common import date_param, get_actor, page_view
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook import jurisdiction as jr


@page_view
def jurisdiction(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    townships = selectors.townships_of(county_id)
    matter = request.GET.get("matter", "").strip()
    township = request.GET.get("township", "").strip()
    on_date, date_error = date_param(request.GET, "date")
    result: jr.Resolution | None = None
    errors: dict[str, list[str]] = {}
    if date_error:
        errors["date"] = [date_error]
    elif matter and township:
        # The matter box accepts "CODE name" as offered by the search list.
        code = matter.split()[0]
        try:
            result = services.resolve(
                code, services.find_township(township, county_id), on_date or timezone.localdate()
            )
        except ValidationFailed as exc:
            errors = exc.details or {"__all__": [exc.message]}
    return render(
        request,
        "catalogue/jurisdiction.html",
        {
            "townships": townships,
            "matter": matter,
            "township": township,
            "date": (on_date or timezone.localdate()).isoformat(),
            "result": result,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@page_view
def subjects(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    county_id = access.require_reader(actor)
    today = timezone.localdate()
    entries = services.subject_entries(county_id)
    for e in entries:
        reviewed = e["review_date"]
        e["review_due"] = (
            not reviewed or (today - date.fromisoformat(reviewed)).days > services.SUBJECT_REVIEW_DAYS
        )
    return render(
        request,
        "catalogue/subjects.html",
        {
            "entries": entries,
            "lists": SubjectList.objects.filter(county_id=county_id).order_by("-published_at")[:10],
            "can_publish": access.can_manage(actor),
        },
    )


@page_view
@require_POST
def subjects_publish(request: HttpRequest) -> HttpResponse:
    published = services.publish_subject_list(get_actor(request), note=request.POST.get("note", ""))
    messages.success(request, f"已公布{published.year}年度行政执法主体名单（{len(published.entries)}个）")
    return redirect("catalogue:subjects")
