"""The pages through the real session machinery: inbox, form, detail actions, copy notices, dashboard."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape

from xiezhi.transfers import replies
from xiezhi.transfers.models import CopyNotice, Transfer
from xiezhi.transfers.tests.helpers import PDF, PNG, World, make_draft, make_sent, page

pytestmark = pytest.mark.django_db


def test_inbox_tabs_and_csv(world: World) -> None:
    t = make_sent(world)
    c = page(world, "department_liaison")
    r = c.get("/transfers/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-testid="transfer-row-{t.pk}"' in html and 'data-status="sent"' in html
    assert c.get("/transfers/", {"box": "sent"}).content.decode().count("transfer-row-") == 0
    csv = c.get("/transfers/", {"box": "received", "format": "csv"})
    assert csv.status_code == 200 and "王某某" in csv.content.decode("utf-8-sig")
    assert c.get("/transfers/", {"status": "bogus"}).status_code == 422


def test_create_through_the_form_and_errors_rerender(world: World) -> None:
    c = page(world, "township_handler")
    assert c.get("/transfers/new/").status_code == 200
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        "/transfers/new/",
        {
            "receiver": world.dept.pk,
            "matter": world.plan.pk,
            "party": "甲",
            "location": "乙",
            "facts": "丙",
            "discovered_at": future,
        },
    )
    assert r.status_code == 422
    assert 'data-testid="error-discovered_at"' in r.content.decode() and not Transfer.objects.exists()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        "/transfers/new/",
        {
            "receiver": world.dept.pk,
            "matter": world.plan.pk,
            "party": "甲",
            "location": "乙",
            "facts": "丙",
            "discovered_at": now,
            "urgency": "urgent",
            "copy_to": [world.p.justice_office.pk],
        },
    )
    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/transfers/{t.pk}/"
    assert t.urgency == "urgent" and list(t.copy_to.all()) == [world.p.justice_office]
    r = c.post(
        f"/transfers/{t.pk}/edit/",
        {
            "receiver": world.dept.pk,
            "matter": world.plan.pk,
            "party": "甲乙",
            "location": "乙",
            "facts": "丙",
            "discovered_at": now,
            "urgency": "urgent",
        },
    )
    assert r.status_code == 302 and Transfer.objects.get().party == "甲乙"


@pytest.mark.rule("R-TR-06")
def test_detail_actions_through_the_page(world: World) -> None:
    t = make_draft(world, materials=False)
    handler = page(world, "township_handler")
    r = handler.post(f"/transfers/{t.pk}/submit/")
    html = r.content.decode()
    assert r.status_code == 422 and 'data-testid="missing-list"' in html and "初步证据" in html
    for kind, name, content in (("complaint", "举报.pdf", PDF), ("evidence", "照片.png", PNG)):
        r = handler.post(
            f"/transfers/{t.pk}/materials/",
            {"kind": kind, "title": name, "file": SimpleUploadedFile(name, content)},
        )
        assert r.status_code == 302
    assert handler.post(f"/transfers/{t.pk}/submit/").status_code == 302
    r = handler.post(f"/transfers/{t.pk}/approve/")
    assert r.status_code == 403 and "负责人" in r.content.decode()
    leader = page(world, "township_leader")
    detail = leader.get(f"/transfers/{t.pk}/").content.decode()
    assert 'data-testid="action-approve"' in detail
    assert leader.post(f"/transfers/{t.pk}/approve/").status_code == 302
    liaison = page(world, "department_liaison")
    detail = liaison.get(f"/transfers/{t.pk}/").content.decode()
    assert 'data-testid="action-accept"' in detail and 'data-testid="action-decline"' in detail
    assert liaison.post(f"/transfers/{t.pk}/decline/", {"reason": "", "detail": ""}).status_code == 422
    assert liaison.post(f"/transfers/{t.pk}/accept/", {"handling": "立案"}).status_code == 302
    r = liaison.post(f"/transfers/{t.pk}/decline/", {"reason": "other", "detail": "x"})
    assert r.status_code == 409 and 'data-status="accepted"' in r.content.decode()
    detail = handler.get(f"/transfers/{t.pk}/").content.decode()
    assert detail.count("/documents/") >= 3 and 'data-testid="timeline"' in detail
    assert handler.get("/transfers/9999/").status_code == 404
    assert page(world, "other_township_handler").get(f"/transfers/{t.pk}/").status_code == 404


@pytest.mark.rule("R-TR-10")
def test_copied_unit_reads_the_copy_notice(world: World) -> None:
    t = make_sent(world, copy_to=[world.p.other_township.pk])
    notice = CopyNotice.objects.get(transfer=t, unit=world.p.other_township)
    c = page(world, "other_township_handler")
    listing = c.get("/transfers/copy-notices/").content.decode()
    assert f'data-testid="copy-notice-read-{notice.pk}"' in listing
    # What the row shows of the transfer and its document, read with the notice in one query.
    assert notice.document is not None
    for shown in (t.party, t.matter.name, t.sender.name, notice.document.number):
        assert escape(shown) in listing
    assert (
        c.post(f"/transfers/copy-notices/{notice.pk}/read/", {"next": "/transfers/copy-notices/"}).status_code
        == 302
    )
    assert (
        f'data-testid="copy-notice-status-{notice.pk}"' in c.get("/transfers/copy-notices/").content.decode()
    )
    assert (
        page(world, "department_liaison").post(f"/transfers/copy-notices/{notice.pk}/read/").status_code
        == 404
    )
    sender_view = page(world, "township_handler").get(f"/transfers/{t.pk}/").content.decode()
    assert "已签收" in sender_view and "王承办" in sender_view


def test_dashboard_renders_charts_without_inline_script(world: World) -> None:
    t = make_sent(world)
    replies.accept(world.actor("department_liaison"), t)
    make_sent(world, party="李某", matter=world.city.pk)
    c = page(world, "dispatcher")
    r = c.get("/transfers/dashboard/")
    html = r.content.decode()
    assert r.status_code == 200
    assert (
        'src="/static/vendor/echarts/echarts.min.js"' in html
        and 'src="/static/transfers/dashboard.js"' in html
    )
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)
    block = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["units"] == ["城关镇", "示例县城市管理局"]
    assert data["unit_send"] == [100.0, None] and data["unit_reply"] == [None, 100.0]
    assert 'data-testid="kpi-send"' in html and "100.0%" in html
    assert c.get("/transfers/dashboard/", {"year": "abc"}).status_code == 422
    own = page(world, "township_handler").get("/transfers/dashboard/")
    assert own.status_code == 200


def test_dashboard_figures_from_obligations(world: World) -> None:
    late = make_draft(world, discovered_at=(timezone.now() - timedelta(days=20)).isoformat())
    from xiezhi.transfers import services

    services.submit(world.actor("township_handler"), late)
    services.approve(world.actor("township_leader"), late)
    on_time = make_sent(world)
    replies.accept(world.actor("department_liaison"), on_time)
    stats = page(world, "dispatcher").get("/api/v1/transfers/dashboard").json()
    town = next(u for u in stats["by_unit"] if u["unit"] == "城关镇")
    assert town["send"] == {"on_time": 1, "counted": 2, "rate": 50.0}
    dept = next(u for u in stats["by_unit"] if u["unit"] == "示例县城市管理局")
    assert dept["reply"] == {"on_time": 1, "counted": 1, "rate": 100.0}
    assert dept["avg_accept_workdays"] == 0.0
    replies.decline(
        world.actor("department_liaison"),
        Transfer.objects.get(pk=late.pk),
        {"reason": "facts_unclear", "detail": "事实不清"},
    )
    stats = page(world, "dispatcher").get("/api/v1/transfers/dashboard").json()
    assert stats["declines_by_reason"]["facts_unclear"] == 1
