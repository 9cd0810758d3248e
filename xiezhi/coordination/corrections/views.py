"""Correction opinion, feedback and evidence pages: lists with filters and CSV, forms, details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.audit.services import record
from xiezhi.coordination.assistance.views import form_values, obligations_for
from xiezhi.coordination.common.views import ActionPost, listing
from xiezhi.coordination.corrections import access, evidence, selectors, services
from xiezhi.coordination.corrections.models import CorrectionOpinion, Feedback
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotFound, PermissionDenied, ValidationFailed, XiezhiError
from xiezhi.core.exports import csv_response
from xiezhi.core.web import page_view_with, request_actor
from xiezhi.documents.selectors import documents_for
from xiezhi.rulebook.corrections_flow import CORRECTION, FEEDBACK, FEEDBACK_DIRECTIONS
from xiezhi.units.models import Unit, UnitKind

page_view = page_view_with(back_url="corrections:list", back_label="返回纠错意见")

OPINION_FIELDS = (
    "township",
    "subject",
    "case_reference",
    "findings",
    "legal_basis",
    "requirements",
    "due_on",
)
FEEDBACK_FIELDS = ("direction", "recipient", "subject", "case_reference", "content", "loophole")
CITE_FIELDS = ("origin_kind", "origin_id", "sha256", "cited_in", "purpose")


def _export(actor: Actor, what: str, name: str, header: Any, rows: Any, qs: QuerySet[Any]) -> HttpResponse:
    record(actor, f"{what}.exported", (what, "", name), after={"rows": qs.count()})
    return csv_response(f"{name}.csv", header, rows(qs), ascii_name=f"{what}.csv")


def _form(
    request: HttpRequest, names: tuple[str, ...], create: Callable[[Actor, dict[str, Any]], Any], done: str
) -> tuple[Any, dict[str, Any], dict[str, list[str]], int]:
    actor = request_actor(request)
    values: dict[str, Any] = dict(request.GET.items()) if request.method == "GET" else {}
    if request.method != "POST":
        return None, values, {}, 200
    values = form_values(request.POST, names)
    try:
        obj = create(actor, values)
    except ValidationFailed as exc:
        return None, values, exc.details or {"__all__": [exc.message]}, exc.status
    messages.success(request, done)
    return obj, values, {}, 200


def _units(actor: Actor, *kinds: str) -> QuerySet[Unit]:
    assert actor.unit is not None
    return (
        Unit.objects.filter(county_id=actor.unit.county_id, active=True, kind__in=kinds)
        .exclude(pk=actor.unit.pk)
        .order_by("kind", "code")
    )


# --- correction opinions -------------------------------------------------------------------------------


@page_view
def opinion_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    g = request.GET
    qs = selectors.filtered_opinions(
        access.visible_opinions(actor), status=g.get("status", ""), q=g.get("q", "")
    )
    if g.get("format") == "csv":
        return _export(actor, "correction", "纠错意见", selectors.OPINION_HEADER, selectors.opinion_rows, qs)
    page, query = listing(request, qs, keep_format=False)
    return render(request, "coordination/corrections/list.html", {
        "page": page, "params": g, "query": query, "statuses": list(CORRECTION.states.items()),
        "can_issue": access.can_issue(actor),
    })  # fmt: skip


@page_view
def opinion_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    if not access.can_issue(actor):
        raise PermissionDenied("只有县级部门可以提出纠错意见（R-CO-08）")
    obj, values, errors, status = _form(
        request, OPINION_FIELDS, services.issue_opinion, "纠错意见已发出，已抄送司法局"
    )
    if obj is not None:
        return redirect("corrections:detail", obj.pk)
    return render(request, "coordination/corrections/form.html", {
        "values": values, "errors": errors, "townships": _units(actor, UnitKind.TOWNSHIP),
    }, status=status)  # fmt: skip


def _opinion_detail(
    request: HttpRequest, o: CorrectionOpinion, error: XiezhiError | None = None
) -> HttpResponse:
    actor = request_actor(request)
    return render(request, "coordination/corrections/detail.html", {
        "o": o, "allowed": services.opinion_actions(actor, o), "events": o.events.order_by("at", "id"),  # type: ignore[attr-defined]
        "obligations": obligations_for(o), "error": error, "documents": documents_for(actor, o),
    }, status=error.status if error else 200)  # fmt: skip


@page_view
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _opinion_detail(request, access.access_opinion(request_actor(request), pk))


OPINION_ACTIONS: dict[str, Callable[[Actor, CorrectionOpinion, dict[str, Any]], Any]] = {
    "answer": services.answer_opinion,
    "confirm": services.confirm_opinion,
    "reopen": services.reopen_opinion,
    "withdraw": services.withdraw_opinion,
}
OPINION_DONE = {
    "answer": "已答复整改情况",
    "confirm": "已确认整改",
    "reopen": "已要求继续整改",
    "withdraw": "纠错意见已撤回",
}
OPINION_POST = ActionPost(
    access.access_opinion, _opinion_detail, "corrections:detail", OPINION_ACTIONS, OPINION_DONE, as_dict=True
)


@page_view
@require_POST
def opinion_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return OPINION_POST.post(request, pk, action)


# --- feedback -----------------------------------------------------------------------------------------


@page_view
def feedback_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    g = request.GET
    qs = selectors.filtered_feedback(
        access.visible_feedback(actor),
        status=g.get("status", ""),
        direction=g.get("direction", ""),
        q=g.get("q", ""),
    )
    if g.get("format") == "csv":
        return _export(
            actor, "feedback", "监管执法反馈", selectors.FEEDBACK_HEADER, selectors.feedback_rows, qs
        )
    page, query = listing(request, qs, keep_format=False)
    return render(request, "coordination/corrections/feedback_list.html", {
        "page": page, "params": g, "query": query, "statuses": list(FEEDBACK.states.items()),
        "directions": list(FEEDBACK_DIRECTIONS.items()), "can_send": access.can_send_feedback(actor),
    })  # fmt: skip


@page_view
def feedback_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    if not access.can_send_feedback(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门可以发送反馈（R-CO-09）")
    obj, values, errors, status = _form(request, FEEDBACK_FIELDS, services.send_feedback, "反馈已发送")
    if obj is not None:
        return redirect("corrections:feedback_detail", obj.pk)
    return render(request, "coordination/corrections/feedback_form.html", {
        "values": values, "errors": errors, "directions": list(FEEDBACK_DIRECTIONS.items()),
        "units": _units(actor, UnitKind.TOWNSHIP, UnitKind.DEPARTMENT),
    }, status=status)  # fmt: skip


def _feedback_detail(request: HttpRequest, f: Feedback, error: XiezhiError | None = None) -> HttpResponse:
    actor = request_actor(request)
    return render(request, "coordination/corrections/feedback_detail.html", {
        "f": f, "can_answer": f.status == "sent" and access.may_answer_feedback(actor, f),
        "events": f.events.order_by("at", "id"), "obligations": obligations_for(f), "error": error,  # type: ignore[attr-defined]
    }, status=error.status if error else 200)  # fmt: skip


@page_view
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _feedback_detail(request, access.access_feedback(request_actor(request), pk))


FEEDBACK_POST = ActionPost(
    access.access_feedback,
    _feedback_detail,
    "corrections:feedback_detail",
    {"answer": services.answer_feedback},
    {"answer": "已答复"},
    as_dict=True,
)


@page_view
@require_POST
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return FEEDBACK_POST.post(request, pk, "answer")


# --- evidence -----------------------------------------------------------------------------------------


@page_view
def evidence_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    qs = selectors.filtered_citations(access.visible_citations(actor), q=request.GET.get("q", ""))
    if request.GET.get("format") == "csv":
        return _export(
            actor, "evidence", "证据互认引用", selectors.CITATION_HEADER, selectors.citation_rows, qs
        )
    page, query = listing(request, qs, keep_format=False)
    return render(request, "coordination/corrections/evidence_list.html", {
        "page": page, "params": request.GET, "query": query, "can_cite": access.can_cite(actor),
    })  # fmt: skip


@page_view
def evidence_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    access.require_business(actor)
    if not access.can_cite(actor):
        raise PermissionDenied("只有乡镇（街道）或县级部门的执法人员可以引用证据（R-CO-07）")
    try:
        obj, values, errors, status = _form(
            request, CITE_FIELDS, services.cite_evidence, "已引用证据，无需重复上传"
        )
    except NotFound as exc:  # a source the actor cannot see is a form error, not a missing page
        values, errors, status, obj = (
            form_values(request.POST, CITE_FIELDS),
            {"origin_id": [exc.message]},
            422,
            None,
        )
    if obj is not None:
        return redirect("corrections:evidence_chain", obj.sha256)
    return render(request, "coordination/corrections/evidence_form.html", {
        "values": values, "errors": errors, "kinds": evidence.kinds(),
    }, status=status)  # fmt: skip


@page_view
def evidence_chain(request: HttpRequest, sha256: str) -> HttpResponse:
    """保管链: where the file came from (the sources the actor can see) and every citation of it."""
    actor = request_actor(request)
    access.require_business(actor)
    sha = services.clean_sha256(sha256)
    citations = list(
        access.visible_citations(actor).filter(sha256=sha).select_related("origin_unit", "citing_unit")
    )
    sources = evidence.find_by_hash(actor, sha)
    if not citations and not sources:
        raise NotFound("没有该哈希值的证据或您无权访问")
    return render(request, "coordination/corrections/evidence_chain.html", {
        "sha256": sha, "sources": sources, "citations": citations,
    })  # fmt: skip
