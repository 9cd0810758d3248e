"""Reads: certificates (R-CASE-01), assistants, liaison gaps (R-CO-06), subject review (R-CAT-07),
and data scoping by county."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.testing.factories import Personas, make_certificate, make_person
from xiezhi.units import selectors, services
from xiezhi.units.models import CertificateStatus, Person, RoleAssignment, Unit, UnitKind
from xiezhi.units.schemas import person_out
from xiezhi.units.tests.helpers import certificate

D = date(2025, 10, 8)


@pytest.mark.rule("R-CASE-01")
def test_has_valid_certificate_on_a_date(personas: Personas) -> None:
    person = personas.township_handler
    assert not selectors.has_valid_certificate(person, D)  # no certificate at all
    certificate(person, D - timedelta(days=365), valid_to=D)
    assert selectors.has_valid_certificate(person, D)  # last day still valid
    assert selectors.has_valid_certificate(person.pk, D)  # an id works too
    assert not selectors.has_valid_certificate(person, D + timedelta(days=1))  # expired
    assert not selectors.has_valid_certificate(person, D - timedelta(days=366))  # not yet valid


@pytest.mark.rule("R-CASE-01")
@pytest.mark.parametrize("status", [CertificateStatus.SUSPENDED, CertificateStatus.CANCELLED])
def test_suspended_or_cancelled_certificate_is_not_valid(personas: Personas, status: str) -> None:
    person = personas.township_handler
    certificate(person, D - timedelta(days=10), valid_to=D + timedelta(days=10), status=status)
    assert not selectors.has_valid_certificate(person, D)
    # another person's valid certificate does not count for this one
    certificate(personas.township_leader, D - timedelta(days=10), valid_to=D + timedelta(days=10))
    assert not selectors.has_valid_certificate(person, D)
    assert selectors.has_valid_certificate(personas.township_leader, D)


@pytest.mark.rule("R-CASE-01")
def test_officers_of_a_unit_and_assistant_labels(personas: Personas) -> None:
    today = timezone.localdate()
    make_certificate(personas.township_leader)
    assistant = make_person(personas.township, "协管员甲", account=False)
    certificate(assistant, today - timedelta(days=400), valid_to=today - timedelta(days=1))  # expired
    assert list(selectors.officers(personas.township, today)) == [personas.township_leader]

    people = {p.name: person_out(p) for p in selectors.people_for_listing(personas.actor("township_handler"))}
    assert people["李镇长"]["category_label"] == "执法人员"
    assert people["协管员甲"]["category_label"] == "协管/辅助人员"
    assert people["协管员甲"]["is_assistant"] is True
    assert people["张承办"]["category_label"] == "协管/辅助人员"  # a handler without a certificate
    # Staff of units that do not enforce (here the command centre) carry no enforcement label.
    assert people["周调度"]["category_label"] == ""

    f = selectors.PersonFilters(officer=False, unit_id=personas.township.pk)
    assistants = {p.name for p in selectors.search_people(personas.actor("township_handler"), f)}
    assert assistants == {"张承办", "协管员甲"}


@pytest.mark.rule("R-CO-06")
def test_liaison_gaps_list_townships_and_departments_without_one(personas: Personas) -> None:
    actor = personas.actor("dispatcher")
    gaps = {u.name for u in selectors.liaison_gaps(actor)}
    # the department has 赵联络; both townships have none; other kinds never count as gaps
    assert gaps == {"城关镇", "河西镇"}
    services.grant_role(personas.actor("secadmin"), personas.township_leader.pk, "liaison")
    assert {u.name for u in selectors.liaison_gaps(actor)} == {"河西镇"}
    # a liaison who leaves (deactivated) opens the gap again
    services.set_person_active(personas.actor("sysadmin"), personas.department_liaison.pk, False)
    assert {u.name for u in selectors.liaison_gaps(actor)} == {"河西镇", "示例县城市管理局"}
    assert [p.name for p in selectors.liaisons(actor)] == ["李镇长"]


@pytest.mark.rule("R-CO-06")
def test_liaison_gaps_are_scoped_to_the_county(personas: Personas) -> None:
    names = {u.name for u in selectors.liaison_gaps(personas.actor("outsider"))}
    assert names == {"邻县城关镇"}
    assert not selectors.liaison_gaps(personas.actor("auditadmin")).exists()


@pytest.mark.rule("R-CAT-07")
def test_subjects_due_for_review_after_a_year(personas: Personas) -> None:
    today = date(2025, 10, 8)
    Unit.objects.filter(pk=personas.township.pk).update(
        subject_review_date=date(2024, 10, 8)
    )  # exactly a year
    Unit.objects.filter(pk=personas.other_township.pk).update(
        subject_review_date=date(2024, 10, 7)
    )  # over a year
    Unit.objects.filter(pk=personas.department.pk).update(subject_review_date=None)  # never reviewed
    actor = personas.actor("township_handler")
    due = {u.name for u in selectors.enforcement_subjects(actor, today, due_only=True)}
    assert due == {"河西镇", "示例县城市管理局"}
    assert {u.name for u in selectors.enforcement_subjects(actor, today)} == {
        "城关镇",
        "河西镇",
        "示例县城市管理局",
    }
    assert selectors.review_cutoff(date(2024, 2, 29)) == date(2023, 2, 27)
    assert not selectors.subject_review_due(personas.government, today)  # not a subject at all


def test_business_users_see_only_their_county(personas: Personas) -> None:
    everyone = Person.objects.count()
    outsider_view = set(Person.objects.visible_to(personas.actor("outsider")).values_list("name", flat=True))
    assert outsider_view == {"吴外县"}
    assert Person.objects.visible_to(personas.actor("township_handler")).count() == everyone - 1
    assert Person.objects.visible_to(personas.actor("sysadmin")).count() == everyone
    assert Person.objects.visible_to(personas.actor("secadmin")).count() == everyone
    assert not Person.objects.visible_to(personas.actor("auditadmin")).exists()
    assert (
        not Unit.objects.visible_to(personas.actor("outsider")).filter(kind=UnitKind.COMMAND_CENTRE).exists()
    )


def test_certificate_filters(personas: Personas) -> None:
    today = timezone.localdate()
    soon = make_certificate(personas.township_handler, valid_to=today + timedelta(days=30))
    later = make_certificate(personas.township_leader, valid_to=today + timedelta(days=31))
    old = certificate(personas.department_leader, today - timedelta(days=900), today - timedelta(days=1))
    actor = personas.actor("dispatcher")

    def numbers(**kw: Any) -> set[str]:
        return {
            c.number for c in selectors.search_certificates(actor, selectors.CertificateFilters(**kw), today)
        }

    assert numbers(expiring=True) == {soon.number}
    assert numbers(expired=True) == {old.number}
    assert numbers(valid_on=today) == {soon.number, later.number}
    assert numbers(valid_on=today - timedelta(days=5)) == {soon.number, later.number, old.number}
    assert numbers(unit_id=personas.department.pk) == {old.number}
    assert soon.expires_soon(today) and not later.expires_soon(today)
    assert not selectors.search_certificates(
        personas.actor("outsider"), selectors.CertificateFilters(), today
    ).exists()


def test_role_rows_are_what_liaisons_read(personas: Personas) -> None:
    assert RoleAssignment.objects.filter(role="liaison").count() == 1
