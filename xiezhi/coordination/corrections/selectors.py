"""Reads of correction opinions, feedback and evidence citations, and their CSV rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiezhi.coordination.corrections.models import CorrectionOpinion, EvidenceCitation, Feedback
from xiezhi.core.errors import ValidationFailed
from xiezhi.rulebook.corrections_flow import CORRECTION, FEEDBACK, FEEDBACK_DIRECTIONS


def _search(qs: QuerySet[Any], q: str, *fields: str) -> QuerySet[Any]:
    text = q.strip()
    if not text:
        return qs
    cond = Q()
    for name in fields:
        cond |= Q(**{f"{name}__icontains": text})
    if text.isdigit():
        cond |= Q(pk=int(text))
    return qs.filter(cond)


def filtered_opinions(
    qs: QuerySet[CorrectionOpinion], *, status: str = "", q: str = ""
) -> QuerySet[CorrectionOpinion]:
    if status and status not in CORRECTION.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if status:
        qs = qs.filter(status=status)
    qs = _search(qs, q, "subject", "findings", "case_reference")
    return qs.select_related("department", "township").order_by("-id")


def filtered_feedback(
    qs: QuerySet[Feedback], *, status: str = "", direction: str = "", q: str = ""
) -> QuerySet[Feedback]:
    if status and status not in FEEDBACK.states:
        raise ValidationFailed.field("status", f"状态“{status}”无效")
    if direction and direction not in FEEDBACK_DIRECTIONS:
        raise ValidationFailed.field("direction", f"反馈类型“{direction}”无效")
    if status:
        qs = qs.filter(status=status)
    if direction:
        qs = qs.filter(direction=direction)
    qs = _search(qs, q, "subject", "content", "loophole", "case_reference")
    return qs.select_related("sender", "recipient").order_by("-id")


def filtered_citations(qs: QuerySet[EvidenceCitation], *, q: str = "") -> QuerySet[EvidenceCitation]:
    text = q.strip().lower()
    if text:
        qs = qs.filter(Q(sha256__startswith=text) | Q(title__icontains=text) | Q(cited_in__icontains=text))
    return qs.select_related("origin_unit", "citing_unit").order_by("-cited_at", "-id")


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


OPINION_HEADER = (
    "编号",
    "纠错事项",
    "提出部门",
    "被纠错乡镇",
    "提出时间",
    "整改答复期限",
    "状态",
    "答复时间",
)
FEEDBACK_HEADER = ("编号", "类型", "事项", "发送单位", "接收单位", "发送时间", "状态", "答复时间")
CITATION_HEADER = ("编号", "SHA-256", "证据名称", "来源单位", "来源对象", "引用单位", "用于", "引用时间")


def opinion_rows(items: Iterable[CorrectionOpinion]) -> Iterator[list[Any]]:
    for o in items:
        yield [o.pk, o.subject, o.department.name, o.township.name, _when(o.issued_at), o.due_on.isoformat(),
               o.status_label, _when(o.answered_at)]  # fmt: skip


def feedback_rows(items: Iterable[Feedback]) -> Iterator[list[Any]]:
    for f in items:
        yield [f.pk, f.get_direction_display(), f.subject, f.sender.name, f.recipient.name, _when(f.sent_at),
               f.status_label, _when(f.replied_at)]  # fmt: skip


def citation_rows(items: Iterable[EvidenceCitation]) -> Iterator[list[Any]]:
    for c in items:
        yield [c.pk, c.sha256, c.title, c.origin_unit.name, c.origin_label, c.citing_unit.name, c.cited_in,
               _when(c.cited_at)]  # fmt: skip
