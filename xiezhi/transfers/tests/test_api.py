"""The transfer API over HTTP with real tokens: the whole flow, and bad input (issue 7 §5)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import PDF, PNG, World, api
from xiezhi.units.models import Section

pytestmark = pytest.mark.django_db
BASE = "/api/v1/transfers"


def post(c: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return c.post(path, data=json.dumps(body or {}), content_type="application/json")


def create(w: World, c: Client, **extra: Any) -> dict[str, Any]:
    body = {
        "receiver_id": w.dept.pk,
        "matter_id": w.plan.pk,
        "party": "王某某",
        "location": "城关镇解放路18号",
        "facts": "当事人违法搭建彩钢板房。",
        "discovered_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **extra,
    }
    r = post(c, BASE, body)
    assert r.status_code == 201, r.content.decode()
    return r.json()


def upload(c: Client, tid: int, kind: str, name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return c.post(
        f"{BASE}/{tid}/materials", {"kind": kind, "title": name, "file": SimpleUploadedFile(name, content)}
    )


def prepared(w: World) -> tuple[Client, int]:
    handler = api(w, "township_handler")
    tid = create(w, handler)["id"]
    assert upload(handler, tid, "inspection_record", "笔录.pdf", PDF).status_code == 201
    assert upload(handler, tid, "evidence", "照片.png", PNG).status_code == 201
    return handler, tid


@pytest.mark.rule("R-TR-06")
@pytest.mark.rule("R-TR-08")
@pytest.mark.rule("R-TR-10")
def test_the_whole_flow_over_http(world: World) -> None:
    handler, tid = prepared(world)
    check = handler.get(f"{BASE}/{tid}/checklist").json()
    assert [i["key"] for i in check["items"] if not i["done"]] == ["approval", "letter"]
    r = post(handler, f"{BASE}/{tid}/submit")
    assert r.status_code == 200 and r.json()["status"] == "pending_approval"
    r = post(api(world, "township_leader"), f"{BASE}/{tid}/approve")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "sent"
    assert {d["doc_type"] for d in body["documents"]} == {"transfer_letter", "copy_notice"}
    assert [n["unit"]["id"] for n in body["copy_notices"]] == [world.dept.pk]
    liaison = api(world, "department_liaison")
    received = liaison.get(BASE, {"box": "received"}).json()
    assert [t["id"] for t in received["items"]] == [tid]
    notice = liaison.get(f"{BASE}/copy-notices").json()["items"][0]
    r = post(liaison, f"{BASE}/copy-notices/{notice['id']}/read")
    assert r.status_code == 200 and r.json()["read_by"] == "赵联络"
    r = post(liaison, f"{BASE}/{tid}/accept", {"handling": "立案调查"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    detail = handler.get(f"{BASE}/{tid}").json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[:1] == ["created"] and "accepted" in kinds and "copy_read" in kinds
    assert {d["doc_type"] for d in detail["documents"]} == {
        "transfer_letter",
        "copy_notice",
        "acceptance_reply",
    }
    for doc in detail["documents"]:
        pdf = handler.get(doc["pdf"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    actions = set(AuditEvent.objects.filter(target_id=str(tid)).values_list("action", flat=True))
    assert {
        "transfer.created",
        "transfer.submitted",
        "transfer.approved",
        "transfer.accepted",
        "transfer.copy_notice_read",
    } <= actions


@pytest.mark.rule("R-TR-06")
def test_sending_without_approval_or_materials_lists_what_is_missing(world: World) -> None:
    handler = api(world, "township_handler")
    tid = create(world, handler)["id"]
    r = post(handler, f"{BASE}/{tid}/submit")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_failed" and len(body["details"]["missing"]) == 2
    check = handler.get(f"{BASE}/{tid}/checklist").json()
    assert any("负责人审批" in m for m in check["missing"])
    assert Transfer.objects.get(pk=tid).status == "draft"


@pytest.mark.rule("R-TR-06")
def test_approver_without_the_leader_role_gets_403_and_nothing_changes(world: World) -> None:
    handler, tid = prepared(world)
    post(handler, f"{BASE}/{tid}/submit")
    events = AuditEvent.objects.count()
    r = post(handler, f"{BASE}/{tid}/approve")
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and "负责人" in r.json()["message"]
    assert Transfer.objects.get(pk=tid).status == "pending_approval"
    assert AuditEvent.objects.count() == events


def test_discovery_in_the_future_is_refused(world: World) -> None:
    handler = api(world, "township_handler")
    r = post(
        handler,
        BASE,
        {
            "receiver_id": world.dept.pk,
            "matter_id": world.plan.pk,
            "party": "王某某",
            "location": "某地",
            "facts": "事实",
            "discovered_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 422 and "不能晚于当前时间" in r.json()["details"]["discovered_at"][0]
    assert not Transfer.objects.exists()


@pytest.mark.rule("R-TR-01")
def test_internal_section_and_self_as_receiver_are_refused(world: World) -> None:
    Section.objects.create(unit=world.dept, name="执法大队")
    handler = api(world, "township_handler")
    base = {
        "matter_id": world.plan.pk,
        "party": "甲",
        "location": "乙",
        "facts": "丙",
        "discovered_at": timezone.now().isoformat(),
    }
    r = post(handler, BASE, {**base, "receiver": "示例县城市管理局执法大队"})
    assert r.status_code == 422 and "内设机构" in r.json()["details"]["receiver"][0]
    r = post(handler, BASE, {**base, "receiver_id": world.town.pk})
    assert r.status_code == 422 and "本单位" in r.json()["details"]["receiver"][0]
    assert not Transfer.objects.exists()


def test_malformed_input(world: World) -> None:
    handler = api(world, "township_handler")
    r = post(handler, BASE, {"receiver_id": world.dept.pk, "colour": "red"})
    assert r.status_code == 422 and r.json()["details"]["colour"] == ["不允许的字段"]
    r = post(handler, BASE, {"receiver_id": world.dept.pk})
    assert r.status_code == 422 and {"party", "location", "facts", "discovered_at", "matter"} <= set(
        r.json()["details"]
    )
    r = post(
        handler,
        BASE,
        {
            "receiver_id": world.dept.pk,
            "matter_id": world.plan.pk,
            "party": "甲",
            "location": "乙",
            "facts": "丙",
            "discovered_at": "昨天",
        },
    )
    assert r.status_code == 422 and "格式有误" in r.json()["details"]["discovered_at"][0]
    assert handler.get(BASE, {"status": "nonsense"}).status_code == 422
    assert handler.get(BASE, {"page_size": 1000}).status_code == 422
    assert handler.get(f"{BASE}/999999").status_code == 404
    assert Client().get(BASE).status_code == 401
    assert not Transfer.objects.exists()


@pytest.mark.rule("R-TR-08")
def test_accepting_an_already_declined_transfer_is_409_with_the_state(world: World) -> None:
    handler, tid = prepared(world)
    post(handler, f"{BASE}/{tid}/submit")
    post(api(world, "township_leader"), f"{BASE}/{tid}/approve")
    liaison = api(world, "department_liaison")
    r = post(liaison, f"{BASE}/{tid}/decline", {"reason": "not_competent", "detail": "不属于本局职责"})
    assert r.status_code == 200 and r.json()["status"] == "declined"
    r = post(liaison, f"{BASE}/{tid}/accept")
    assert r.status_code == 409
    assert r.json()["details"] == {"status": "declined", "status_label": "不予受理"}
    assert "不予受理" in r.json()["message"]


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_over_http(world: World) -> None:
    handler = api(world, "township_handler")
    tid = create(world, handler, urgency="urgent")["id"]
    r = post(
        handler,
        f"{BASE}/{tid}/oral",
        {"method": "phone", "receiver_person": "陈值班", "reason": "正在倾倒渣土"},
    )
    assert r.status_code == 200, r.content.decode()
    body = r.json()
    assert body["status"] == "oral_recorded" and body["written_due_at"]
    assert "oral_transfer_record" in {d["doc_type"] for d in body["documents"]}
    r = post(handler, f"{BASE}/{tid}/complete")
    assert r.status_code == 403


def test_materials_download_verifies_the_hash(world: World) -> None:
    handler, tid = prepared(world)
    m = handler.get(f"{BASE}/{tid}").json()["materials"][0]
    r = handler.get(f"{BASE}/{tid}/materials/{m['id']}/file")
    assert r.status_code == 200 and r.content == PDF and r["X-Content-SHA256"] == m["sha256"]
    assert (
        api(world, "other_township_handler").get(f"{BASE}/{tid}/materials/{m['id']}/file").status_code == 404
    )
    assert handler.delete(f"{BASE}/{tid}/materials/{m['id']}").status_code == 204
    bad = upload(handler, tid, "evidence", "x.pdf", b"hello")
    assert bad.status_code == 422 and "file" in bad.json()["details"]


def test_export_is_audited(world: World) -> None:
    handler, _ = prepared(world)
    r = handler.get(f"{BASE}/export", {"box": "sent"})
    assert r.status_code == 200 and "王某某" in r.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="transfers.export").exists()


def test_list_filters(world: World) -> None:
    handler, tid = prepared(world)
    create(world, handler, party="李某", urgency="urgent")
    r = handler.get(BASE, {"box": "sent", "urgency": "urgent"}).json()
    assert [t["party"] for t in r["items"]] == ["李某"]
    r = handler.get(BASE, {"q": "王某某"}).json()
    assert [t["id"] for t in r["items"]] == [tid]
    r = handler.get(BASE, {"status": "open", "page_size": "1"}).json()
    assert r["total"] == 2 and len(r["items"]) == 1


@pytest.mark.rule("R-TR-06")
def test_the_leader_returns_a_transfer_for_revision_with_a_reason(world: World) -> None:
    handler, tid = prepared(world)
    post(handler, f"{BASE}/{tid}/submit")
    leader = api(world, "township_leader")
    r = post(leader, f"{BASE}/{tid}/return", {"reason": "  "})
    assert r.status_code == 422 and "退回理由" in r.json()["message"]
    assert Transfer.objects.get(pk=tid).status == "pending_approval"
    r = post(leader, f"{BASE}/{tid}/return", {"reason": "证据照片不清晰，请补拍"})
    assert r.status_code == 200, r.content.decode()
    assert r.json()["status"] == "draft" and r.json()["submitted_at"] is None  # as stored
    saved = Transfer.objects.get(pk=tid)
    assert saved.status == "draft" and saved.submitted_at is None
    event = AuditEvent.objects.filter(action="transfer.returned", target_id=str(tid)).get()
    assert event.reason == "证据照片不清晰，请补拍"
