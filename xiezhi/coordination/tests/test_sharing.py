"""Information sharing R-SH-01 / R-SH-02 through the services, the API and the pages."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.models import SharedAttachment, SharedRecord, ShareRecipient, ShareSubscription
from xiezhi.coordination.sharing import services
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.deadlines.models import Obligation
from xiezhi.notifications.models import Notification
from xiezhi.rulebook import sharing as rules
from xiezhi.rulebook.deadlines import due
from xiezhi.rulebook.periods import parse_period
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.testing.factories import Personas, actor_of, make_person, make_unit
from xiezhi.transfers.tests.helpers import PDF, World, api, build_world, page
from xiezhi.units.models import Person, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)


def market_person(w: World) -> Person:
    market = make_unit("示例县市场监督管理局", UnitKind.DEPARTMENT, w.p.county, code="D02")
    return make_person(market, "孔科员", ("liaison",), username="m_liaison")


def counts() -> tuple[int, int, int, int]:
    return (
        SharedRecord.objects.count(),
        AuditEvent.objects.count(),
        Obligation.objects.count(),
        ShareRecipient.objects.count(),
    )


def penalty_data(w: World, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": 3,
        "title": "城关镇对王某某违法建设作出行政处罚决定",
        "content": "决定书城综罚〔2025〕12号：责令限期拆除，罚款五千元，已执行完毕。",
        "formed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "matters": [w.plan.pk],
    }
    data.update(extra)
    return data


def obligation(r: SharedRecord) -> Obligation:
    return Obligation.objects.get(subject_type__model="sharedrecord", subject_id=str(r.pk), rule_id="R-SH-02")


@pytest.mark.rule("R-SH-01")
def test_the_eight_categories_with_chinese_labels_and_default_recipients() -> None:
    assert list(rules.CATEGORIES) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rules.CATEGORIES[1].label.startswith("涉及乡镇（街道）行政处罚事项设定依据")
    assert rules.CATEGORIES[8].short == "其他执法信息"
    assert rules.CATEGORIES[1].needs_matters and rules.CATEGORIES[3].needs_matters
    assert rules.CATEGORIES[3].senders == ("township",)
    assert rules.default_groups(1) == ("holders",)
    assert rules.default_groups(3) == ("field_departments",)
    assert set(rules.DEFAULT_RECIPIENTS) == set(rules.CATEGORIES)
    assert all(g in rules.GROUPS for groups in rules.DEFAULT_RECIPIENTS.values() for g in groups)


@pytest.mark.rule("R-SH-01")
@pytest.mark.rule("R-SH-02")
def test_township_penalty_decision_reaches_field_department_and_subscriber_who_confirm_reading(
    world: World,
) -> None:
    marketeer = market_person(world)
    services.subscribe(actor_of(marketeer), {"kind": "field", "field": "城市管理"})
    r = services.form_record(world.actor("township_handler"), penalty_data(world))
    ob = obligation(r)
    assert (ob.unit_id, ob.status, ob.period) == (world.town.pk, "open", "1WD")
    start = timezone.localtime(r.formed_at)
    assert ob.due_at == due(start, parse_period("1WD"), WorkCalendar.default()).at
    services.share(world.actor("township_handler"), r)
    r.refresh_from_db()
    ob.refresh_from_db()
    assert r.status == "shared" and ob.status == "met" and ob.met_at is not None and ob.met_at <= ob.due_at
    receipts = {x.unit_id: x.reason for x in r.recipients.all()}  # type: ignore[attr-defined]
    assert set(receipts) == {world.dept.pk, marketeer.unit_id}
    assert "县级默认" in receipts[world.dept.pk] and "订阅" in receipts[marketeer.unit_id]
    assert Notification.objects.filter(recipient_unit=world.dept, url=f"/sharing/{r.pk}/").exists()
    # the other township is no recipient and does not see it
    with pytest.raises(NotFound):
        from xiezhi.coordination.sharing.access import access_record

        access_record(world.actor("other_township_handler"), r.pk)
    with pytest.raises(PermissionDenied):
        services.mark_read(world.actor("township_handler"), r)
    services.mark_read(world.actor("department_liaison"), r)
    with pytest.raises(Conflict):
        services.mark_read(world.actor("department_leader"), r)
    read = {x.unit_id: x.read_at for x in r.recipients.all()}  # type: ignore[attr-defined]
    assert read[world.dept.pk] is not None and read[marketeer.unit_id] is None
    actions = set(AuditEvent.objects.filter(target_id=str(r.pk)).values_list("action", flat=True))
    assert {"sharing.formed", "sharing.shared", "sharing.read"} <= actions
    with pytest.raises(Conflict):
        services.share(world.actor("township_handler"), r)


@pytest.mark.rule("R-SH-01")
def test_law_change_links_matters_and_reaches_the_townships_holding_them(world: World) -> None:
    data = {
        "category": 1,
        "title": "《示例条例》修订：随地吐痰罚款标准调整",
        "content": "第九条罚款上限由50元调整为200元，自2025年10月1日起施行。",
        "formed_at": (timezone.now() - timedelta(minutes=30)).isoformat(),
        "matters": [world.city.code],
    }
    r = services.form_record(world.actor("department_liaison"), data, share_now=True)
    assert r.status == "shared"
    assert list(r.recipients.values_list("unit_id", flat=True)) == [world.town.pk]  # type: ignore[attr-defined]
    rows = services.holders(world.p.county.pk, [world.city])
    modes = {label: [t.name for t in towns] for label, towns in rows[0]["modes"]}
    assert modes == {"赋权": ["城关镇"], "委托": [], "不下放": ["河西镇"]}
    # a retained matter has no holder: the category has no default recipient, so sharing needs a named one
    r2 = services.form_record(world.actor("department_liaison"), {**data, "matters": [world.plan.pk]})
    with pytest.raises(ValidationFailed) as exc:
        services.share(world.actor("department_liaison"), r2)
    assert "没有接收单位" in exc.value.message
    assert SharedRecord.objects.get(pk=r2.pk).status == "draft"


@pytest.mark.rule("R-SH-01")
def test_bad_input_writes_nothing(world: World) -> None:
    before = counts()
    town = world.actor("township_handler")
    cases: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
        (town, penalty_data(world, matters=[]), ValidationFailed, "须选择所涉及的事项"),
        (town, penalty_data(world, matters=["NO-SUCH"]), ValidationFailed, "不在现行公布的事项目录中"),
        (town, penalty_data(world, category=9), ValidationFailed, "共享类别"),
        (town, penalty_data(world, formed_at=(timezone.now() + timedelta(hours=2)).isoformat()), ValidationFailed, "不能晚于当前时间"),
        (town, penalty_data(world, sender=world.dept.pk), PermissionDenied, "本单位名义"),
        (world.actor("department_liaison"), penalty_data(world), ValidationFailed, "由乡镇（街道）共享"),
        (world.p.actor("sysadmin"), penalty_data(world), PermissionDenied, "管理员"),
    ]  # fmt: skip
    for actor, data, error, text in cases:
        with pytest.raises(error) as exc:
            services.form_record(actor, data)
        assert text in str(exc.value) + str(getattr(exc.value, "details", "")), text
    with pytest.raises(ValidationFailed):
        services.form_record(town, penalty_data(world), [("a.pdf", PDF), ("b.exe", b"MZ")])
    assert counts() == before


@pytest.mark.rule("R-SH-02")
def test_extension_needs_a_reason_and_a_leader_and_is_recorded(world: World) -> None:
    r = services.form_record(world.actor("township_handler"), penalty_data(world))
    ob = obligation(r)
    before = (AuditEvent.objects.count(), ob.due_at)
    with pytest.raises(ValidationFailed) as exc:
        services.extend(world.actor("township_leader"), r, {"reason": "  "})
    assert "理由" in exc.value.message
    with pytest.raises(PermissionDenied):
        services.extend(world.actor("township_handler"), r, {"reason": "需整理执行材料"})
    with pytest.raises(PermissionDenied):
        services.extend(world.actor("department_leader"), r, {"reason": "需整理执行材料"})
    ob.refresh_from_db()
    assert (AuditEvent.objects.count(), ob.due_at) == before
    services.extend(world.actor("township_leader"), r, {"reason": "执行材料尚在收集整理", "period": "2WD"})
    ob.refresh_from_db()
    r.refresh_from_db()
    assert ob.due_at > before[1] and ob.status == "open"
    assert r.extension_reason == "执行材料尚在收集整理"
    assert AuditEvent.objects.filter(action="sharing.extended", reason="执行材料尚在收集整理").exists()
    assert AuditEvent.objects.filter(action="obligation.extended").exists()
    assert r.events.filter(kind="extended").exists()  # type: ignore[attr-defined]
    services.share(world.actor("township_handler"), r)
    with pytest.raises(Conflict):
        services.extend(world.actor("township_leader"), r, {"reason": "再延"})


def test_attachments_are_kept_by_sha256_and_served_verified(world: World) -> None:
    import hashlib

    r = services.form_record(world.actor("township_handler"), penalty_data(world), [("决定书.pdf", PDF)])
    att = SharedAttachment.objects.get(record=r)
    assert att.sha256 == hashlib.sha256(PDF).hexdigest()
    services.share(world.actor("township_handler"), r)
    client = page(world, "department_liaison")
    resp = client.get(f"/sharing/{r.pk}/attachments/{att.pk}/")
    assert resp.status_code == 200 and resp.content == PDF and resp["X-Content-SHA256"] == att.sha256
    assert (
        page(world, "other_township_handler").get(f"/sharing/{r.pk}/attachments/{att.pk}/").status_code == 404
    )


def test_subscriptions_own_unit_only_and_no_duplicates(world: World) -> None:
    liaison = world.actor("department_liaison")
    sub = services.subscribe(liaison, {"kind": "category", "category": "7"})
    with pytest.raises(Conflict):
        services.subscribe(liaison, {"kind": "category", "category": 7})
    with pytest.raises(PermissionDenied):
        services.subscribe(liaison, {"kind": "category", "category": 6, "unit": world.town.pk})
    with pytest.raises(ValidationFailed):
        services.subscribe(liaison, {"kind": "matter", "matter": "NO-SUCH"})
    with pytest.raises(NotFound):
        services.unsubscribe(world.actor("township_handler"), sub.pk)
    services.unsubscribe(liaison, sub.pk)
    assert not ShareSubscription.objects.exists()
    assert AuditEvent.objects.filter(action__in=["sharing.subscribed", "sharing.unsubscribed"]).count() == 2


@pytest.mark.rule("R-SH-01")
@pytest.mark.rule("R-SH-02")
def test_api_form_share_read_receipts_filters_and_errors(world: World) -> None:
    town, dept = api(world, "township_handler"), api(world, "department_liaison")
    before = counts()
    bad = town.post(
        "/api/v1/sharing", penalty_data(world, sender_id=world.dept.pk, matters=[str(world.plan.pk)]),
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 403 and "本单位名义" in bad.json()["message"]
    future = (timezone.now() + timedelta(days=1)).isoformat()
    bad = town.post("/api/v1/sharing", penalty_data(world, formed_at=future, matters=[str(world.plan.pk)]),
                    content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and "formed_at" in bad.json()["details"]
    assert counts() == before
    resp = town.post(
        "/api/v1/sharing", penalty_data(world, matters=[str(world.plan.pk)]), content_type="application/json"
    )
    assert resp.status_code == 201, resp.content
    rid = resp.json()["id"]
    assert resp.json()["status"] == "draft" and resp.json()["obligations"][0]["rule_id"] == "R-SH-02"
    bad = town.post(f"/api/v1/sharing/{rid}/extend", {"reason": ""}, content_type="application/json")
    assert bad.status_code in (403, 422)
    assert dept.get(f"/api/v1/sharing/{rid}").status_code == 404  # a draft is the sender's alone
    shared = town.post(f"/api/v1/sharing/{rid}/share")
    assert shared.status_code == 200 and shared.json()["unread"] == ["示例县城市管理局"]
    inbox = dept.get("/api/v1/sharing?box=received&status=unread&category=3").json()
    assert [i["id"] for i in inbox["items"]] == [rid]
    assert dept.get("/api/v1/sharing?box=received&status=read").json()["total"] == 0
    assert dept.get("/api/v1/sharing?box=received&q=王某某").json()["total"] == 1
    assert (
        dept.get("/api/v1/sharing?box=received&date_from=2000-01-01&date_to=2000-01-02").json()["total"] == 0
    )
    assert dept.get("/api/v1/sharing?box=received&category=12").status_code == 422
    read = dept.post(f"/api/v1/sharing/{rid}/read")
    assert read.status_code == 200 and read.json()["receipts"][0]["read_at"]
    assert dept.post(f"/api/v1/sharing/{rid}/read").status_code == 409
    detail = town.get(f"/api/v1/sharing/{rid}").json()
    assert detail["unread"] == [] and [e["kind"] for e in detail["timeline"]] == ["formed", "shared", "read"]
    assert detail["obligations"][0]["status"] == "met"
    assert api(world, "other_township_handler").get(f"/api/v1/sharing/{rid}").status_code == 404
    assert api(world, "outsider").post(f"/api/v1/sharing/{rid}/read").status_code == 404
    outbox = town.get("/api/v1/sharing?box=sent").json()
    assert outbox["items"][0]["recipients"] == 1 and outbox["items"][0]["read"] == 1
    cats = town.get("/api/v1/sharing/categories").json()
    assert len(cats) == 8 and cats[2]["default_recipients"] == ["所涉事项所属领域的县级主管部门"]
    sub = dept.post("/api/v1/sharing/subscriptions", {"kind": "matter", "matter": world.noise.code},
                    content_type="application/json")  # fmt: skip
    assert sub.status_code == 201 and sub.json()["describe"].startswith("事项：")
    assert len(dept.get("/api/v1/sharing/subscriptions").json()) == 1
    assert dept.delete(f"/api/v1/sharing/subscriptions/{sub.json()['id']}").status_code == 204


def test_pages_inbox_outbox_form_detail_csv_and_subscriptions(world: World) -> None:
    town = page(world, "township_handler")
    form = town.get("/sharing/new/")
    assert form.status_code == 200 and "登记共享信息" in form.content.decode()
    before = counts()
    bad = town.post("/sharing/new/", {**penalty_data(world, formed_at=""), "share_now": "1"})
    assert bad.status_code == 422 and "请填写信息形成时间" in bad.content.decode()
    forged = town.post("/sharing/new/", {**penalty_data(world), "sender": world.dept.pk})
    assert forged.status_code == 403
    assert counts() == before
    formed = timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    resp = town.post("/sharing/new/", {**penalty_data(world, formed_at=formed), "share_now": "1"})
    assert resp.status_code == 302
    r = SharedRecord.objects.get()
    assert r.status == "shared"
    dept = page(world, "department_liaison")
    inbox = dept.get("/sharing/?box=received").content.decode()
    assert r.title in inbox and "未签收" in inbox
    assert dept.post(f"/sharing/{r.pk}/read/").status_code == 302
    detail = town.get(f"/sharing/{r.pk}/").content.decode()
    assert "全部接收单位已签收" in detail and "赵联络" in detail
    csv = town.get("/sharing/?box=sent&format=csv")
    assert csv.status_code == 200 and r.title in csv.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="sharing.export").exists()
    assert town.get("/sharing/?box=nope").status_code == 422
    subs = dept.post("/sharing/subscriptions/", {"kind": "category", "category": "4"})
    assert subs.status_code == 302
    assert "统计分析数据" in dept.get("/sharing/subscriptions/").content.decode()
    assert page(world, "sysadmin").get("/sharing/").status_code == 403
    county_wide = page(world, "dispatcher").get("/sharing/").content.decode()
    assert "全县共享信息" in county_wide and r.title in county_wide
    assert r.title not in page(world, "justice_office_supervisor").get("/sharing/").content.decode()


def test_demo_loader_adds_records_and_subscriptions_once() -> None:
    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    assert SharedRecord.objects.count() == 3 and ShareSubscription.objects.count() == 2
    assert set(SharedRecord.objects.values_list("status", flat=True)) == {"draft", "shared"}
    assert ShareRecipient.objects.filter(read_at__isnull=False).count() == 1
    call_command("demo", stdout=io.StringIO())
    assert SharedRecord.objects.count() == 3


@pytest.mark.rule("R-SH-02")
def test_sharing_after_the_working_day_is_met_late_and_marked(world: World) -> None:
    formed = timezone.now() - timedelta(days=10)
    r = services.form_record(
        world.actor("township_handler"), penalty_data(world, formed_at=formed.isoformat())
    )
    assert services.allowed_actions(world.actor("township_handler"), r) == ["share", "attach"]
    assert "extend" in services.allowed_actions(world.actor("township_leader"), r)
    services.share(world.actor("township_handler"), r)
    ob = obligation(r)
    assert ob.status == "met" and ob.met_at is not None and ob.met_at > ob.due_at
    assert r.events.filter(kind="late").exists()  # type: ignore[attr-defined]


@pytest.mark.rule("R-SH-02")
def test_pages_extend_with_reason_attach_and_share_a_draft(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = services.form_record(world.actor("township_handler"), penalty_data(world))
    leader = page(world, "township_leader")
    html = leader.get(f"/sharing/{r.pk}/").content.decode()
    assert 'data-testid="action-extend"' in html and 'data-testid="action-share"' in html
    handler_html = page(world, "township_handler").get(f"/sharing/{r.pk}/").content.decode()
    assert 'data-testid="action-share"' in handler_html and 'data-testid="action-extend"' not in handler_html
    due = obligation(r).due_at
    bad = leader.post(f"/sharing/{r.pk}/extend/", {"reason": "", "period": "1WD"})
    assert bad.status_code == 422 and "须说明理由" in bad.content.decode()
    assert obligation(r).due_at == due and not AuditEvent.objects.filter(action="sharing.extended").exists()
    assert (
        leader.post(f"/sharing/{r.pk}/extend/", {"reason": "需汇总执行情况", "period": "1WD"}).status_code
        == 302
    )
    assert obligation(r).due_at > due
    town = page(world, "township_handler")
    upload = SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf")
    assert town.post(f"/sharing/{r.pk}/attach/", {"file": upload}).status_code == 302
    assert town.post(f"/sharing/{r.pk}/share/").status_code == 302
    detail = town.get(f"/sharing/{r.pk}/").content.decode()
    assert "决定书.pdf" in detail and "需汇总执行情况" in detail and "未签收：示例县城市管理局" in detail
    assert page(world, "department_liaison").post(f"/sharing/{r.pk}/share/").status_code == 403


def test_api_attachment_upload_checks_the_file_and_the_sender(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = services.form_record(world.actor("township_handler"), penalty_data(world))
    town = api(world, "township_handler")
    bad = town.post(
        f"/api/v1/sharing/{r.pk}/attachments", {"file": SimpleUploadedFile("x.pdf", b"not a pdf")}
    )
    assert bad.status_code == 422 and not SharedAttachment.objects.exists()
    ok = town.post(f"/api/v1/sharing/{r.pk}/attachments", {"file": SimpleUploadedFile("决定书.pdf", PDF)})
    assert ok.status_code == 200 and ok.json()["attachments"][0]["name"] == "决定书.pdf"
    leader = api(world, "township_leader")
    assert (
        leader.post(
            f"/api/v1/sharing/{r.pk}/extend", {"reason": "整理中"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        api(world, "department_liaison")
        .post(f"/api/v1/sharing/{r.pk}/attachments", {"file": SimpleUploadedFile("a.pdf", PDF)})
        .status_code
        == 404
    )
