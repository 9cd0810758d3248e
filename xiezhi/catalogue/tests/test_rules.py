"""Rule tests R-CAT-01 … R-CAT-07, each through the catalogue's services, API or pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.catalogue import services, versions
from xiezhi.catalogue.models import CatalogueVersion, Devolution, Entrustment, VersionStatus
from xiezhi.catalogue.tests.helpers import Cat, api_client, future
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.notifications.models import Notification
from xiezhi.units.models import Unit

pytestmark = pytest.mark.django_db
ON = date(2025, 6, 1)


# --- R-CAT-01: published, item-by-item lists per township -----------------------------------------


@pytest.mark.rule("R-CAT-01", "R-PUB-03")
def test_public_catalogue_lists_every_matter_of_a_township_item_by_item(cat: Cat) -> None:
    page = Client().get(f"/public/catalogue/{cat.town.code}/", {"date": "2025-06-01"})
    assert page.status_code == 200
    html = page.content.decode()
    for matter in (cat.city, cat.noise, cat.food):
        assert matter.code in html and matter.name in html
    assert "第1版" in html and "赋权" in html and "不下放" in html
    assert cat.food.legal_basis_penalty in html  # legal basis and penalty shown per matter

    searched = (
        Client()
        .get(f"/public/catalogue/{cat.town.code}/", {"q": "噪声", "date": "2025-06-01"})
        .content.decode()
    )
    assert cat.noise.code in searched and cat.city.code not in searched

    printable = Client().get(f"/public/catalogue/{cat.town.code}/", {"print": "1", "date": "2025-06-01"})
    assert printable.status_code == 200 and "data-print" in printable.content.decode()
    assert all(m.code in printable.content.decode() for m in (cat.city, cat.noise, cat.food))


@pytest.mark.rule("R-CAT-01")
def test_publishing_refuses_a_draft_where_a_matter_has_no_mode_in_a_township(cat: Cat) -> None:
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    Devolution.objects.filter(version=draft, matter=cat.food, township=cat.other).delete()
    with pytest.raises(ValidationFailed) as err:
        versions.publish(cat.actor("gov_leader"), draft)
    assert any(
        "DEMO-SP-001" in p and "河西镇" in p and "没有设定下放方式" in p for p in err.value.details["__all__"]
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


# --- R-CAT-02: three modes; entrustment in writing ------------------------------------------------


@pytest.mark.rule("R-CAT-02")
def test_the_three_modes_name_subject_acting_unit_and_in_whose_name(cat: Cat) -> None:
    granted = services.resolve(cat.city, cat.town, ON)
    assert (granted.mode, granted.enforcement_subject.name, granted.in_name_of.name) == (
        "granted",
        "城关镇",
        "城关镇",
    )
    entrusted = services.resolve(cat.noise, cat.other, ON)
    assert entrusted.mode == "entrusted"
    assert entrusted.enforcement_subject.name == "示例县城市管理局"
    assert entrusted.acting_unit.name == "河西镇" and entrusted.in_name_of.name == "示例县城市管理局"
    assert "WT-2025-01" in entrusted.explanation
    retained = services.resolve(cat.city, cat.other, ON)
    assert (retained.mode, retained.acting_unit.name) == ("retained", "示例县城市管理局")
    assert "仅可协助" in retained.explanation


@pytest.mark.rule("R-CAT-02")
def test_an_entrusted_matter_needs_a_written_entrustment_with_scope_and_term(cat: Cat) -> None:
    manager = cat.actor("manager")
    draft = versions.create_draft(manager, cat.p.county.pk, {"effective_from": future()})
    with pytest.raises(ValidationFailed) as no_letter:
        versions.set_mode(manager, draft, cat.city, cat.other, "entrusted")
    assert "委托事项必须附行政执法委托书" in str(no_letter.value.details)
    with pytest.raises(ValidationFailed) as out_of_scope:
        versions.set_mode(manager, draft, cat.city, cat.other, "entrusted", cat.letter.pk)
    assert "委托范围不包括该事项" in str(out_of_scope.value.details)

    base = {"number": "WT-X", "department_id": cat.dept.pk, "township_id": cat.other.pk, "authority": "检查、处罚",
            "responsibility": "委托机关承担责任"}  # fmt: skip
    with pytest.raises(ValidationFailed) as no_scope:
        services.create_entrustment(manager, {**base, "valid_from": "2025-01-01", "valid_to": "2026-01-01"})
    assert "委托范围" in no_scope.value.details["matter_ids"][0]
    with pytest.raises(ValidationFailed) as no_term:
        services.create_entrustment(manager, {**base, "matter_ids": [cat.city.pk]})
    assert "valid_to" in no_term.value.details
    assert not Entrustment.objects.filter(number="WT-X").exists()


# --- R-CAT-03: related inspection and coercive powers go with the matter -------------------------------


@pytest.mark.rule("R-CAT-03")
def test_granted_and_entrusted_townships_may_inspect_and_coerce_retained_ones_may_not(cat: Cat) -> None:
    for action in ("inspect", "coerce", "penalise"):
        assert services.ensure_may_penalise(cat.town, cat.city, cat.town, ON, action).mode == "granted"
        assert services.ensure_may_penalise(cat.other, cat.noise, cat.other, ON, action).mode == "entrusted"
    with pytest.raises(PermissionDenied) as err:
        services.ensure_may_penalise(cat.other, cat.city, cat.other, ON, "coerce")
    assert "河西镇不能就该事项采取行政强制措施" in err.value.message


# --- R-CAT-04: a granted penalty power leaves the department (inspection stays) ------------------


@pytest.mark.rule("R-CAT-04")
def test_department_is_refused_penalty_and_coercion_on_a_granted_matter_and_it_is_audited(cat: Cat) -> None:
    liaison = cat.actor("department_liaison")
    before = AuditEvent.objects.filter(action="catalogue.penalty_refused").count()
    with pytest.raises(PermissionDenied) as err:
        services.ensure_may_penalise(liaison, cat.city, cat.town, ON)
    assert err.value.status == 403 and err.value.code == "penalty_refused"
    assert "赋权给城关镇" in err.value.message and "不得再行使处罚权" in err.value.message
    assert err.value.details["rule"] == "R-CAT-04"
    with pytest.raises(PermissionDenied):
        services.ensure_may_penalise(liaison, cat.city, cat.town, ON, "coerce")
    events = AuditEvent.objects.filter(action="catalogue.penalty_refused").order_by("id")
    assert events.count() == before + 2
    last = events.last()
    assert last is not None and not last.success and last.target_id == "DEMO-SR-001" and "赋权" in last.reason

    assert services.ensure_may_penalise(liaison, cat.city, cat.town, ON, "inspect").department_may_inspect
    assert services.ensure_may_penalise(liaison, cat.city, cat.other, ON).mode == "retained"


@pytest.mark.rule("R-CAT-04")
def test_jurisdiction_api_says_the_department_may_inspect_but_not_penalise(cat: Cat) -> None:
    response = api_client(cat, "department_liaison").get(
        "/api/v1/jurisdiction", {"matter": "DEMO-SR-001", "township": "城关镇", "date": "2025-06-01"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["department_may_inspect"] is True and body["department_may_penalise"] is False
    assert body["subject"] == "城关镇" and body["version"] == 1


# --- R-CAT-05: the department supplies the basis; changes reach the other side --------------------------


@pytest.mark.rule("R-CAT-05")
def test_department_keeps_basis_and_benchmark_and_a_basis_change_is_notified_on_publication(cat: Cat) -> None:
    leader = cat.actor("department_leader")
    services.update_matter(
        leader, cat.city,
        {"legal_basis_penalty": "《城市市容和环境卫生管理条例》第三十四条第（一）项、第（二）项",
         "discretion_benchmark": "《示例县城市管理行政处罚裁量基准》", "procedure_notes": "简易程序当场处罚"},
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.update_matter(cat.actor("market_liaison"), cat.city, {"legal_basis_penalty": "x"})
    # The published version keeps what it said; the next draft takes the new text.
    assert cat.v1.entries.get(matter=cat.city).legal_basis_penalty.endswith("第（一）项")
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    versions.publish(cat.actor("gov_leader"), draft)
    notice = Notification.objects.get(
        recipient_unit=cat.town, dedupe_key__startswith=f"catalogue.published:{draft.pk}:"
    )
    assert "DEMO-SR-001的处罚依据" in notice.body and "第（二）项" in notice.body
    assert Notification.objects.filter(
        recipient_unit=cat.dept, dedupe_key__startswith=f"catalogue.published:{draft.pk}:"
    ).exists()
    # 河西镇 does not exercise DEMO-SR-001 (retained there): nothing to tell it.
    assert not Notification.objects.filter(
        recipient_unit=cat.other, dedupe_key__startswith=f"catalogue.published:{draft.pk}:"
    ).exists()


# --- R-CAT-06: dated versions; decisions judged against the version in force ------------------------


@pytest.mark.rule("R-CAT-06")
def test_resolution_follows_the_version_in_force_on_the_date_and_the_cache_sees_publication(cat: Cat) -> None:
    start = future(10)
    assert services.resolve(cat.city, cat.other, start).mode == "retained"  # cached snapshot built here
    manager = cat.actor("manager")
    draft = versions.create_draft(manager, cat.p.county.pk, {"effective_from": start})
    versions.set_mode(manager, draft, cat.city, cat.other, "granted")
    versions.publish(cat.actor("gov_leader"), draft)

    after = services.resolve(cat.city, cat.other, start)
    assert after.mode == "granted" and after.version_number == draft.number
    before = services.resolve(cat.city, cat.other, start - timedelta(days=1))
    assert before.mode == "retained" and before.version_number == 1
    cat.v1.refresh_from_db()
    assert cat.v1.status == VersionStatus.SUPERSEDED
    with pytest.raises(ValidationFailed) as err:
        services.resolve(cat.city, cat.town, date(2024, 12, 31))
    assert "该日期没有生效的事项目录" in err.value.message


@pytest.mark.rule("R-CAT-06")
def test_a_published_version_cannot_be_edited_409_asks_for_a_new_draft(cat: Cat) -> None:
    client = api_client(cat, "manager")
    response = client.patch(
        f"/api/v1/catalogue/versions/{cat.v1.pk}", {"title": "改"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert "请新建草稿" in response.json()["message"]
    devolution = cat.v1.devolutions.first()
    assert devolution is not None
    response = client.patch(
        f"/api/v1/catalogue/devolutions/{devolution.pk}", {"mode": "granted"}, content_type="application/json"
    )
    assert response.status_code == 409
    with pytest.raises(Conflict):
        versions.add_matter(cat.actor("manager"), cat.v1, cat.food)
    assert CatalogueVersion.objects.get(pk=cat.v1.pk).title == ""


@pytest.mark.rule("R-CAT-06")
def test_an_expired_entrustment_takes_its_matter_back_to_the_department(cat: Cat) -> None:
    Entrustment.objects.filter(pk=cat.letter.pk).update(valid_to=date(2025, 12, 31))
    inside = services.resolve(cat.noise, cat.other, date(2025, 12, 31))
    assert inside.mode == "entrusted"
    after = services.resolve(cat.noise, cat.other, date(2026, 1, 1))
    assert after.mode == "retained" and after.acting_unit.name == "示例县城市管理局"
    assert "已于2025年12月31日到期" in after.explanation


# --- R-CAT-07: lawful subjects, reviewed yearly and published ----------------------------------------


@pytest.mark.rule("R-CAT-07")
def test_a_unit_without_subject_status_cannot_decide_in_its_own_name(cat: Cat) -> None:
    Unit.objects.filter(pk=cat.town.pk).update(is_enforcement_subject=False, subject_legal_basis="")
    with pytest.raises(PermissionDenied) as err:
        services.ensure_may_penalise(cat.actor("township_leader"), cat.city, cat.town, ON)
    assert "不在经审核公布的行政执法主体名单中" in err.value.message
    assert err.value.details["rule"] == "R-CAT-07"
    # Inspecting is not a decision.
    assert services.ensure_may_penalise(cat.actor("township_leader"), cat.city, cat.town, ON, "inspect")


@pytest.mark.rule("R-CAT-07")
def test_the_subject_list_is_published_after_a_yearly_review_and_shown_publicly(cat: Cat) -> None:
    today = timezone.localdate()
    Unit.objects.filter(is_enforcement_subject=True).update(subject_review_date=today - timedelta(days=400))
    with pytest.raises(ValidationFailed) as err:
        services.publish_subject_list(cat.actor("manager"))
    assert "超过一年未审核" in err.value.message
    Unit.objects.filter(is_enforcement_subject=True).update(subject_review_date=today - timedelta(days=30))
    published = services.publish_subject_list(cat.actor("manager"))
    assert {e["name"] for e in published.entries} >= {"城关镇", "河西镇", "示例县城市管理局"}
    html = Client().get("/public/subjects/").content.decode()
    assert "城关镇" in html and f"{published.year}年度" in html
    assert "示例县司法局" not in html  # not an enforcement subject
