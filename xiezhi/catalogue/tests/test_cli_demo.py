"""`xiezhi jurisdiction` and the demo catalogue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xiezhi.catalogue import versions
from xiezhi.catalogue.demo import load_catalogue
from xiezhi.catalogue.models import CatalogueVersion, Entrustment, Matter, VersionStatus
from xiezhi.catalogue.tests.helpers import Cat
from xiezhi.units.demo import DemoContext, load_units
from xiezhi.units.models import Unit

pytestmark = pytest.mark.django_db
KEYS = ["mode", "subject", "acting_unit", "in_name_of", "department_may_inspect", "department_may_penalise", "version",
        "explanation"]  # fmt: skip


def test_jurisdiction_command_prints_exactly_the_keys(cat: Cat, capsys: Any) -> None:
    call_command(
        "jurisdiction", "--matter", "DEMO-SR-001", "--township", "城关镇", "--date", "2025-06-01", "--json"
    )
    result = json.loads(capsys.readouterr().out)
    assert list(result) == KEYS
    assert result["mode"] == "granted" and result["subject"] == "城关镇" and result["version"] == 1
    call_command(
        "jurisdiction", "--matter", "DEMO-ZS-001", "--township", "T02", "--date", "2025-06-01", "--json"
    )
    entrusted = json.loads(capsys.readouterr().out)
    assert (entrusted["mode"], entrusted["acting_unit"], entrusted["in_name_of"]) == (
        "entrusted",
        "河西镇",
        "示例县城市管理局",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--matter", "NOPE", "--township", "城关镇", "--date", "2025-06-01"], "未知的事项编码：NOPE"),
        (
            ["--matter", "DEMO-SR-001", "--township", "月球镇", "--date", "2025-06-01"],
            "未知的乡镇（街道）：月球镇",
        ),
        (
            ["--matter", "DEMO-SR-001", "--township", "城关镇", "--date", "2024-12-31"],
            "该日期没有生效的事项目录",
        ),
        (["--matter", "DEMO-SR-001", "--township", "城关镇", "--date", "2025-13-01"], "日期格式有误"),
    ],
)
def test_jurisdiction_command_errors_exit_non_zero(cat: Cat, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("jurisdiction", *args)


def test_demo_catalogue_loads_298_matters_two_versions_and_is_idempotent() -> None:
    ctx = DemoContext(demo=False, write=lambda s: None)
    load_units(ctx)
    load_catalogue(ctx)
    assert Matter.objects.count() == 298
    v1, v2 = CatalogueVersion.objects.order_by("number")
    assert (v1.status, v2.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
    assert v2.entries.count() == 298 and v1.entries.count() == 292
    assert v2.approved_by is not None and v2.approved_by.unit.kind == "county_government"
    assert Unit.objects.filter(name="示例县消防救援大队", kind="department").exists()
    change = versions.compare(v1, v2)
    assert len(change.added) == 6 and {m.code[:7] for m in change.added} == {"DEMO-BZ"}
    assert change.mode_changed and {b.matter_code for b in change.basis_changed} == {
        "DEMO-SR-001",
        "DEMO-SR-002",
    }
    assert Entrustment.objects.count() == 11

    counts = (Matter.objects.count(), CatalogueVersion.objects.count(), Entrustment.objects.count())
    load_catalogue(DemoContext(demo=False, write=lambda s: None))
    assert (Matter.objects.count(), CatalogueVersion.objects.count(), Entrustment.objects.count()) == counts

    call_command(
        "jurisdiction", "--matter", "DEMO-SR-001", "--township", "城关镇", "--date", "2025-06-01", "--json"
    )
    town = Unit.objects.get(name="城关镇")
    html = (
        Client().get(f"/public/catalogue/{town.code}/", {"q": "燃气", "date": "2025-06-01"}).content.decode()
    )
    assert "DEMO-RQ-001" in html and "不下放" in html
