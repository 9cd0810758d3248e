"""What the schema itself guarantees: sections never act (R-TR-01), subjects have a basis (R-CAT-07),
certificate periods are ordered."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from xiezhi.core.errors import NotFound, ValidationFailed
from xiezhi.testing.factories import Personas, make_person
from xiezhi.units import services
from xiezhi.units.models import Certificate, Person, Section, Unit, UnitKind

# The only foreign keys to Section anywhere in the project: membership of a person. Everything that
# is sent, issued, received or decided refers to a Unit, so a section can never be its author.
SECTION_REFERENCES_ALLOWED = {("units.person", "section")}


@pytest.mark.rule("R-TR-01")
def test_no_model_can_name_a_section_as_an_actor() -> None:
    references = {
        (model._meta.label_lower, f.name)
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey | models.OneToOneField | models.ManyToManyField)
        and f.related_model is Section
    }
    assert references == SECTION_REFERENCES_ALLOWED
    # and a section has none of the attributes that make a body able to act in its own name
    section_fields = {f.name for f in Section._meta.get_fields()}
    assert not section_fields & {"kind", "code", "credit_code", "is_enforcement_subject", "county"}


@pytest.mark.rule("R-TR-01")
def test_a_section_is_refused_where_a_unit_is_expected(personas: Personas) -> None:
    section = Section.objects.create(unit=personas.township, name="综合行政执法队")
    with pytest.raises(ValueError, match='must be a "Unit" instance'):
        Person(unit=section, name="某人")  # type: ignore[misc]
    # A section id is not a unit id: using one where a unit is expected finds no unit (or the wrong
    # one) — the services resolve units through the Unit table only.
    missing = Unit.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    Section.objects.create(pk=missing, unit=personas.township, name="城关中队")
    with pytest.raises(NotFound):
        services.update_unit(personas.actor("sysadmin"), missing, {"name": "x"})
    before = Person.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.create_person(personas.actor("sysadmin"), {"unit_id": missing, "name": "某人"})
    assert exc.value.details["unit_id"] == ["所属单位不存在"]
    assert Person.objects.count() == before


@pytest.mark.rule("R-TR-01")
def test_a_person_in_a_section_still_acts_for_the_unit(personas: Personas) -> None:
    section = Section.objects.create(unit=personas.department, name="执法一中队")
    person = make_person(personas.department, "钱队员", ("handler",), account=False)
    person.section = section
    person.save()
    assert person.unit == personas.department  # the acting body is always the unit


@pytest.mark.rule("R-CAT-07")
def test_database_refuses_an_enforcement_subject_without_legal_basis(personas: Personas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(county=personas.county, code="BAD", name="无依据单位", kind=UnitKind.DEPARTMENT,
                            is_enforcement_subject=True, subject_legal_basis="")  # fmt: skip
    assert not Unit.objects.filter(code="BAD").exists()


def test_database_refuses_a_certificate_ending_before_it_starts(personas: Personas) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(number="C-BAD", holder=personas.township_handler, issuing_authority="示例县人民政府",
                                   fields="城市管理", valid_from=date(2025, 5, 1), valid_to=date(2025, 4, 30))  # fmt: skip
    assert not Certificate.objects.filter(number="C-BAD").exists()
