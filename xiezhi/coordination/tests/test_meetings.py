"""Consultation meetings (R-CO-01, R-CO-03) through the services and over HTTP."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.meetings import services
from xiezhi.coordination.meetings.access import access_meeting
from xiezhi.coordination.models import ActionItem, Meeting, MeetingSeries
from xiezhi.coordination.tests.linkage_helpers import (  # noqa: F401 (autouse fixture)
    _media,
    convene_data,
    convened,
    counts,
    minuted,
    minutes_data,
    report_for,
)
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.tests.extract import docx_text, squash
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import bearer

pytestmark = pytest.mark.django_db


def obligations(rule: str) -> list[Obligation]:
    return list(Obligation.objects.filter(rule_id=rule).select_related("unit").order_by("pk"))


@pytest.mark.rule("R-CO-01")
def test_convene_minutes_action_items_followed_until_done(personas: Personas) -> None:
    p = personas
    m = convened(p)
    assert m.status == "convened" and m.convener == p.township
    assert set(m.invited_units.all()) == {p.department, p.other_township}
    assert Notification.objects.filter(recipient_unit=p.department, title__contains="会议通知").exists()
    [minutes_clock] = obligations("CP-CO-01-MINUTES")
    assert minutes_clock.unit == p.township and minutes_clock.status == "open"

    services.issue_minutes(p.actor("township_leader"), m, minutes_data(p))
    m.refresh_from_db()
    assert m.status == "following" and m.minutes is not None
    year = timezone.localdate().year
    assert m.minutes.number == f"城关镇会纪〔{year}〕1号" and m.minutes.doc_type == "consultation_minutes"
    text = squash(docx_text(default_storage.open(m.minutes.docx_path, "rb").read()))
    assert "城区占道经营整治专题会商纪要" in text
    assert "城管局牵头制定夜市规范设置方案（责任单位：示例县城市管理局" in text
    assert default_storage.open(m.minutes.pdf_path, "rb").read()[:4] == b"%PDF"
    assert obligations("CP-CO-01-MINUTES")[0].status == "met"

    items = list(m.items.order_by("number"))
    assert [(i.number, i.responsible, i.status) for i in items] == [
        (1, p.department, "open"),
        (2, p.township, "open"),
    ]
    clocks = obligations("CP-CO-01-ACTION")
    assert [(ob.unit, ob.status) for ob in clocks] == [(p.department, "open"), (p.township, "open")]
    due = timezone.localtime(clocks[0].due_at)
    assert due.date() >= items[0].due_date  # 24:00 of the due date (rolled to a working day)
    assert Notification.objects.filter(
        recipient_unit=p.department, title__contains="会商议定事项待落实"
    ).exists()

    services.finish_item(p.actor("department_liaison"), items[0], {"note": "规范设置方案已印发"})
    m.refresh_from_db()
    assert m.status == "following"
    services.finish_item(p.actor("township_handler"), items[1], {"note": "已入户宣传52户"})
    m.refresh_from_db()
    assert m.status == "closed" and m.closed_at is not None
    assert all(ob.status == "met" for ob in obligations("CP-CO-01-ACTION"))
    assert list(m.events.values_list("kind", flat=True)) == [
        "convened",
        "minuted",
        "item_done",
        "item_done",
        "closed",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"meeting.convened", "meeting.minuted", "meeting.item_done", "meeting.closed"} <= actions
    with pytest.raises(Conflict):
        services.finish_item(p.actor("department_liaison"), items[0], {"note": "再次报告"})


@pytest.mark.rule("R-CO-01")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decisions": []}, "请至少填写一项议定事项"),
        (
            {"decisions": [{"decision": "整治", "responsible": "", "due_date": "2099-01-01"}]},
            "请选择责任单位",
        ),
        ({"decisions": [{"decision": "整治", "responsible": 0, "due_date": ""}]}, "请填写完成时限"),
        (
            {"decisions": [{"decision": "整治", "responsible": 0, "due_date": "2020-01-01"}]},
            "完成时限不能早于今天",
        ),
        ({"attendees": []}, "请填写出席单位及人员"),
        ({"held_at": (timezone.now() + timedelta(days=1)).isoformat()}, "会议尚未召开"),
    ],
)
def test_bad_minutes_are_refused_and_write_nothing(personas: Personas, change: dict, message: str) -> None:
    p = personas
    m = convened(p)
    for d in change.get("decisions", []):
        if d.get("responsible") == 0:
            d["responsible"] = p.department.pk
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.issue_minutes(p.actor("township_leader"), m, minutes_data(p, **change))
    assert message in json.dumps(exc.value.details, ensure_ascii=False) + exc.value.message
    assert counts() == before
    m.refresh_from_db()
    assert m.status == "convened"


@pytest.mark.rule("R-CO-01")
def test_only_own_unit_acts(personas: Personas) -> None:
    p = personas
    m = minuted(p)
    other = convened(p)
    item = m.items.get(number=1)  # owed by the department
    before = counts()
    with pytest.raises(PermissionDenied):  # the township reporting for the department
        services.finish_item(p.actor("township_handler"), item, {"note": "代城管局报告"})
    with pytest.raises(PermissionDenied):  # an invited unit issuing the convener's minutes
        services.issue_minutes(p.actor("department_leader"), other, minutes_data(p))
    with pytest.raises(PermissionDenied):  # a justice office does not convene
        services.convene(p.actor("justice_office_supervisor"), convene_data(p))
    assert counts() == before
    assert ActionItem.objects.get(pk=item.pk).status == "open"
    for who, pk in (("outsider", m.pk), ("township_handler", 999999)):
        with pytest.raises(NotFound):
            access_meeting(p.actor(who), pk)
    with pytest.raises(PermissionDenied):
        access_meeting(p.actor("sysadmin"), m.pk)


@pytest.mark.rule("R-CO-01")
def test_regular_schedule_owes_the_next_meeting(personas: Personas) -> None:
    p = personas
    first = timezone.localdate() + timedelta(days=20)
    s = services.create_series(
        p.actor("department_leader"),
        {"title": "城市管理联席会议", "every_months": 3, "next_date": first.isoformat(),
         "invited_units": [p.township.pk, p.other_township.pk]},
    )  # fmt: skip
    [clock] = obligations("CP-CO-01-REGULAR")
    assert clock.unit == p.department and clock.status == "open"
    assert timezone.localtime(clock.due_at).date() >= first
    m = services.convene(
        p.actor("department_liaison"),
        {"series": s.pk, "agenda": "通报本季度城市管理执法情况", "scheduled_at": (timezone.now() + timedelta(days=3)).isoformat(),
         "place": "城管局会议室"},
    )  # fmt: skip
    assert m.kind == "joint" and m.title == "城市管理联席会议" and m.series == s
    assert set(m.invited_units.all()) == {p.township, p.other_township}
    s.refresh_from_db()
    assert (s.next_date.year * 12 + s.next_date.month) - (first.year * 12 + first.month) == 3
    regular = obligations("CP-CO-01-REGULAR")
    assert [ob.status for ob in regular] == ["met", "open"]
    assert timezone.localtime(regular[1].due_at).date() >= s.next_date
    with pytest.raises(ValidationFailed) as exc:
        services.create_series(
            p.actor("department_leader"),
            {"title": "x", "every_months": 5, "next_date": date(2020, 1, 1).isoformat(), "invited_units": []},
        )
    assert set(exc.value.details) == {"every_months", "next_date", "invited_units"}
    assert MeetingSeries.objects.count() == 1
    with pytest.raises(ValidationFailed):  # another unit's schedule
        services.convene(p.actor("township_handler"), convene_data(p, series=s.pk))


@pytest.mark.rule("R-CO-03")
def test_major_case_clue_starts_a_consultation(personas: Personas) -> None:
    p = personas
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        convened(p, kind="clue")
    assert "须写明线索内容（R-CO-03）" in exc.value.details["clue"][0]
    assert counts() == before
    report = report_for(p)
    m = convened(p, kind="clue", clue=report.text, clue_report=report.pk)
    assert m.clue_report == report and "operation" in services.allowed_actions(p.actor("township_handler"), m)
    with pytest.raises(ValidationFailed):  # a report the department cannot see
        services.convene(
            p.actor("department_liaison"),
            convene_data(p, invited_units=[p.township.pk], clue_report=report.pk),
        )


def test_cancel_waives_the_minutes_clock(personas: Personas) -> None:
    p = personas
    m = convened(p)
    with pytest.raises(ValidationFailed):
        services.cancel(p.actor("township_leader"), m, {"reason": ""})
    services.cancel(p.actor("township_leader"), m, {"reason": "主要参会单位另有紧急任务"})
    assert Meeting.objects.get(pk=m.pk).status == "cancelled"
    assert obligations("CP-CO-01-MINUTES")[0].status == "waived"
    with pytest.raises(Conflict):
        services.issue_minutes(p.actor("township_leader"), m, minutes_data(p))


@pytest.mark.rule("R-CO-01")
def test_api_convene_minutes_and_item_done(personas: Personas) -> None:
    p = personas
    town = bearer(p.township_handler.account)
    data = convene_data(p)
    body = {
        "kind": data["kind"], "title": data["title"], "agenda": data["agenda"], "scheduled_at": data["scheduled_at"],
        "place": data["place"], "invited_unit_ids": data["invited_units"],
    }  # fmt: skip
    r = town.post("/api/v1/meetings", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    bad = {
        "attendees": ["城关镇"],
        "decisions": [{"decision": "x", "responsible_id": p.department.pk, "due_date": "2020-01-01"}],
    }
    r = town.post(f"/api/v1/meetings/{mid}/minutes", json.dumps(bad), content_type="application/json")
    assert r.status_code == 422 and "完成时限不能早于今天" in json.dumps(r.json(), ensure_ascii=False)
    soon = (timezone.localdate() + timedelta(days=5)).isoformat()
    good = {
        "chair": "李镇长",
        "attendees": ["城关镇：张承办"],
        "decisions": [{"decision": "城管局制定方案", "responsible_id": p.department.pk, "due_date": soon}],
    }
    r = town.post(f"/api/v1/meetings/{mid}/minutes", json.dumps(good), content_type="application/json")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "following" and out["documents"][0]["doc_type"] == "consultation_minutes"
    docx = town.get(out["documents"][0]["docx"])
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    r = town.post(
        f"/api/v1/meetings/{mid}/items/1/done", json.dumps({"note": "代报"}), content_type="application/json"
    )
    assert r.status_code == 403
    dept = bearer(p.department_liaison.account)
    r = dept.post(
        f"/api/v1/meetings/{mid}/items/1/done",
        json.dumps({"note": "已制定"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    outsider = bearer(p.outsider.account)
    assert outsider.get(f"/api/v1/meetings/{mid}").status_code == 404
    assert town.get("/api/v1/meetings?status=closed").json()["total"] == 1


def test_pages_list_csv_form_detail(personas: Personas) -> None:
    from xiezhi.transfers.tests.helpers import World
    from xiezhi.transfers.tests.helpers import page as signed_in

    p = personas
    m = minuted(p)
    w = World(p, None, None, None, p.township_handler, p.department_leader)  # type: ignore[arg-type]
    c = signed_in(w, "township_handler")
    r = c.get("/meetings/?q=占道")
    assert r.status_code == 200 and f"meeting-row-{m.pk}" in r.content.decode()
    r = c.get("/meetings/?format=csv")
    assert r.status_code == 200 and "城区占道经营整治专题会商" in r.content.decode("utf-8-sig")
    assert c.get("/meetings/new/").status_code == 200
    r = c.post("/meetings/new/", {"kind": "topic", "title": "", "invited_units": []})
    assert r.status_code == 422 and "请填写会议名称" in r.content.decode()
    r = c.get(f"/meetings/{m.pk}/")
    assert m.minutes is not None
    assert r.status_code == 200 and m.minutes.number in r.content.decode()
    d = signed_in(w, "department_liaison")
    r = d.post(f"/meetings/{m.pk}/items/1/done/", {"note": ""})
    assert r.status_code == 422 and "请填写落实情况" in r.content.decode()
    r = d.post(f"/meetings/{m.pk}/items/1/done/", {"note": "已完成"})
    assert r.status_code == 302
    assert signed_in(w, "outsider").get(f"/meetings/{m.pk}/").status_code == 404


def test_minutes_form_keeps_the_rows_on_error(personas: Personas) -> None:
    from django.test import Client

    from xiezhi.accounts.testing import sign_in

    p = personas
    m = convened(p)
    c = sign_in(Client(), p.township_leader.account)
    r = c.post(
        f"/meetings/{m.pk}/minute/",
        {
            "attendees": "城关镇",
            "decision_1": "城管局制定方案",
            "responsible_1": str(p.department.pk),
            "due_date_1": "2020-01-01",
        },
    )
    body = r.content.decode()
    assert r.status_code == 422 and "第1项：完成时限不能早于今天" in body
    assert 'value="城管局制定方案"' in body and 'value="2020-01-01"' in body
    assert Meeting.objects.get(pk=m.pk).status == "convened"
    assert Notification.objects.filter(
        recipient_person=p.department_leader, title__contains="会议通知"
    ).exists()


def test_series_and_clue_pages(personas: Personas) -> None:
    from django.test import Client

    from xiezhi.accounts.testing import sign_in

    p = personas
    c = sign_in(Client(), p.township_leader.account)
    assert c.get("/meetings/series/new/").status_code == 200
    r = c.post(
        "/meetings/series/new/", {"title": "季度联席会议", "every_months": "3", "next_date": "2020-01-01"}
    )
    assert r.status_code == 422 and "首次召开日期不能早于今天" in r.content.decode()
    assert MeetingSeries.objects.count() == 0
    nxt = (timezone.localdate() + timedelta(days=30)).isoformat()
    r = c.post(
        "/meetings/series/new/",
        {
            "title": "季度联席会议",
            "every_months": "3",
            "next_date": nxt,
            "invited_units": [str(p.department.pk)],
        },
    )
    assert r.status_code == 302
    s = MeetingSeries.objects.get()
    r = c.get("/meetings/")
    assert f"convene-series-{s.pk}" in r.content.decode()  # the convener may hold the next one
    r = c.get(f"/meetings/new/?series={s.pk}")
    assert r.status_code == 200 and "季度联席会议" in r.content.decode()
    report = report_for(p)
    r = c.get(f"/meetings/new/?report={report.pk}")
    assert r.status_code == 200 and report.text in r.content.decode()
    d = sign_in(Client(), p.department_liaison.account)
    assert f"convene-series-{s.pk}" not in d.get("/meetings/").content.decode()
    assert d.get(f"/meetings/new/?report={report.pk}").status_code == 404  # a report it cannot see


def test_openapi_lists_the_endpoints(personas: Personas) -> None:
    from django.test import Client

    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert (
        "/api/v1/meetings/{meeting_id}/minutes" in paths
        and "/api/v1/operations/{operation_id}/findings" in paths
    )


@pytest.mark.rule("R-CO-01")
def test_an_item_past_its_due_date_is_overdue_and_late_when_done(personas: Personas) -> None:
    from xiezhi.deadlines import sweep
    from xiezhi.deadlines.selectors import on_time_counts

    p = personas
    m = minuted(p)
    item = m.items.get(number=1)
    ob = Obligation.objects.get(rule_id="CP-CO-01-ACTION", unit=p.department)
    sweep.run(now=ob.due_at + timedelta(hours=1))
    ob.refresh_from_db()
    assert ob.status == "overdue"
    overdue = Obligation.objects.filter(rule_id="CP-CO-01-ACTION", unit=p.department)
    Obligation.objects.filter(pk=ob.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )  # it was due already
    services.finish_item(p.actor("department_liaison"), item, {"note": "逾期完成"})
    ob.refresh_from_db()
    assert ob.status == "met" and on_time_counts(overdue).on_time == 0
    assert m.events.get(kind="item_done").label == "示例县城市管理局报告第1项已落实（逾期）"
