"""/api/v1/corrections: correction opinions (R-CO-08), /feedback (R-CO-09), /evidence (R-CO-07)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import obligations_of, timeline_of
from xiezhi.coordination.corrections import access, evidence, selectors, services
from xiezhi.coordination.corrections.models import CorrectionOpinion, EvidenceCitation, Feedback
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.errors import NotFound
from xiezhi.core.inputs import ids_as_fields
from xiezhi.core.pagination import paginate

router = Router(tags=["纠错与反馈 corrections"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class OpinionIn(Strict):
    township_id: int | None = None
    department_id: int | None = None
    subject: str | None = None
    case_reference: str | None = None
    findings: str | None = None
    legal_basis: str | None = None
    requirements: str | None = None
    due_on: str | None = None


class OpinionActionIn(Strict):
    rectification: str = ""
    note: str = ""
    reason: str = ""
    due_on: str | None = None


class FeedbackIn(Strict):
    direction: str | None = None
    recipient_id: int | None = None
    sender_id: int | None = None
    subject: str | None = None
    case_reference: str | None = None
    content: str | None = None
    loophole: str | None = None


class ReplyIn(Strict):
    reply: str = ""


class CiteIn(Strict):
    origin_kind: str | None = None
    origin_id: str | None = None
    sha256: str | None = None
    cited_in: str | None = None
    purpose: str | None = None
    citing_unit_id: int | None = None


class OpinionOut(Schema):
    id: int
    status: str
    status_label: str
    subject: str
    department: str
    township: str
    justice_bureau: str
    findings: str
    requirements: str
    due_on: date
    issued_at: datetime
    rectification: str
    answered_at: datetime | None
    allowed_actions: list[str]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class FeedbackOut(Schema):
    id: int
    direction: str
    status: str
    status_label: str
    subject: str
    sender: str
    recipient: str
    content: str
    loophole: str
    reply: str
    sent_at: datetime
    replied_at: datetime | None
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


class CitationOut(Schema):
    id: int
    sha256: str
    origin_kind: str
    origin_id: str
    origin_unit: str
    origin_label: str
    title: str
    citing_unit: str
    cited_in: str
    cited_at: datetime


class ChainOut(Schema):
    sha256: str
    sources: list[dict[str, Any]]
    citations: list[CitationOut]


class Paged(Schema):
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int


def opinion_out(a: Actor, o: CorrectionOpinion) -> dict[str, Any]:
    return {
        "id": o.pk, "status": o.status, "status_label": o.status_label, "subject": o.subject,
        "department": o.department.name, "township": o.township.name, "justice_bureau": o.justice_bureau.name,
        "findings": o.findings, "requirements": o.requirements, "due_on": o.due_on, "issued_at": o.issued_at,
        "rectification": o.rectification, "answered_at": o.answered_at,
        "allowed_actions": services.opinion_actions(a, o), "obligations": obligations_of(o),
        "timeline": timeline_of(o.events),  # type: ignore[attr-defined]
    }  # fmt: skip


def feedback_out(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.pk, "direction": f.direction, "status": f.status, "status_label": f.status_label,
        "subject": f.subject, "sender": f.sender.name, "recipient": f.recipient.name, "content": f.content,
        "loophole": f.loophole, "reply": f.reply, "sent_at": f.sent_at, "replied_at": f.replied_at,
        "obligations": obligations_of(f), "timeline": timeline_of(f.events),  # type: ignore[attr-defined]
    }  # fmt: skip


def citation_out(c: EvidenceCitation) -> dict[str, Any]:
    return {
        "id": c.pk, "sha256": c.sha256, "origin_kind": c.origin_kind, "origin_id": c.origin_id,
        "origin_unit": c.origin_unit.name, "origin_label": c.origin_label, "title": c.title,
        "citing_unit": c.citing_unit.name, "cited_in": c.cited_in, "cited_at": c.cited_at,
    }  # fmt: skip



@router.get("", response=Paged, summary="纠错意见列表")
def list_opinions(
    request: HttpRequest, status: str = "", q: str = "", page: int = 1, page_size: int = 20
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    result = paginate(
        selectors.filtered_opinions(access.visible_opinions(a), status=status, q=q), page, page_size
    )
    return result.as_api(lambda o: opinion_out(a, o))


@router.post("", response={201: OpinionOut}, summary="提出纠错意见（抄送司法局，R-CO-08）")
def issue(request: HttpRequest, payload: OpinionIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "township", "department")
    return Status(201, opinion_out(a, services.issue_opinion(a, data)))


@router.get("/{int:opinion_id}", response=OpinionOut, summary="纠错意见详情")
def get_opinion(request: HttpRequest, opinion_id: int) -> dict[str, Any]:
    a = actor(request)
    return opinion_out(a, access.access_opinion(a, opinion_id))


OPINION_ACTIONS = {
    "answer": services.answer_opinion,
    "confirm": services.confirm_opinion,
    "reopen": services.reopen_opinion,
    "withdraw": services.withdraw_opinion,
}


@router.post(
    "/{int:opinion_id}/{action}", response=OpinionOut, summary="答复整改 / 确认 / 要求继续整改 / 撤回"
)
def act(request: HttpRequest, opinion_id: int, action: str, payload: OpinionActionIn) -> dict[str, Any]:
    if action not in OPINION_ACTIONS:
        raise NotFound("没有这项操作")
    a = actor(request)
    OPINION_ACTIONS[action](a, access.access_opinion(a, opinion_id), payload.dict())
    return opinion_out(a, access.access_opinion(a, opinion_id))


@router.get("/feedback/", response=Paged, summary="监管执法反馈列表")
def list_feedback(
    request: HttpRequest,
    status: str = "",
    direction: str = "",
    q: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered_feedback(access.visible_feedback(a), status=status, direction=direction, q=q)
    result = paginate(qs, page, page_size)
    return result.as_api(feedback_out)


@router.post("/feedback/", response={201: FeedbackOut}, summary="发送反馈（R-CO-09）")
def send(request: HttpRequest, payload: FeedbackIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "recipient", "sender")
    return Status(201, feedback_out(services.send_feedback(a, data)))


@router.get("/feedback/{feedback_id}", response=FeedbackOut, summary="反馈详情")
def get_feedback(request: HttpRequest, feedback_id: int) -> dict[str, Any]:
    return feedback_out(access.access_feedback(actor(request), feedback_id))


@router.post("/feedback/{feedback_id}/answer", response=FeedbackOut, summary="答复反馈 / 反馈处理结果")
def answer(request: HttpRequest, feedback_id: int, payload: ReplyIn) -> dict[str, Any]:
    a = actor(request)
    services.answer_feedback(a, access.access_feedback(a, feedback_id), payload.dict())
    return feedback_out(access.access_feedback(a, feedback_id))


@router.post(
    "/evidence/", response={201: CitationOut}, summary="引用其他单位证据（按哈希，不重复上传，R-CO-07）"
)
def cite(request: HttpRequest, payload: CiteIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = ids_as_fields(payload.dict(exclude_unset=True), "citing_unit")
    return Status(201, citation_out(services.cite_evidence(a, data)))


@router.get("/evidence/{sha256}", response=ChainOut, summary="证据保管链：来源与全部引用")
def chain(request: HttpRequest, sha256: str) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    sha = services.clean_sha256(sha256)
    citations = access.visible_citations(a).filter(sha256=sha).select_related("origin_unit", "citing_unit")
    sources = evidence.find_by_hash(a, sha)
    if not citations.exists() and not sources:
        raise NotFound("没有该哈希值的证据或您无权访问")
    return {
        "sha256": sha,
        "sources": [
            {"kind": s.kind, "origin_id": s.origin_id, "unit": s.unit.name, "label": s.label, "title": s.title,
             "url": s.url}
            for s in sources
        ],
        "citations": [citation_out(c) for c in citations],
    }  # fmt: skip
