"""Joint operations (R-CO-03, R-CASE-01) through the services and over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.meetings import services as meetings
from xiezhi.coordination.models import JointOperation, OperationOfficer
from xiezhi.coordination.operations import services
from xiezhi.coordination.operations.access import access_operation
from xiezhi.coordination.tests.linkage_helpers import (  # noqa: F401 (autouse fixture)
    _media,
    certified,
    convened,
    counts,
    report_for,
)
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import bearer
from xiezhi.units.models import Certificate, Person

pytestmark = pytest.mark.django_db


def plan_data(p: Personas, people: dict[str, Person], **extra: Any) -> dict[str, Any]:
    start = timezone.now() - timedelta(hours=1)
    data: dict[str, Any] = {
        "title": "解放路夜市联合整治",
        "plan": "城关镇与城管局联合检查夜市摊位，查处占道经营和违规用气。",
        "place": "城关镇解放路夜市",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "participants": [p.department.pk],
        "enforcers": [people["a"].pk, people["c"].pk],
        "auxiliaries": [people["helper"].pk],
    }
    data.update(extra)
    return data


def planned(p: Personas, people: dict[str, Person], **extra: Any) -> JointOperation:
    return services.plan(p.actor("township_handler"), plan_data(p, people, **extra))


@pytest.mark.rule("R-CASE-01")
@pytest.mark.rule("R-CO-03")
@pytest.mark.parametrize(
    ("enforcers", "message"),
    [
        (["a", "helper"], "协管丁（城关镇）在"),  # an assistant without a certificate
        (["a", "suspended"], "暂扣戊（示例县城市管理局）在"),  # certificate suspended
        (["a", "expired"], "过期己（城关镇）在"),  # certificate expired
        (["a"], "至少2名持有有效执法证的执法人员"),  # only one
        ([], "至少2名持有有效执法证的执法人员"),
    ],
)
def test_enforcers_must_be_two_officers_certified_on_the_day(
    personas: Personas, enforcers: list[str], message: str
) -> None:
    p = personas
    people = certified(p)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        planned(p, people, enforcers=[people[k].pk for k in enforcers], auxiliaries=[])
    text = "".join(exc.value.details["enforcers"])
    assert message in text
    if enforcers and enforcers[-1] in ("helper", "suspended", "expired"):
        assert "不能作为执法人员，只能列为辅助人员（R-CASE-01）" in text
    assert counts() == before


@pytest.mark.rule("R-CASE-01")
def test_certificate_must_be_valid_on_the_operation_date_not_today(personas: Personas) -> None:
    p = personas
    people = certified(p)
    Certificate.objects.filter(holder=people["c"]).update(valid_to=timezone.localdate() + timedelta(days=5))
    later = timezone.now() + timedelta(days=10)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        planned(p, people, starts_at=later.isoformat(), ends_at=(later + timedelta(hours=2)).isoformat())
    assert "执法丙（示例县城市管理局）在" in exc.value.details["enforcers"][0]
    assert counts() == before
    op = planned(p, people)  # today: still valid
    assert op.officers.filter(role="enforcer").count() == 2


@pytest.mark.rule("R-CASE-01")
@pytest.mark.rule("R-CO-03")
def test_plan_findings_and_results(personas: Personas) -> None:
    p = personas
    people = certified(p)
    op = planned(p, people)
    officers = {o.person_id: o for o in OperationOfficer.objects.filter(operation=op)}
    assert officers[people["a"].pk].role == "enforcer" and officers[people["a"].pk].certificate is not None
    assert (
        officers[people["helper"].pk].role == "auxiliary"
        and officers[people["helper"].pk].certificate is None
    )
    assert Notification.objects.filter(recipient_unit=p.department, title__contains="联合执法通知").exists()
    [clock] = Obligation.objects.filter(rule_id="CP-CO-03-RESULTS")
    assert clock.unit == p.township and clock.status == "open"

    lead = p.actor("township_handler")
    before = counts()
    with pytest.raises(ValidationFailed) as exc:  # an auxiliary named as enforcer on the record
        services.add_finding(
            lead, op, {"facts": "占道经营", "enforcers": [people["a"].pk, people["helper"].pk]}
        )
    assert "协管丁是本次行动的辅助人员，不能作为执法人员（R-CASE-01）" in exc.value.details["enforcers"]
    with pytest.raises(ValidationFailed) as exc:  # a certified officer not assigned
        services.add_finding(lead, op, {"facts": "占道经营", "enforcers": [people["a"].pk, people["b"].pk]})
    assert "执法乙未被指派参加本次行动" in exc.value.details["enforcers"]
    with pytest.raises(PermissionDenied):  # a participant records in the lead unit's name
        services.add_finding(
            p.actor("department_liaison"), op, {"facts": "x", "enforcers": [people["a"].pk, people["c"].pk]}
        )
    assert counts() == before
    Certificate.objects.filter(holder=people["c"]).update(status="suspended")  # suspended after planning
    with pytest.raises(ValidationFailed):
        services.add_finding(lead, op, {"facts": "占道经营", "enforcers": [people["a"].pk, people["c"].pk]})
    Certificate.objects.filter(holder=people["c"]).update(status="valid")
    f = services.add_finding(
        lead,
        op,
        {
            "facts": "3家摊位占道经营，1家违规使用液化气罐",
            "party": "王某等",
            "enforcers": [people["a"].pk, people["c"].pk],
        },
    )
    assert set(f.enforcers.all()) == {people["a"], people["c"]}

    report = report_for(p)
    with pytest.raises(ValidationFailed) as exc:
        services.finish(lead, op, {"summary": "完成", "reports": [999999]})
    assert "群众反映不存在或您无权查看" in exc.value.details["reports"][0]
    services.finish(
        lead,
        op,
        {"summary": "检查摊位42家，责令整改3家", "case_refs": "城关镇立〔2026〕15号", "reports": [report.pk]},
    )
    op.refresh_from_db()
    assert op.status == "done" and list(op.reports.all()) == [report]
    assert Obligation.objects.get(rule_id="CP-CO-03-RESULTS").status == "met"
    assert {"operation.planned", "operation.finding_added", "operation.finished"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    with pytest.raises(Conflict):
        services.add_finding(lead, op, {"facts": "x", "enforcers": [people["a"].pk, people["c"].pk]})


@pytest.mark.rule("R-CO-03")
def test_clue_meeting_leads_to_a_joint_operation(personas: Personas) -> None:
    p = personas
    people = certified(p)
    report = report_for(p)
    m = convened(p, kind="clue", clue=report.text, clue_report=report.pk)
    op = planned(p, people, meeting=m.pk)
    assert op.meeting == m and op.clue == report.text and op.clue_report == report
    assert m.events.filter(kind="operation").exists()
    assert access_operation(p.actor("department_liaison"), op.pk) == op  # a participant sees it
    with pytest.raises(NotFound):
        access_operation(p.actor("other_township_handler"), op.pk)
    meetings.cancel(p.actor("township_leader"), m, {"reason": "改期"})
    with pytest.raises(ValidationFailed):
        planned(p, people, meeting=m.pk)


def test_bad_plans_write_nothing(personas: Personas) -> None:
    p = personas
    people = certified(p)
    before = counts()
    cases: list[dict[str, Any]] = [
        {"ends_at": (timezone.now() - timedelta(hours=2)).isoformat()},  # before the start
        {"participants": []},
        {"participants": [p.township.pk]},
        {"auxiliaries": [people["a"].pk]},
        {"enforcers": [people["a"].pk, p.other_township_handler.pk]},
        {"title": ""},
    ]
    for change in cases:
        with pytest.raises(ValidationFailed):
            planned(p, people, **change)
    with pytest.raises(PermissionDenied):
        services.plan(p.actor("justice_office_supervisor"), plan_data(p, people))
    assert counts() == before


@pytest.mark.rule("R-CASE-01")
def test_api_refuses_uncertified_and_accepts_two_certified(personas: Personas) -> None:
    p = personas
    people = certified(p)
    data = plan_data(p, people)
    body = {
        "title": data["title"], "plan": data["plan"], "place": data["place"], "starts_at": data["starts_at"],
        "ends_at": data["ends_at"], "participant_ids": data["participants"],
        "enforcer_ids": [people["a"].pk, people["helper"].pk], "auxiliary_ids": [],
    }  # fmt: skip
    town = bearer(p.township_handler.account)
    r = town.post("/api/v1/operations", json.dumps(body), content_type="application/json")
    assert r.status_code == 422
    assert "协管丁（城关镇）" in json.dumps(r.json(), ensure_ascii=False)
    assert JointOperation.objects.count() == 0
    body["enforcer_ids"] = [people["a"].pk, people["c"].pk]
    body["auxiliary_ids"] = [people["helper"].pk]
    r = town.post("/api/v1/operations", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    out = r.json()
    roles = {o["name"]: o["role"] for o in out["officers"]}
    assert roles == {"执法甲": "enforcer", "执法丙": "enforcer", "协管丁": "auxiliary"}
    oid = out["id"]
    finding = {"facts": "占道", "enforcer_ids": [people["a"].pk, people["helper"].pk]}
    r = town.post(f"/api/v1/operations/{oid}/findings", json.dumps(finding), content_type="application/json")
    assert r.status_code == 422
    finding["enforcer_ids"] = [people["a"].pk, people["c"].pk]
    r = town.post(f"/api/v1/operations/{oid}/findings", json.dumps(finding), content_type="application/json")
    assert r.status_code == 201 and len(r.json()["findings"]) == 1
    r = town.post(
        f"/api/v1/operations/{oid}/results", json.dumps({"summary": "完成"}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    assert bearer(p.outsider.account).get(f"/api/v1/operations/{oid}").status_code == 404
    assert town.get("/api/v1/operations?status=done").json()["total"] == 1


def test_pages_list_csv_form_detail(personas: Personas) -> None:
    from django.test import Client

    from xiezhi.accounts.testing import sign_in

    p = personas
    people = certified(p)
    op = planned(p, people)
    c = sign_in(Client(), p.township_handler.account)
    r = c.get("/operations/?q=夜市")
    assert r.status_code == 200 and f"operation-row-{op.pk}" in r.content.decode()
    r = c.get("/operations/?format=csv")
    assert "解放路夜市联合整治" in r.content.decode("utf-8-sig")
    m = convened(p, kind="clue", clue="夜市违规用气")
    r = c.get(f"/operations/new/?meeting={m.pk}")
    assert r.status_code == 200 and "夜市违规用气" in r.content.decode()
    r = c.post("/operations/new/", {"title": "x", "enforcers": [str(people["helper"].pk)]})
    assert r.status_code == 422 and "只能列为辅助人员" in r.content.decode()
    r = c.get(f"/operations/{op.pk}/")
    assert r.status_code == 200 and "辅助人员（不得执法）" in r.content.decode()
    r = c.post(f"/operations/{op.pk}/finding/", {"facts": "x", "enforcers": [str(people["a"].pk)]})
    assert r.status_code == 422 and "至少2名" in r.content.decode()
    assert sign_in(Client(), p.outsider.account).get(f"/operations/{op.pk}/").status_code == 404


def test_nothing_recorded_before_the_operation_starts(personas: Personas) -> None:
    p = personas
    people = certified(p)
    start = timezone.now() + timedelta(days=1)
    op = planned(p, people, starts_at=start.isoformat(), ends_at=(start + timedelta(hours=2)).isoformat())
    before = counts()
    lead = p.actor("township_handler")
    with pytest.raises(ValidationFailed) as exc:
        services.add_finding(lead, op, {"facts": "x", "enforcers": [people["a"].pk, people["c"].pk]})
    assert "行动尚未开始" in exc.value.message
    with pytest.raises(ValidationFailed):
        services.finish(lead, op, {"summary": "完成"})
    assert counts() == before
    services.cancel(lead, op, {"reason": "天气原因取消"})
    assert Obligation.objects.get(rule_id="CP-CO-03-RESULTS").status == "waived"
