"""The deadline CLI's exact output, and the API: calendar, compute, obligations, actions, errors."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.tests.conftest import Clock, client_for, open_ob, sh
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db

EXAMPLE = (
    '{"due": "2024-10-08T17:30:00+08:00", "provisional": false, "explanation": '
    '"自2024年9月27日起算3个工作日：9月29日（星期日）为调休上班日，10月1日至7日为国庆节假期，截止2024年10月8日17:30", '
    '"counted_days": ["2024-09-29", "2024-09-30", "2024-10-08"]}'
)


@pytest.mark.rule("R-TR-02")
def test_deadline_cli_prints_the_issue_example_exactly() -> None:
    out = StringIO()
    call_command("deadline", "2024-09-27T10:00", "3WD", "--json", stdout=out)
    assert out.getvalue() == EXAMPLE + "\n"


def test_deadline_cli_human_output_and_errors() -> None:
    out = StringIO()
    call_command("deadline", "2024-09-27T10:00+08:00", "15d", stdout=out)
    assert "截止时间：2024年10月12日24:00" in out.getvalue()  # 12 Oct 2024: an adjusted working Saturday
    with pytest.raises(CommandError, match="3WD"):
        call_command("deadline", "2024-09-27T10:00", "3 weeks")
    with pytest.raises(CommandError, match="负数"):
        call_command("deadline", "2024-09-27T10:00", "-3WD")
    with pytest.raises(CommandError, match="起算时间"):
        call_command("deadline", "27/09/2024", "3WD")
    with pytest.raises(CommandError, match="1949"):
        call_command("deadline", "1900-01-01T10:00", "3WD")


def post(client: Client, url: str, body: object) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_compute_endpoint(personas: Personas) -> None:
    client = client_for(personas.township_handler)
    response = post(
        client, "/api/v1/deadlines/compute", {"start": "2024-09-27T10:00:00+08:00", "period": "3WD"}
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == json.loads(EXAMPLE)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"start": "2024-09-27T10:00", "period": "3WD"}, "start", "时区"),
        ({"start": "2024-09-27T10:00:00+08:00", "period": "-3WD"}, "period", "负数"),
        ({"start": "2024-09-27T10:00:00+08:00", "period": "3 weeks"}, "period", "3WD"),
        ({"start": "1900-01-01T10:00:00+08:00", "period": "3WD"}, "start", "1949"),
        ({"start": "2100-12-30T10:00:00+08:00", "period": "5WD"}, "start", "2100"),
        (
            {"start": "2024-09-27T10:00:00+08:00", "period": "3WD", "office_close": "5pm"},
            "office_close",
            "HH:MM",
        ),
        ({"start": "2024-09-27T10:00:00+08:00", "period": "3WD", "extra": 1}, "extra", "不允许"),
        ({"period": "3WD"}, "start", "必填"),
    ],
)
def test_compute_endpoint_rejects_bad_input_with_422(
    personas: Personas, body: dict[str, object], field: str, text: str
) -> None:
    response = post(client_for(personas.township_handler), "/api/v1/deadlines/compute", body)
    assert response.status_code == 422  # type: ignore[attr-defined]
    payload = response.json()  # type: ignore[attr-defined]
    assert payload["code"] == "validation_failed"
    assert any(text in m for m in payload["details"][field]), payload


def test_api_needs_authentication() -> None:
    assert Client().get("/api/v1/calendar/2025").status_code == 401
    response = post(
        Client(), "/api/v1/deadlines/compute", {"start": "2024-09-27T10:00:00+08:00", "period": "3WD"}
    )
    assert response.status_code == 401  # type: ignore[attr-defined]


def test_calendar_endpoint(personas: Personas) -> None:
    client = client_for(personas.township_handler)
    data = client.get("/api/v1/calendar/2024").json()
    assert data["provisional"] is False and data["full"] is False
    days = {d["date"]: d for d in data["days"]}
    assert days["2024-09-29"]["kind"] == "adjusted_workday" and days["2024-09-29"]["is_workday"] is True
    assert days["2024-10-01"]["kind"] == "holiday" and days["2024-10-01"]["name"] == "国庆节"
    assert "2024-09-30" not in days
    full = client.get("/api/v1/calendar/2024?full=true").json()
    assert len(full["days"]) == 366 and full["workdays"] == data["workdays"]
    provisional = client.get("/api/v1/calendar/2027").json()
    assert provisional["provisional"] is True and all(d["provisional"] for d in provisional["days"])
    bad = client.get("/api/v1/calendar/1800")
    assert bad.status_code == 422 and "1949" in bad.json()["message"]


def test_obligation_list_filters_and_scoping(personas: Personas, clock: Clock) -> None:
    a = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    b = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 10, 9, 10), rule_id="R-TR-08")
    c = open_ob(personas.department, personas.actor("department_liaison"), sh(2024, 9, 27, 10))
    Obligation.objects.filter(pk=a.pk).update(status="overdue")

    def ids(who: object, query: str = "") -> list[int]:
        response = client_for(who).get(f"/api/v1/obligations{query}")  # type: ignore[arg-type]
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids(personas.township_handler) == [a.pk, b.pk]
    assert ids(personas.township_handler, "?status=overdue") == [a.pk]
    assert ids(personas.township_handler, "?rule=R-TR-08") == [b.pk]
    assert ids(personas.township_handler, "?due_before=2024-10-09") == [a.pk]
    assert ids(personas.township_handler, "?due_before=2024-10-09T00:00:00%2B08:00") == [a.pk]
    assert ids(personas.dispatcher) == [a.pk, c.pk, b.pk]
    assert ids(personas.dispatcher, f"?unit={personas.department.pk}") == [c.pk]
    assert ids(personas.justice_office_supervisor) == [a.pk, b.pk]
    assert ids(personas.department_liaison) == [c.pk]
    assert ids(personas.other_township_handler) == []
    assert ids(personas.outsider) == []
    client = client_for(personas.township_handler)
    assert client.get("/api/v1/obligations?status=late").status_code == 422
    naive = client.get("/api/v1/obligations?due_before=2024-10-09T00:00")
    assert naive.status_code == 422 and "时区" in naive.json()["message"]
    item = client.get("/api/v1/obligations").json()["items"][1]
    assert item["subject"]["label"].startswith("移送") and item["status_label"] == "进行中"
    assert item["due_at"] == "2024-10-12T17:30:00+08:00"  # 3 WD from 9 Oct: 10, 11, 12 (Sat, adjusted)


def test_obligation_detail_and_actions(personas: Personas, clock: Clock) -> None:
    ob = open_ob(personas.township, personas.actor("township_handler"), sh(2024, 9, 27, 10))
    url = f"/api/v1/obligations/{ob.pk}"
    handler = client_for(personas.township_handler)
    detail = handler.get(url).json()
    assert detail["allowed_actions"] == [] and [h["kind"] for h in detail["history"]] == ["opened"]
    assert detail["workdays_left"] == 3

    refused = post(handler, f"{url}/extend", {"period": "2WD", "reason": "材料多"})
    assert refused.status_code == 403  # type: ignore[attr-defined]
    leader = client_for(personas.township_leader)
    assert leader.get(url).json()["allowed_actions"] == ["extend", "suspend"]
    no_reason = post(leader, f"{url}/extend", {"period": "2WD"})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["details"]  # type: ignore[attr-defined]
    ob.refresh_from_db()
    assert ob.due_version == 1 and ob.events.count() == 1

    extended = post(leader, f"{url}/extend", {"period": "2WD", "reason": "需补充鉴定意见"})
    assert extended.status_code == 200  # type: ignore[attr-defined]
    data = extended.json()  # type: ignore[attr-defined]
    assert data["due_at"] == "2024-10-10T17:30:00+08:00"
    last = data["history"][-1]
    assert last["kind"] == "extended" and last["old_due"] == "2024-10-08T17:30:00+08:00"
    assert last["new_due"] == "2024-10-10T17:30:00+08:00" and last["reason"] == "需补充鉴定意见"

    assert post(leader, f"{url}/waive", {"reason": "不需要了"}).status_code == 403  # type: ignore[attr-defined]
    supervisor = client_for(personas.justice_office_supervisor)
    suspended = post(supervisor, f"{url}/suspend", {"reason": "管辖争议"})
    assert suspended.json()["status"] == "suspended"  # type: ignore[attr-defined]
    conflict = post(supervisor, f"{url}/suspend", {"reason": "再次中止"})
    assert conflict.status_code == 409  # type: ignore[attr-defined]
    assert post(supervisor, f"{url}/resume", {"reason": "已协调"}).json()["status"] == "open"  # type: ignore[attr-defined]
    assert post(supervisor, f"{url}/waive", {"reason": "移送撤回"}).json()["status"] == "waived"  # type: ignore[attr-defined]
    assert post(supervisor, f"{url}/waive", {"reason": "x", "who": 1}).status_code == 422  # type: ignore[attr-defined]

    for who in (personas.other_township_handler, personas.department_leader, personas.outsider):
        assert client_for(who).get(url).status_code == 404
        assert post(client_for(who), f"{url}/extend", {"period": "1WD", "reason": "x"}).status_code == 404  # type: ignore[attr-defined]
    assert client_for(personas.township_handler).get("/api/v1/obligations/999999").status_code == 404
