"""Criminal referrals R-CR-01..03 (国务院令第310号) through the services, over HTTP and on the pages."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from xiezhi.accounts.testing import sign_in
from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.models import PenaltyDecision, PoliceSupportRequest, Referral, ReferralEvent
from xiezhi.coordination.referrals import access, services
from xiezhi.coordination.tests.referral_helpers import (
    MATERIALS,
    CrWorld,
    approved,
    build_cr_world,
    declined,
    received,
    report_data,
    reported,
    transferred,
)
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.tests.extract import docx_text, squash
from xiezhi.notifications.models import Notification
from xiezhi.rulebook import referral_flow as flow
from xiezhi.rulebook.periods import PeriodKind, get_limit
from xiezhi.testing.factories import Personas, make_certificate
from xiezhi.transfers.tests.helpers import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def w(personas: Personas) -> CrWorld:
    return build_cr_world(personas)


def clocks(r: Referral) -> dict[str, Obligation]:
    return {
        ob.rule_id: ob
        for ob in Obligation.objects.filter(subject_id=str(r.pk), subject_type__model="referral")
    }


def counts() -> tuple[int, ...]:
    return (
        Referral.objects.count(),
        ReferralEvent.objects.count(),
        AuditEvent.objects.count(),
        Obligation.objects.count(),
        IssuedDocument.objects.count(),
        Notification.objects.count(),
        PenaltyDecision.objects.count(),
        PoliceSupportRequest.objects.count(),
    )


# --- the transition table and the periods (pure) ------------------------------------------------


def test_the_310_periods_are_natural_days_and_clock_hours() -> None:
    assert get_limit("LAW-310-5").period.kind is PeriodKind.CALENDAR_DAYS
    assert get_limit("LAW-310-5").period.n == 3
    assert get_limit("LAW-310-5:transfer").period.kind is PeriodKind.HOURS
    assert get_limit("LAW-310-7").period.n == 24
    for rule in ("LAW-310-8", "LAW-310-9", "LAW-310-9:decide", "LAW-310-9:procuratorate", "LAW-310-12"):
        assert get_limit(rule).period.kind is PeriodKind.CALENDAR_DAYS
    assert get_limit("CP-CR-03-SUPPORT").period.kind is PeriodKind.IMMEDIATE
    assert flow.missing_materials({"investigation_report": "有", "other": " "}) == [
        "涉案物品清单",
        "有关检验报告或者鉴定结论",
        "其他有关涉嫌犯罪的材料",
    ]
    assert set(flow.STEP_ON_ENTRY.values()) <= set(flow.STEPS.values())
    assert all(a in flow.ACTORS for (_, a) in flow.REFERRAL.transitions)


# --- R-CR-01: reporting, the head's decision, the transfer --------------------------------------


@pytest.mark.rule("R-CR-01")
def test_team_report_head_approves_and_transfer_within_24_hours_with_the_referral_letter(w: CrWorld) -> None:
    r = reported(w)
    assert r.status == "reported"
    head = clocks(r)["LAW-310-5"]
    assert head.unit == w.p.township and head.status == "open"
    # 3 natural days: the start day is not counted, the last day ends at 24:00 (or rolls over a holiday).
    assert head.due_at - r.reported_at >= timedelta(days=2)
    assert services.allowed_actions(w.p.actor("township_leader"), r) == ["approve", "reject"]
    assert services.allowed_actions(w.actor("officer1"), r) == []  # only the head decides
    with pytest.raises(PermissionDenied):
        services.decide(w.actor("officer1"), r, {"approve": True})

    r = services.decide(w.p.actor("township_leader"), r, {"approve": True, "note": "同意移送"})
    c = clocks(r)
    assert r.decided_at is not None
    assert c["LAW-310-5"].status == "met"
    assert c["LAW-310-5:transfer"].status == "open"
    assert c["LAW-310-5:transfer"].due_at == r.decided_at + timedelta(hours=24)

    r = services.transfer(w.actor("officer1"), r, {"materials": MATERIALS, "contact_phone": "0570-1234567"})
    assert r.status == "transferred" and r.letter is not None
    assert r.letter.doc_type == "criminal_referral" and "刑移〔" in r.letter.number
    text = squash(docx_text(default_storage.open(r.letter.docx_path, "rb").read()))
    assert "涉嫌犯罪案件移送书" in text and "示例县公安局" in text and "污染环境罪" in text
    assert "涉案物品清单" in text and "专案组（陈执法、林执法）" in text
    assert clocks(r)["LAW-310-5:transfer"].status == "met"
    assert Notification.objects.filter(recipient_unit=w.police, kind="referral").exists()
    assert AuditEvent.objects.filter(action="referral.transfer", target_id=str(r.pk)).exists()


@pytest.mark.rule("R-CR-01")
@pytest.mark.rule("R-CASE-01")
@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"team": "ONE"}, "team", "至少2名"),
        ({"team": "ASSISTANT"}, "team", "何协管未持有有效执法证"),
        ({"party": ""}, "party", "请填写当事人"),
        ({"police": "PROC"}, "police", "不是公安机关"),
    ],
)
def test_bad_reports_write_nothing(w: CrWorld, change: dict[str, Any], field: str, text: str) -> None:
    data = report_data(w, **change)
    if data["team"] == "ONE":
        data["team"] = [w.officer1.pk]
    elif data["team"] == "ASSISTANT":
        data["team"] = [w.officer1.pk, w.assistant.pk]
    if data["police"] == "PROC":
        data["police"] = w.procuratorate.pk
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.report_suspicion(w.actor("officer1"), data)
    assert any(text in m for m in (exc.value.details or {}).get(field, [])), exc.value.details
    assert counts() == before


def test_expired_certificate_does_not_count_and_other_unit_cannot_be_named(w: CrWorld) -> None:
    w.officer2.certificates.update(valid_to=timezone.localdate() - timedelta(days=1))  # type: ignore[attr-defined]
    before = counts()
    with pytest.raises(ValidationFailed):
        services.report_suspicion(w.actor("officer1"), report_data(w))
    make_certificate(w.officer2)
    with pytest.raises(PermissionDenied) as exc:
        services.report_suspicion(w.actor("officer1"), report_data(w, unit=w.p.department.pk))
    assert "本单位" in exc.value.message
    with pytest.raises(PermissionDenied):  # the police do not report suspicions
        services.report_suspicion(w.actor("police_officer"), report_data(w))
    assert counts() == before


@pytest.mark.rule("R-CR-01")
def test_not_approved_records_reasons_and_missing_materials_are_listed(w: CrWorld) -> None:
    r = reported(w)
    before = counts()
    with pytest.raises(ValidationFailed):
        services.decide(w.p.actor("township_leader"), r, {"approve": False, "note": ""})
    assert counts() == before
    r = services.decide(w.p.actor("township_leader"), r, {"approve": False, "note": "证据不足，未达追诉标准"})
    assert r.status == "not_approved" and r.decision_note == "证据不足，未达追诉标准" and r.closed_at

    r2 = approved(w)
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.transfer(w.actor("officer1"), r2, {"materials": {"investigation_report": "调查报告"}})
    assert exc.value.details["missing"] == [
        "涉案物品清单",
        "有关检验报告或者鉴定结论",
        "其他有关涉嫌犯罪的材料",
    ]
    assert "缺少移送材料" in exc.value.message
    assert counts() == before
    r2.refresh_from_db()
    assert r2.status == "approved"


# --- R-CR-02: the police, procuratorate and court in their restricted views ---------------------


@pytest.mark.rule("R-CR-02")
def test_police_see_only_referrals_sent_to_them_and_others_get_404(w: CrWorld) -> None:
    r = approved(w)
    with pytest.raises(NotFound):  # not yet sent: the internal approval stage is not theirs
        access.access_referral(w.actor("police_officer"), r.pk)
    r = services.transfer(w.actor("officer1"), r, {"materials": MATERIALS})
    assert access.access_referral(w.actor("police_officer"), r.pk) == r
    for who in ("other_police_officer", "other_township_handler", "outsider"):
        with pytest.raises(NotFound):
            access.access_referral(w.actor(who), r.pk)
    assert not access.visible_to(w.actor("judge")).exists()  # the court sees outcomes only
    assert access.visible_to(w.actor("prosecutor")).filter(pk=r.pk).exists()
    assert access.visible_to(w.actor("bureau_handler")).filter(pk=r.pk).exists()
    with pytest.raises(PermissionDenied):
        services.receive(w.actor("prosecutor"), r, {})
    # Over HTTP: another police unit acting on it gets the same 404 as for a missing referral, nothing written.
    before = counts()
    response = bearer(w.other_police_officer.account).post(  # type: ignore[attr-defined]
        f"/api/v1/referrals/{r.pk}/receive", data="{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert counts() == before


@pytest.mark.rule("R-CR-02")
def test_police_receive_review_and_file_then_items_handed_over_court_notified(w: CrWorld) -> None:
    r = received(w)
    c = clocks(r)
    assert c["LAW-310-8"].unit == w.police and c["LAW-310-8"].status == "open"
    with pytest.raises(ValidationFailed):
        services.police_decide(w.actor("police_officer"), r, {"file": True, "case_number": ""})
    r = services.police_decide(
        w.actor("police_officer"), r, {"file": True, "case_number": "示公（刑）立字〔2025〕8号"}
    )
    assert r.status == "filed"
    c = clocks(r)
    assert c["LAW-310-8"].status == "met" and c["LAW-310-12"].unit == w.p.township
    assert Notification.objects.filter(recipient_unit=w.court).exists()
    assert access.access_referral(w.actor("judge"), r.pk) == r
    r = services.hand_over(w.actor("officer1"), r, {"note": "涉案废水样品3份、检测报告原件"})
    assert r.status == "handed_over" and clocks(r)["LAW-310-12"].status == "met"
    with pytest.raises(Conflict):
        services.hand_over(w.actor("officer1"), r, {"note": "再次"})


@pytest.mark.rule("R-CR-02")
def test_not_competent_police_forward_within_24_hours_and_say_so(w: CrWorld) -> None:
    r = received(w)
    r = services.forward(
        w.actor("police_officer"), r, {"forwarded_to": "示例市公安局环境犯罪侦查支队", "note": "属市局管辖"}
    )
    c = clocks(r)
    assert r.status == "forwarded"
    assert c["LAW-310-7"].status == "met" and c["LAW-310-7"].unit == w.police
    assert c["LAW-310-8"].status == "waived"
    assert Notification.objects.filter(recipient_unit=w.p.township, title__contains="转送").exists()


@pytest.mark.rule("R-CR-02")
def test_decline_contested_by_reconsideration_then_procuratorate_supervision(w: CrWorld) -> None:
    r = declined(w)
    assert clocks(r)["LAW-310-9"].unit == w.p.township
    r = services.reconsider(w.actor("officer1"), r, {"reasons": "检测结果已超标10倍，达到追诉标准"})
    assert clocks(r)["LAW-310-9:decide"].unit == w.police
    r = services.police_decide(w.actor("police_officer"), r, {"file": False, "reasons": "维持原决定"})
    assert r.status == "upheld" and clocks(r)["LAW-310-9:procuratorate"].status == "open"
    r = services.supervise(w.actor("officer1"), r, {"request": "请依法进行立案监督"})
    assert r.status == "supervision" and r.procuratorate == w.procuratorate
    assert services.allowed_actions(w.actor("prosecutor"), r) == ["supervision_file", "supervision_close"]
    with pytest.raises(PermissionDenied):
        services.supervision_result(w.actor("police_officer"), r, {"file": True, "result": "x"})
    r = services.supervision_result(
        w.actor("prosecutor"), r, {"file": True, "result": "不立案理由不成立，通知立案"}
    )
    assert r.status == "filed" and clocks(r)["LAW-310-12"].status == "open"


# --- R-CR-01: no fine instead of prosecution ----------------------------------------------------


def penalty(w: CrWorld, **extra: Any) -> PenaltyDecision:
    data = {
        "party": "某化工有限公司",
        "decision_number": f"城罚〔2025〕{PenaltyDecision.objects.count() + 1}号",
        "amount": "50000",
        "decided_on": timezone.localdate().isoformat(),
        **extra,
    }
    return services.record_penalty_decision(w.actor("officer1"), data)


@pytest.mark.rule("R-CR-01")
def test_penalty_on_a_pending_referral_is_recorded_with_an_alert_to_bureau_and_procuratorate(
    w: CrWorld,
) -> None:
    r = transferred(w)
    p = penalty(w)
    assert p.pk and p.alert and p.referral == r and "310号第十一条" in p.alert_reason
    for unit in (w.p.justice_bureau, w.procuratorate):
        assert Notification.objects.filter(recipient_unit=unit, kind="referral_alert").exists()
    assert AuditEvent.objects.filter(action="penalty.substitution_alert", target_id=str(p.pk)).exists()
    # A suspicion noted and never referred: alert too.
    q = penalty(w, party="另一当事人", crime_suspected=True)
    assert q.alert and q.referral is None
    # Ordinary penalty: no alert.
    assert not penalty(w, party="普通当事人").alert


@pytest.mark.rule("R-CR-01")
def test_after_a_police_decline_the_administrative_case_continues_without_alert(w: CrWorld) -> None:
    r = declined(w)
    services.accept_decline(w.actor("officer1"), r, {"note": "依法继续行政处罚"})
    p = penalty(w, crime_suspected=True)
    assert not p.alert
    not_approved = reported(w, party="乙公司")
    services.decide(w.p.actor("township_leader"), not_approved, {"approve": False, "note": "证据不足"})
    assert penalty(w, party="乙公司").alert  # the head decided not to transfer: flagged for review


def test_bad_penalties_write_nothing(w: CrWorld) -> None:
    penalty(w, party="普通当事人", decision_number="城罚〔2025〕1号")
    before = counts()
    for bad in (
        {"amount": "-1"},
        {"decided_on": "2999-01-01"},
        {"decision_number": "城罚〔2025〕1号"},
        {"party": ""},
    ):
        with pytest.raises(ValidationFailed):
            penalty(w, **{"party": "丙", **bad})
    with pytest.raises(PermissionDenied):
        penalty(w, unit=w.p.department.pk)
    assert counts() == before


# --- R-CR-03: police support ----------------------------------------------------------------------


@pytest.mark.rule("R-CR-03")
def test_obstruction_by_violence_is_handed_to_the_police_who_respond_immediately(w: CrWorld) -> None:
    before = counts()
    with pytest.raises(ValidationFailed):
        services.request_support(w.actor("officer1"), {"kind": "riot", "location": "x"})
    assert counts() == before
    s = services.request_support(
        w.actor("officer1"),
        {
            "kind": "violence",
            "occurred_at": timezone.now().isoformat(),
            "location": "城关镇解放路18号",
            "description": "当事人持棍棒殴打执法人员，阻碍拆除违建",
            "officers_on_scene": "陈执法、林执法",
        },
    )
    ob = Obligation.objects.get(subject_id=str(s.pk), subject_type__model="policesupportrequest")
    assert ob.unit == w.police and ob.rule_id == "CP-CR-03-SUPPORT" and ob.due_at == ob.opened_at
    assert Notification.objects.filter(recipient_unit=w.police, title__contains="即时").exists()
    with pytest.raises(NotFound):
        access.access_support(w.actor("other_police_officer"), s.pk)
    with pytest.raises(PermissionDenied):
        services.respond_support(w.actor("officer1"), s, {"response": "x"})
    s = services.respond_support(w.actor("police_officer"), s, {"response": "已出警，控制行为人"})
    ob.refresh_from_db()
    assert s.status == "responded" and ob.status == "met"


# --- HTTP: API and pages --------------------------------------------------------------------------


@pytest.mark.rule("R-CR-02")
def test_main_path_over_the_api(w: CrWorld) -> None:
    officer = bearer(w.officer1.account)  # type: ignore[attr-defined]
    body = report_data(w)
    body["police_id"] = body.pop("police")
    response = officer.post("/api/v1/referrals", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    leader = bearer(w.p.township_leader.account)  # type: ignore[attr-defined]
    assert (
        leader.post(
            f"/api/v1/referrals/{rid}/approve", data="{}", content_type="application/json"
        ).status_code
        == 200
    )
    bad = officer.post(
        f"/api/v1/referrals/{rid}/transfer",
        data=json.dumps({"materials": {}}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and "缺少移送材料" in bad.json()["message"]
    ok = officer.post(
        f"/api/v1/referrals/{rid}/transfer",
        data=json.dumps({"materials": MATERIALS}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "transferred"
    police = bearer(w.police_officer.account)  # type: ignore[attr-defined]
    listed = police.get("/api/v1/referrals").json()
    assert [i["id"] for i in listed["items"]] == [rid]
    assert police.post(f"/api/v1/referrals/{rid}/receive", data="{}", content_type="application/json").json()[
        "allowed_actions"
    ] == ["forward", "file", "decline"]
    filed = police.post(
        f"/api/v1/referrals/{rid}/file",
        data=json.dumps({"case_number": "立字8号"}),
        content_type="application/json",
    )
    assert filed.json()["status"] == "filed"
    court = bearer(w.judge.account).get(f"/api/v1/referrals/{rid}")  # type: ignore[attr-defined]
    assert court.status_code == 200 and court.json()["allowed_actions"] == []


def test_pages_render_for_each_role(w: CrWorld) -> None:
    r = transferred(w)
    for who, title in (
        ("officer1", "涉嫌犯罪案件移送"),
        ("police_officer", "公安机关"),
        ("prosecutor", "检察院"),
        ("judge", "法院"),
    ):
        client = sign_in(Client(), getattr(w, who).account)
        page = client.get("/referrals/")
        assert page.status_code == 200 and title in page.content.decode()
        # The criminal-justice users sign in to a working home page.
        assert client.get("/", follow=True).status_code == 200
    police = sign_in(Client(), w.police_officer.account)  # type: ignore[attr-defined]
    detail = police.get(f"/referrals/{r.pk}/").content.decode()
    assert 'data-testid="action-receive"' in detail and "涉案物品清单" in detail
    other = sign_in(Client(), w.other_police_officer.account)  # type: ignore[attr-defined]
    assert other.get(f"/referrals/{r.pk}/").status_code == 404
    before = counts()
    assert other.post(f"/referrals/{r.pk}/receive/").status_code == 404
    assert counts() == before
    officer = sign_in(Client(), w.officer1.account)  # type: ignore[attr-defined]
    assert officer.get("/referrals/new/").status_code == 200
    assert officer.get("/referrals/?export=csv").status_code == 200
    page = officer.post(
        "/referrals/penalties/",
        {
            "party": "某化工有限公司",
            "decision_number": "城罚1号",
            "amount": "100",
            "decided_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "已向司法局和检察院发出以罚代刑预警" in page.content.decode()  # said, not blocked
    assert PenaltyDecision.objects.get(decision_number="城罚1号").alert
    export = officer.get("/referrals/penalties/?export=csv")
    assert export.status_code == 200 and "城罚1号" in export.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="penalty.export").exists()
    assert officer.get("/referrals/support/").status_code == 200
