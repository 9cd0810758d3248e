"""/api/v1/meetings: schedules, convene, minutes with decisions (action items), item done, cancel."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict

from xiezhi.coordination.common.outputs import timeline_of
from xiezhi.coordination.meetings import access, selectors, services
from xiezhi.coordination.models import ActionItem, Meeting, MeetingSeries
from xiezhi.core.actor import Actor
from xiezhi.core.api import actor
from xiezhi.core.pagination import paginate
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.selectors import documents_for

router = Router(tags=["会商会议 meetings"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class SeriesIn(Strict):
    title: str | None = None
    every_months: int | None = None
    next_date: date | None = None
    invited_unit_ids: list[int] = []


class ConveneIn(Strict):
    kind: str | None = None
    title: str | None = None
    agenda: str | None = None
    scheduled_at: datetime | None = None
    place: str | None = None
    chair: str | None = None
    clue: str | None = None
    clue_report_id: int | None = None
    series_id: int | None = None
    invited_unit_ids: list[int] = []
    invited_person_ids: list[int] = []


class DecisionIn(Strict):
    decision: str = ""
    responsible_id: int | None = None
    due_date: date | None = None


class MinutesIn(Strict):
    held_at: datetime | None = None
    chair: str = ""
    attendees: list[str] = []
    discussion: str = ""
    decisions: list[DecisionIn] = []


class NoteIn(Strict):
    note: str = ""


class ReasonIn(Strict):
    reason: str = ""


class UnitRef(Schema):
    id: int
    name: str


class SeriesOut(Schema):
    id: int
    title: str
    convener: UnitRef
    every_months: int
    cadence: str
    next_date: date
    invited_units: list[UnitRef]


class MeetingItem(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    convener: UnitRef
    scheduled_at: datetime
    place: str
    series_id: int | None
    minutes_number: str | None


class MeetingPage(Schema):
    items: list[MeetingItem]
    total: int
    page: int
    page_size: int


class ActionItemOut(Schema):
    number: int
    decision: str
    responsible: UnitRef
    due_date: date
    status: str
    status_label: str
    done_at: datetime | None
    done_note: str


class MeetingOut(MeetingItem):
    agenda: str
    chair: str
    clue: str
    clue_report_id: int | None
    invited_units: list[UnitRef]
    invited_people: list[UnitRef]
    held_at: datetime | None
    attendees: list[str]
    discussion: str
    minutes_id: int | None
    action_items: list[ActionItemOut]
    allowed_actions: list[str]
    documents: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    timeline: list[dict[str, Any]]


def _u(u: Any) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name}


def series_out(s: MeetingSeries) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "convener": _u(s.convener),
        "every_months": s.every_months,
        "cadence": s.cadence_label,
        "next_date": s.next_date,
        "invited_units": [_u(u) for u in s.invited_units.order_by("pk")],
    }


def item_out(m: Meeting) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "status": m.status,
        "status_label": m.status_label,
        "title": m.title,
        "convener": _u(m.convener),
        "scheduled_at": m.scheduled_at,
        "place": m.place,
        "series_id": m.series_id,
        "minutes_number": m.minutes.number if m.minutes_id and m.minutes else None,
    }


def obligations_of(m: Meeting) -> list[Obligation]:
    """The meeting's minutes clock and its action items' clocks."""
    items = [str(pk) for pk in m.items.values_list("pk", flat=True)]  # type: ignore[attr-defined]
    mt, it = ContentType.objects.get_for_model(Meeting), ContentType.objects.get_for_model(ActionItem)
    qs = Obligation.objects.filter(subject_type=mt, subject_id=str(m.pk)) | Obligation.objects.filter(
        subject_type=it, subject_id__in=items
    )
    return list(qs.select_related("unit").order_by("opened_at", "pk"))


def meeting_out(a: Actor, m: Meeting) -> dict[str, Any]:
    out = item_out(m)
    out.update(
        {
            "agenda": m.agenda,
            "chair": m.chair,
            "clue": m.clue,
            "clue_report_id": m.clue_report_id,
            "invited_units": [_u(u) for u in m.invited_units.order_by("pk")],
            "invited_people": [_u(p) for p in m.invited_people.order_by("pk")],
            "held_at": m.held_at,
            "attendees": [x for x in m.attendees.splitlines() if x],
            "discussion": m.discussion,
            "minutes_id": m.minutes_id,
            "action_items": [
                {
                    "number": i.number,
                    "decision": i.decision,
                    "responsible": _u(i.responsible),
                    "due_date": i.due_date,
                    "status": i.status,
                    "status_label": i.status_label,
                    "done_at": i.done_at,
                    "done_note": i.done_note,
                }
                for i in m.items.select_related("responsible")  # type: ignore[attr-defined]
            ],
            "allowed_actions": services.allowed_actions(a, m),
            "documents": [
                {
                    "id": doc.pk,
                    "doc_type": doc.doc_type,
                    "number": doc.number,
                    "title": doc.title,
                    "docx": f"/api/v1/documents/{doc.pk}/docx",
                    "pdf": f"/api/v1/documents/{doc.pk}/pdf",
                }
                for doc in documents_for(a, m)
            ],
            "obligations": [
                {
                    "id": ob.pk,
                    "rule_id": ob.rule_id,
                    "unit": ob.unit.name,
                    "label": ob.subject_label,
                    "due_at": ob.due_at.isoformat(),
                    "status": ob.status,
                }
                for ob in obligations_of(m)
            ],
            "timeline": timeline_of(m.events),  # type: ignore[attr-defined]
        }
    )
    return out


@router.get("/series", response=list[SeriesOut], summary="定期联席会议")
def list_series(request: HttpRequest) -> list[dict[str, Any]]:
    a = actor(request)
    access.require_business(a)
    return [series_out(s) for s in access.series_visible_to(a).select_related("convener")]


@router.post("/series", response={201: SeriesOut}, summary="建立定期联席会议（R-CO-01）")
def create_series(request: HttpRequest, payload: SeriesIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = payload.dict(exclude_unset=True)
    data["invited_units"] = data.pop("invited_unit_ids", [])
    return Status(201, series_out(services.create_series(a, data)))


@router.get("", response=MeetingPage, summary="会商会议列表")
def list_meetings(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    unit: int | None = None,
    series: int | None = None,
    q: str = "",
    page: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    a = actor(request)
    access.require_business(a)
    qs = selectors.filtered(access.visible_to(a), status=status, kind=kind, unit=unit, series=series, q=q)
    result = paginate(selectors.for_list(qs).order_by("-id"), page, page_size)
    return result.as_api(item_out)


@router.post("", response={201: MeetingOut}, summary="召集会商会议（R-CO-01；线索会商 R-CO-03）")
def convene(request: HttpRequest, payload: ConveneIn) -> Status[dict[str, Any]]:
    a = actor(request)
    data = payload.dict(exclude_unset=True)
    for api_name, name in (
        ("invited_unit_ids", "invited_units"),
        ("invited_person_ids", "invited_people"),
        ("clue_report_id", "clue_report"),
        ("series_id", "series"),
    ):
        if api_name in data:
            data[name] = data.pop(api_name)
    return Status(201, meeting_out(a, services.convene(a, data)))


@router.get("/{meeting_id}", response=MeetingOut, summary="会商会议详情")
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    a = actor(request)
    return meeting_out(a, access.access_meeting(a, meeting_id))


@router.post(
    "/{meeting_id}/minutes", response=MeetingOut, summary="印发会商纪要，议定事项转为督办事项（R-CO-01）"
)
def minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict[str, Any]:
    a = actor(request)
    m = access.access_meeting(a, meeting_id)
    data = payload.dict()
    data["decisions"] = [
        {"decision": d["decision"], "responsible": d["responsible_id"], "due_date": d["due_date"]}
        for d in data["decisions"]
    ]
    return meeting_out(a, services.issue_minutes(a, m, data))


@router.post("/{meeting_id}/items/{number}/done", response=MeetingOut, summary="责任单位报告议定事项已落实")
def item_done(request: HttpRequest, meeting_id: int, number: int, payload: NoteIn) -> dict[str, Any]:
    a = actor(request)
    m = access.access_meeting(a, meeting_id)
    services.finish_item(a, access.access_item(a, m, number), payload.dict())
    return meeting_out(a, access.access_meeting(a, meeting_id))


@router.post("/{meeting_id}/cancel", response=MeetingOut, summary="取消会议")
def cancel(request: HttpRequest, meeting_id: int, payload: ReasonIn) -> dict[str, Any]:
    a = actor(request)
    m = access.access_meeting(a, meeting_id)
    return meeting_out(a, services.cancel(a, m, payload.dict()))
