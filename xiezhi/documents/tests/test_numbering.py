"""Document numbers: per unit, type and year; consecutive; given back on rollback."""

from __future__ import annotations

import pytest
from django.db import transaction

from xiezhi.documents.models import DocumentSequence
from xiezhi.documents.numbering import format_number, next_number, unit_code
from xiezhi.testing.factories import make_county, make_unit
from xiezhi.units.models import Unit, UnitKind


@pytest.fixture
def town(db: None) -> Unit:
    return make_unit("城关镇", UnitKind.TOWNSHIP)


@pytest.fixture
def dept(db: None) -> Unit:
    return make_unit("示例县城市管理局", UnitKind.DEPARTMENT)


@pytest.mark.parametrize(
    ("name", "short", "code"),
    [
        ("示例县城市管理局", "", "示例县城管"),
        ("示例县城市管理局", "县城管", "县城管"),
        ("城关镇人民政府", "", "城关镇"),
        ("城关镇", "", "城关镇"),
        ("示例县市场监督管理局", "", "示例县市场监管"),
        ("示例县司法局", "", "示例县司法"),
        ("城关街道办事处", "", "城关街道"),
        ("示例县综合行政执法指挥中心", "", "示例县综合执法"),
        ("局", "", "局"),
    ],
)
def test_unit_code(name: str, short: str, code: str) -> None:
    assert unit_code(Unit(name=name, short_name=short)) == code


def test_format_number() -> None:
    unit = Unit(name="示例县城市管理局")
    assert format_number(unit, "transfer_letter", 2025, 12) == "示例县城管移〔2025〕12号"
    assert format_number(unit, "copy_notice", 2025, 3) == "示例县城管抄〔2025〕3号"
    assert format_number(unit, "entrustment", 2026, 1) == "示例县城管委〔2026〕1号"


@pytest.mark.django_db
def test_numbers_run_per_unit_type_and_year(town: Unit, dept: Unit) -> None:
    with transaction.atomic():
        got = [next_number(town, "transfer_letter", 2025) for _ in range(3)]
        got += [next_number(dept, "transfer_letter", 2025), next_number(town, "copy_notice", 2025)]
        got += [next_number(town, "transfer_letter", 2026), next_number(town, "transfer_letter", 2025)]
    assert got == [1, 2, 3, 1, 1, 1, 4]
    assert DocumentSequence.objects.get(unit=town, doc_type="transfer_letter", year=2025).last_number == 4


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back(town: Unit) -> None:
    unit = town
    with transaction.atomic():
        assert next_number(unit, "minutes", 2025) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(unit, "minutes", 2025) == 2
        raise RuntimeError("rendering failed")
    with transaction.atomic():
        assert next_number(unit, "minutes", 2025) == 2  # no gap


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction(town: Unit) -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        next_number(town, "minutes", 2025)
    assert not DocumentSequence.objects.exists()


@pytest.mark.django_db
def test_next_number_refuses_unknown_types_and_unsaved_units(town: Unit) -> None:
    with transaction.atomic():
        with pytest.raises(ValueError):
            next_number(town, "memo", 2025)
        with pytest.raises(TypeError):
            next_number(Unit(name="未保存"), "minutes", 2025)
        assert next_number(town, "minutes", 2025) == 1
        # A unit of another county numbers on its own.
        other = make_unit("城关镇", UnitKind.TOWNSHIP, make_county("邻县", "330184"))
        assert next_number(other, "minutes", 2025) == 1
