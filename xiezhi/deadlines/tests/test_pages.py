"""Pages (我的待办, obligation detail, calendar) and the authorisation matrix over pages and API."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiezhi.audit.models import AuditEvent
from xiezhi.deadlines.models import CalendarOverride, Obligation
from xiezhi.deadlines.tests.conftest import Clock, client_for, open_ob, sh
from xiezhi.deadlines.tests.test_calendar import BAD_CSV, NATIONAL_DAY_2027
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def test_home_sends_business_users_to_my_tasks(personas: Personas) -> None:
    response = client_for(personas.township_handler).get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/deadlines/"


@pytest.mark.rule("R-EV-01")
def test_my_tasks_lists_my_units_open_duties_with_colours_and_rate(personas: Personas, clock: Clock) -> None:
    actor = personas.actor("township_handler")
    soon = open_ob(personas.township, actor, sh(2024, 9, 27, 10), label="移送甲")
    late = open_ob(personas.township, actor, sh(2024, 9, 20, 10), label="移送乙")
    calm = open_ob(personas.township, actor, sh(2024, 10, 8, 10), label="移送丙")
    other = open_ob(
        personas.other_township,
        personas.actor("other_township_handler"),
        sh(2024, 9, 27, 10),
        label="河西的事",
    )
    Obligation.objects.filter(pk=late.pk).update(status="overdue")
    clock.set(2024, 9, 30, 9)
    page = client_for(personas.township_handler).get("/deadlines/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["rows"]
    assert [r["ob"].pk for r in rows] == [late.pk, soon.pk, calm.pk]  # by due time
    css = {r["ob"].pk: r["css"] for r in rows}
    left = {r["ob"].pk: r["left"] for r in rows}
    assert css == {late.pk: "overdue", soon.pk: "due-soon", calm.pk: ""}
    assert left[soon.pk] == 1 and left[late.pk] < 0 and left[calm.pk] > 1
    assert 'class="overdue"' in html and 'class="due-soon"' in html
    assert f'href="/cases/{soon.subject_id}/"' in html
    assert other.subject_label not in html
    assert page.context["own_rate"].counted == 1 and 'data-testid="own-rate">0.0%' in html
    assert ">我的待办<" in html  # the navigation entry


def test_county_view_for_the_command_centre_filters_by_unit(personas: Personas, clock: Clock) -> None:
    a = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    b = open_ob(personas.department, personas.actor("department_liaison"), sh(2024, 9, 27, 10))
    client = client_for(personas.dispatcher)
    assert [r["ob"].pk for r in client.get("/deadlines/").context["rows"]] == []
    everything = client.get("/deadlines/?view=all")
    assert {r["ob"].pk for r in everything.context["rows"]} == {a.pk, b.pk}
    assert "全县时限" in everything.content.decode()
    one = client.get(f"/deadlines/?view=all&unit={personas.department.pk}")
    assert [r["ob"].pk for r in one.context["rows"]] == [b.pk]
    # A township user asking for the county view still gets only its own unit.
    mine = client_for(personas.township_handler).get("/deadlines/?view=all")
    assert [r["ob"].pk for r in mine.context["rows"]] == [a.pk]
    # The justice office sees its township (辖区) but not departments.
    office = client_for(personas.justice_office_supervisor).get("/deadlines/?view=all")
    assert [r["ob"].pk for r in office.context["rows"]] == [a.pk]


def test_csv_export_is_audited(personas: Personas, clock: Clock) -> None:
    open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    response = client_for(personas.township_handler).get("/deadlines/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "R-TR-02" in response.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="obligation.exported").count() == 1


def test_obligation_page_extends_with_a_reason(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    url = f"/deadlines/obligations/{ob.pk}/"
    handler_page = client_for(personas.township_handler).get(url)
    assert (
        handler_page.status_code == 200
        and 'name="action" value="extend"' not in handler_page.content.decode()
    )
    refused = client_for(personas.township_handler).post(
        url, {"action": "extend", "period": "2WD", "reason": "x"}
    )
    assert refused.status_code == 403 and "负责人" in refused.content.decode()
    leader = client_for(personas.township_leader)
    assert 'value="extend"' in leader.get(url).content.decode()
    missing = leader.post(url, {"action": "extend", "period": "2WD", "reason": ""})
    assert missing.status_code == 422 and "请填写理由" in missing.content.decode()
    ob.refresh_from_db()
    assert ob.due_version == 1
    done = leader.post(url, {"action": "extend", "period": "2WD", "reason": "补充鉴定"}, follow=True)
    assert done.status_code == 200 and "2024年10月10日 17:30" in done.content.decode()
    assert client_for(personas.other_township_handler).get(url).status_code == 404


def test_calendar_page_banner_grid_and_admin_forms(personas: Personas) -> None:
    client = client_for(personas.township_handler)
    page = client.get("/deadlines/calendar/?year=2024")
    html = page.content.decode()
    assert page.status_code == 200 and "provisional-banner" not in html
    assert 'class="adjusted" title="9月29日 调休上班（国庆节）" data-date="2024-09-29"' in html
    assert 'class="holiday" title="10月1日 节假日（国庆节）" data-date="2024-10-01"' in html
    assert len(page.context["months"]) == 12
    assert "录入或修改一天" not in html
    future = client.get("/deadlines/calendar/?year=2027").content.decode()
    assert "该年度放假安排尚未公布，按法定节假日推算，结果为暂定" in future
    assert client.get("/deadlines/calendar/?year=3000").status_code == 422
    admin = client_for(personas.sysadmin).get("/deadlines/calendar/?year=2027")
    assert admin.status_code == 200 and "录入或修改一天" in admin.content.decode()
    assert ">工作日历<" in admin.content.decode()


def test_calendar_upload_lists_all_errors_and_imports_nothing(personas: Personas) -> None:
    admin = client_for(personas.sysadmin)
    bad = SimpleUploadedFile("2027.csv", BAD_CSV.encode(), content_type="text/csv")
    response = admin.post("/deadlines/calendar/import", {"file": bad, "year": "2027"})
    assert response.status_code == 422
    html = response.content.decode()
    for line in ("第3行", "第4行", "第5行", "第6行", "第7行"):
        assert line in html
    assert CalendarOverride.objects.count() == 0
    good = SimpleUploadedFile("2027.csv", NATIONAL_DAY_2027.encode(), content_type="text/csv")
    response = admin.post("/deadlines/calendar/import", {"file": good, "year": "2027"}, follow=True)
    assert response.status_code == 200 and "新增9条" in response.content.decode()
    assert "provisional-banner" not in response.content.decode()
    assert CalendarOverride.objects.count() == 9
    single = admin.post(
        "/deadlines/calendar/override",
        {"date": "2027-10-11", "kind": "workday", "name": "国庆节", "year": "2027"},
    )
    assert single.status_code == 422 and "星期六或星期日" in single.content.decode()
    deleted = admin.post(
        "/deadlines/calendar/delete", {"date": "2027-10-09", "reason": "通知更正", "year": "2027"}
    )
    assert deleted.status_code == 302 and CalendarOverride.objects.count() == 8


# --- the authorisation matrix ------------------------------------------------------------------

PERSONAS = [
    "township_handler",
    "township_leader",
    "other_township_handler",
    "department_liaison",
    "department_leader",
    "justice_office_supervisor",
    "dispatcher",
    "sysadmin",
    "secadmin",
    "auditadmin",
    "outsider",
]

# Seeing the township's obligation (page and API).
CAN_SEE = {"township_handler", "township_leader", "justice_office_supervisor", "dispatcher"}
# Extending it: a leader of the township, or a supervisor (its justice office, the command centre).
CAN_EXTEND = {"township_leader", "justice_office_supervisor", "dispatcher"}
# Waiving it: supervisors only.
CAN_WAIVE = {"justice_office_supervisor", "dispatcher"}
BUSINESS = set(PERSONAS) - {"sysadmin", "secadmin", "auditadmin"}


@pytest.mark.parametrize("who", PERSONAS)
def test_authorisation_matrix(personas: Personas, clock: Clock, who: str) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    client = client_for(getattr(personas, who))
    api = f"/api/v1/obligations/{ob.pk}"

    assert client.get("/deadlines/").status_code == (200 if who in BUSINESS else 403)
    assert client.get("/deadlines/calendar/").status_code == 200
    assert client.get("/api/v1/calendar/2025").status_code == 200
    assert client.get(f"/deadlines/obligations/{ob.pk}/").status_code == (
        200 if who in CAN_SEE else 403 if who not in BUSINESS else 404
    )
    assert client.get(api).status_code == (200 if who in CAN_SEE else 404)
    listed = [i["id"] for i in client.get("/api/v1/obligations").json()["items"]]
    assert listed == ([ob.pk] if who in CAN_SEE else [])

    before = (ob.status, ob.due_at, ob.events.count())
    extend = client.post(
        f"{api}/extend", json.dumps({"period": "1WD", "reason": "矩阵测试"}), content_type="application/json"
    )
    assert extend.status_code == (200 if who in CAN_EXTEND else 403 if who in CAN_SEE else 404)
    ob.refresh_from_db()
    if who not in CAN_EXTEND:
        assert (ob.status, ob.due_at, ob.events.count()) == before
    waive = client.post(f"{api}/waive", json.dumps({"reason": "矩阵测试"}), content_type="application/json")
    assert waive.status_code == (200 if who in CAN_WAIVE else 403 if who in CAN_SEE else 404)

    override = client.post(
        "/deadlines/calendar/override",
        {"date": "2027-10-01", "kind": "holiday", "name": "国庆节", "year": "2027"},
    )
    assert override.status_code == (302 if who == "sysadmin" else 403)
    assert CalendarOverride.objects.count() == (1 if who == "sysadmin" else 0)
