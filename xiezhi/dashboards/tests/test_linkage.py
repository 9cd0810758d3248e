"""协作联动统计: figures from real obligation rows, scoping, filters, CSV, the API and the page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.dashboards import selectors
from xiezhi.dashboards.tests.helpers import PAST, client_for, finish_sweep, make_obligation, month_key
from xiezhi.dashboards.workflows import BY_RULE, WORKFLOWS
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db

API = "/api/v1/dashboards/linkage"
PAGE = "/dashboards/linkage/"


def _range() -> dict[str, str]:
    now = timezone.now()
    return {"month_from": month_key(now - PAST), "month_to": month_key(now)}


def _world(p: Personas) -> dict[str, Any]:
    """城关镇 shares on time, late, overdue, waived and still open; 河西镇 has one overdue sharing
    duty and one met on time; the department answers a criminal referral review on time; a
    transfer duty (not a linkage workflow) is overdue too and must not count."""
    obs = {
        "on_time": make_obligation(p, "R-SH-02", p.township, "on_time"),
        "late": make_obligation(p, "R-SH-02", p.township, "late"),
        "overdue": make_obligation(p, "R-SH-02", p.township, "overdue", title="城关镇超期共享"),
        "waived": make_obligation(p, "R-SH-02", p.township, "waived"),
        "open": make_obligation(p, "R-SH-02", p.township, "open"),
        "other_overdue": make_obligation(p, "R-SH-02", p.other_township, "overdue", title="河西镇超期共享"),
        "other_on_time": make_obligation(p, "R-CO-08", p.other_township, "on_time"),
        "review": make_obligation(p, "LAW-310-8", p.department, "on_time"),
        "transfer": make_obligation(p, "R-TR-02", p.township, "overdue", title="移送超期"),
    }
    finish_sweep()
    for ob in obs.values():
        ob.refresh_from_db()
    return obs


def _workflow(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(w for w in data["workflows"] if w["key"] == key)


def test_every_linkage_rule_belongs_to_exactly_one_workflow() -> None:
    for w in WORKFLOWS:
        for rule in w.rules:
            assert BY_RULE[rule] is w
    assert len(BY_RULE) == sum(len(w.rules) for w in WORKFLOWS)
    assert "R-TR-02" not in BY_RULE and "R-SH-02" in BY_RULE and "LAW-310-8" in BY_RULE


@pytest.mark.rule("R-EV-01")
def test_rates_from_obligation_rows(personas: Personas) -> None:
    obs = _world(personas)
    assert obs["overdue"].status == "overdue" and obs["transfer"].status == "overdue"
    assert obs["late"].status == "met" and obs["late"].met_on_time is False
    data = client_for(personas, "dispatcher").get(API, _range()).json()
    sharing = _workflow(data, "sharing")
    # 1 on time out of met (2: on time + late) + overdue (2: both townships); waived and open not judged.
    assert (sharing["on_time"], sharing["counted"], sharing["rate"]) == (1, 4, 25.0)
    assert (sharing["open"], sharing["overdue"], sharing["met"], sharing["met_late"], sharing["waived"]) == (
        1, 2, 2, 1, 1,
    )
    assert _workflow(data, "referrals")["rate"] == 100.0
    assert _workflow(data, "corrections")["rate"] == 100.0
    assert _workflow(data, "hazards")["rate"] is None and _workflow(data, "hazards")["counted"] == 0
    town = next(u for u in data["by_unit"] if u["unit"] == "城关镇")
    assert (town["on_time"], town["counted"], town["rate"]) == (1, 3, 33.3)
    assert town["by_workflow"]["sharing"]["waived"] == 1
    # The transfer duty is in no linkage figure and not in the overdue list.
    assert data["total"]["overdue"] == 2 and data["total"]["counted"] == 6 and data["total"]["on_time"] == 3
    labels = " ".join(o["subject"] for o in data["overdue"])
    assert len(data["overdue"]) == 2 and "移送超期" not in labels
    assert "城关镇超期共享" in labels and "河西镇超期共享" in labels
    month = month_key(obs["overdue"].opened_at)
    by_month = {m["month"]: m for m in data["by_month"]}
    assert by_month[month]["counted"] == 6 and by_month[month_key(timezone.now())]["open"] == 1


def test_overdue_list_links_to_the_object(personas: Personas) -> None:
    obs = _world(personas)
    data = client_for(personas, "dispatcher").get(API, _range()).json()
    row = next(o for o in data["overdue"] if o["id"] == obs["overdue"].pk)
    assert row["url"] == f"/sharing/{obs['overdue'].subject_id}/"
    assert row["workflow_label"] == "信息共享" and row["unit"] == "城关镇"
    # A row without a stored link gets the subject's page derived from its model.
    type(obs["overdue"]).objects.filter(pk=obs["overdue"].pk).update(subject_url="")
    again = client_for(personas, "dispatcher").get(API, _range()).json()
    assert next(o for o in again["overdue"] if o["id"] == obs["overdue"].pk)["url"] == row["url"]


def test_township_sees_only_its_own_rows(personas: Personas) -> None:
    _world(personas)
    data = client_for(personas, "township_handler").get(API, _range()).json()
    assert [u["unit"] for u in data["by_unit"]] == ["城关镇"]
    sharing = _workflow(data, "sharing")
    # 河西镇's overdue duty is not in 城关镇's figures.
    assert (sharing["on_time"], sharing["counted"], sharing["overdue"]) == (1, 3, 1)
    assert _workflow(data, "corrections")["counted"] == 0 and _workflow(data, "referrals")["counted"] == 0
    assert [o["subject"].split("：")[-1] for o in data["overdue"]] == ["城关镇超期共享"]
    # Asking for another unit is refused rather than answered.
    r = client_for(personas, "township_handler").get(API, {**_range(), "unit": str(personas.other_township.pk)})
    assert r.status_code == 422 and "unit" in r.json()["details"]
    html = client_for(personas, "other_township_handler").get(PAGE, _range()).content.decode()
    assert "河西镇超期共享" in html and "城关镇超期共享" not in html


def test_county_wide_roles_see_the_county_and_admins_none(personas: Personas) -> None:
    _world(personas)
    for who in ("dispatcher", "department_leader"):
        units = {u["unit"] for u in client_for(personas, who).get(API, _range()).json()["by_unit"]}
        assert units == ({"城关镇", "河西镇", "示例县城市管理局"} if who == "dispatcher" else {"示例县城市管理局"})
    outsider = client_for(personas, "outsider").get(API, _range()).json()
    assert outsider["by_unit"] == [] and outsider["total"]["counted"] == 0
    assert client_for(personas, "sysadmin").get(API, _range()).status_code == 403


def test_filters(personas: Personas) -> None:
    _world(personas)
    c = client_for(personas, "dispatcher")
    only = c.get(API, {**_range(), "workflow": "referrals"}).json()
    assert [w["key"] for w in only["workflows"]] == ["referrals"]
    assert [u["unit"] for u in only["by_unit"]] == ["示例县城市管理局"] and only["overdue"] == []
    unit = c.get(API, {**_range(), "unit": str(personas.other_township.pk)}).json()
    assert [u["unit"] for u in unit["by_unit"]] == ["河西镇"] and unit["total"]["counted"] == 2
    this_month = month_key(timezone.now())
    recent = c.get(API, {"month_from": this_month, "month_to": this_month}).json()
    assert recent["total"]["counted"] == 0 and recent["total"]["open"] == 1
    assert len(recent["by_month"]) == 1
    for bad in (
        {"month_from": "2025-13"},
        {"month_from": "abc"},
        {"month_from": "2025-10", "month_to": "2025-09"},
        {"month_from": "2020-01", "month_to": "2025-09"},
        {"workflow": "nope"},
        {"unit": "x"},
    ):
        r = c.get(API, bad)
        assert r.status_code == 422, bad
        assert r.json()["code"] == "validation_failed"
        assert c.get(PAGE, bad).status_code == 422


def test_csv_export_is_audited(personas: Personas) -> None:
    _world(personas)
    before = AuditEvent.objects.filter(action="dashboard.linkage_exported").count()
    r = client_for(personas, "dispatcher").get(PAGE, {**_range(), "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode("utf-8")
    assert text.startswith("\ufeff业务,责任单位,月份,按时办结,纳入统计,按时率")
    lines = text.strip().splitlines()[1:]
    past = month_key(timezone.now() - PAST)
    assert f"信息共享,城关镇,{past},1,3,33.3%,0,1,2,1,1" in lines
    assert not any("R-TR" in line or "移送" in line for line in lines)
    assert AuditEvent.objects.filter(action="dashboard.linkage_exported").count() == before + 1
    own = client_for(personas, "township_handler").get(PAGE, {**_range(), "format": "csv"}).content.decode()
    assert "河西镇" not in own and "城关镇" in own


def test_page_renders_charts_without_inline_script(personas: Personas) -> None:
    obs = _world(personas)
    c = client_for(personas, "dispatcher")
    r = c.get(PAGE, _range())
    html = r.content.decode()
    assert r.status_code == 200
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html and 'src="/static/dashboards/linkage.js"' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _ in scripts)
    block = re.search(r'<script id="linkage-data" type="application/json">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["workflows"] == [w.label for w in WORKFLOWS]
    assert data["workflow_rate"][data["workflows"].index("信息共享")] == 25.0
    assert f'href="/sharing/{obs["overdue"].subject_id}/"' in html
    assert 'data-testid="kpi-rate">50.0%' in html  # 3 on time of 6 judged
    town_row = re.search(rf'data-testid="unit-row-{personas.township.pk}">(.*?)</tr>', html, re.S)
    assert town_row is not None and town_row.group(1).count("33.3%") == 2  # total and 信息共享
    assert "协作联动统计" in html and 'href="/dashboards/linkage/"' in html  # in the navigation
    # Default range (this year) also renders.
    assert c.get(PAGE).status_code == 200


def test_no_obligations_no_rates(personas: Personas) -> None:
    stats = selectors.statistics(personas.actor("dispatcher"), selectors.parse_filters(personas.actor("dispatcher"), {}))
    assert stats.total.percent is None and stats.total.text == "—"
    assert all(w.total.counted == 0 for w in stats.workflows)


def test_met_exactly_at_due_time_is_on_time(personas: Personas) -> None:
    from xiezhi.deadlines import services as deadlines

    ob = make_obligation(personas, "R-CO-02", personas.department, "open", start=timezone.now() - timedelta(days=20))
    deadlines.settle(ob, personas.actor("dispatcher"), met_at=ob.due_at)
    data = client_for(personas, "dispatcher").get(API, _range()).json()
    hazards = _workflow(data, "hazards")
    assert (hazards["on_time"], hazards["counted"], hazards["rate"]) == (1, 1, 100.0)


@pytest.mark.rule("R-EV-01")
def test_figures_follow_the_sharing_workflow(personas: Personas, settings: Any, tmp_path: Any) -> None:
    """Through the real workflow: a record formed long ago and shared now is late (R-SH-02, 1 WD);
    one formed and shared now is on time; one formed long ago and never shared goes overdue."""
    from xiezhi.coordination.sharing import services as sharing

    settings.MEDIA_ROOT = tmp_path
    actor = personas.actor("township_handler")

    def form(days_ago: int, title: str) -> Any:
        formed = timezone.now() - timedelta(days=days_ago)
        data = {"category": 4, "title": title, "content": "本月统计分析数据", "formed_at": formed.isoformat(),
                "recipients": [personas.department.pk]}
        return sharing.form_record(actor, data)

    sharing.share(actor, form(20, "迟报数据"))
    sharing.share(actor, form(0, "及时数据"))
    form(20, "未报数据")
    finish_sweep()
    data = client_for(personas, "dispatcher").get(API, _range()).json()
    figures = _workflow(data, "sharing")
    assert (figures["on_time"], figures["counted"], figures["met_late"], figures["overdue"]) == (1, 3, 1, 1)
    assert figures["rate"] == 33.3
    assert [o["subject"].split("：")[-1] for o in data["overdue"]] == ["未报数据"]
    assert data["overdue"][0]["url"].startswith("/sharing/")


def test_justice_office_sees_its_townships_and_may_filter_by_them(personas: Personas) -> None:
    _world(personas)
    c = client_for(personas, "justice_office_supervisor")
    data = c.get(API, _range()).json()
    assert [u["unit"] for u in data["by_unit"]] == ["城关镇"]
    assert c.get(API, {**_range(), "unit": str(personas.township.pk)}).status_code == 200
    assert c.get(API, {**_range(), "unit": str(personas.other_township.pk)}).status_code == 422
    html = c.get(PAGE, _range()).content.decode()
    assert 'data-testid="filter-unit"' in html and "河西镇" not in html
