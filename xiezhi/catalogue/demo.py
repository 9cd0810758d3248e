"""Demo catalogue of 示例县 (issue 5 §6): all 298 matters of data/matters.csv and two published
versions with a visible difference.

Pattern (version 2, in force from 2025-06-01): matters the law gives to townships, the city
management bureau's matters (city appearance, its noise, waste and air matters) and planning,
municipal-facility and landscaping matters are granted to every township; agriculture is entrusted
to the rural townships, forestry to the mountain townships and the cultural market to the urban
ones, each with a written entrustment letter; work safety, fire, gas, food and drug and the other
environmental matters are retained. Version 1 (from 2024-07-01) lacked the funeral matters, granted
municipal facilities to the urban townships only, kept forestry and the bureau's noise matters
retained and cited two penalty provisions less precisely. One agriculture letter (白沙镇) ended on
2025-12-31, so its matters went back to the department.

Idempotent: nothing is done when the county already has a catalogue version.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from xiezhi.catalogue import versions
from xiezhi.catalogue.models import (
    TOWNSHIP_STATUTORY_DEPARTMENT,
    CatalogueVersion,
    Devolution,
    DevolutionMode,
    Entrustment,
    Matter,
    SubjectList,
    VersionMatter,
)
from xiezhi.catalogue.services import subject_entries
from xiezhi.units.models import County, Person, Unit, UnitKind

if TYPE_CHECKING:
    from xiezhi.units.demo import DemoContext

DATA = Path(__file__).resolve().parent / "data" / "matters.csv"
COUNTY_CODE = "339999"
V1_FROM, V2_FROM = date(2024, 7, 1), date(2025, 6, 1)
V1_DECISION = "《示例省人民政府关于赋予乡镇（街道）部分县级行政执法权的决定》（示政发〔2024〕1号）"
V2_DECISION = "《示例省人民政府关于调整乡镇（街道）行政执法事项目录的决定》（示政发〔2025〕8号）"

URBAN = ("城关镇", "南湖街道", "北城街道")
RURAL = ("东山乡", "柳溪乡", "松岭乡", "青石镇", "白沙镇")
MOUNTAIN = ("松岭乡", "龙泉镇", "桃源镇")
GRANTED_FIELDS = ("城乡规划建设", "城市道路与市政设施", "园林绿化")
CITY_BUREAU = "县城市管理局"
# Departments named differently in the demo county than in matters.csv, and the ones it lacks.
ALIASES = {"县文化和旅游局": "示例县文化广电和旅游局"}
MISSING = {"县消防救援大队": ("D-xfjy", "《中华人民共和国消防法》第四条")}
# Version 1 cited these penalty provisions without the item number.
V1_BASIS = {
    "DEMO-SR-001": "《城市市容和环境卫生管理条例》第三十四条",
    "DEMO-SR-002": "《城市市容和环境卫生管理条例》第三十四条",
}


@dataclass(frozen=True)
class Letter:
    department: str  # matters.csv name
    field: str
    townships: tuple[str, ...]
    prefix: str
    valid_from: date
    valid_to: date
    authority: str


LETTERS = (
    Letter("县农业农村局", "农业农村", RURAL, "示农委〔2024〕", date(2024, 7, 1), date(2027, 6, 30),
           "在本乡镇行政区域内，对委托事项实施行政检查、依法采取相关行政强制措施、作出行政处罚决定。"),
    Letter("县林业局", "林业", MOUNTAIN, "示林委〔2025〕", date(2025, 6, 1), date(2028, 5, 31),
           "在本乡镇行政区域内，对委托事项实施行政检查、作出行政处罚决定；查封、扣押须报委托机关批准。"),
    Letter("县文化和旅游局", "文化市场", URBAN, "示文旅委〔2024〕", date(2024, 7, 1), date(2027, 6, 30),
           "在本街道（镇）行政区域内，对委托事项实施行政检查、作出警告和罚款的行政处罚决定。"),
)  # fmt: skip
EXPIRED = ("县农业农村局", "白沙镇", date(2025, 12, 31))
RESPONSIBILITY = (
    "受委托单位在委托范围内，以委托机关的名义实施行政执法，不得再委托其他组织或者个人；"
    "委托机关对受委托单位实施行政执法的行为负责监督，并对该行为的后果承担法律责任。"
)


def _rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _departments(ctx: DemoContext, county: County, rows: list[dict[str, str]]) -> dict[str, Unit]:
    units = {u.name: u for u in Unit.objects.filter(county=county)}
    gov = next(u for u in units.values() if u.kind == UnitKind.COUNTY_GOVERNMENT)
    out: dict[str, Unit] = {TOWNSHIP_STATUTORY_DEPARTMENT: gov}
    for name in sorted({r["department"] for r in rows} - {TOWNSHIP_STATUTORY_DEPARTMENT}):
        target = ALIASES.get(name, county.name + name.removeprefix("县"))
        unit = units.get(target)
        if unit is None:
            slug, basis = MISSING.get(name, (f"D-x{len(out):02d}", "有关法律、法规规定的职责"))
            unit = Unit.objects.create(
                county=county, code=f"{COUNTY_CODE}-{slug}", name=target, kind=UnitKind.DEPARTMENT, parent=gov,
                is_enforcement_subject=True, subject_legal_basis=basis,
                subject_review_date=ctx.today - timedelta(days=75),
            )  # fmt: skip
            ctx.created["units"] += 1
        out[name] = unit
    return out


def _fine(text: str) -> int | None:
    return int(text) if text.strip() else None


def _mode(row: dict[str, str], town: str, version: int) -> tuple[str, Letter | None]:
    dept, field, major = row["department"], row["field"], row["major_category"]
    if dept == TOWNSHIP_STATUTORY_DEPARTMENT:
        return DevolutionMode.GRANTED, None
    if dept == CITY_BUREAU:
        if version == 1 and field == "生态环境（噪声）":
            return DevolutionMode.RETAINED, None
        return DevolutionMode.GRANTED, None
    if field in GRANTED_FIELDS and major == "none":
        if version == 1 and field == "城市道路与市政设施" and town not in URBAN:
            return DevolutionMode.RETAINED, None
        return DevolutionMode.GRANTED, None
    for letter in LETTERS:
        if (
            dept == letter.department
            and field == letter.field
            and major == "none"
            and town in letter.townships
        ):
            if version == 1 and letter.valid_from > V1_FROM:
                break
            return DevolutionMode.ENTRUSTED, letter
    return DevolutionMode.RETAINED, None


def load_catalogue(ctx: DemoContext) -> None:
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or CatalogueVersion.objects.filter(county=county).exists():
        return
    rows = _rows()
    depts = _departments(ctx, county, rows)
    townships = list(Unit.objects.filter(county=county, kind=UnitKind.TOWNSHIP, active=True).order_by("code"))

    matters = Matter.objects.bulk_create([
        Matter(
            county=county, code=r["code"], name=r["name"], field=r["field"], department=depts[r["department"]],
            township_statutory=r["department"] == TOWNSHIP_STATUTORY_DEPARTMENT,
            legal_basis_violation=r["legal_basis_violation"], legal_basis_penalty=r["legal_basis_penalty"],
            penalty=r["penalty"], min_fine=_fine(r["min_fine_yuan"]), max_fine=_fine(r["max_fine_yuan"]),
            major_category=r["major_category"], source=r["source_file"],
        )
        for r in rows
    ])  # fmt: skip
    ctx.created["matters"] += len(matters)
    by_code = {m.code: m for m in matters}

    letters: dict[tuple[str, str], Entrustment] = {}
    for letter in LETTERS:
        scope = [by_code[r["code"]] for r in rows if _mode(r, letter.townships[0], 2)[1] is letter]
        for n, town in enumerate(t for t in townships if t.name in letter.townships):
            end = EXPIRED[2] if (letter.department, town.name) == EXPIRED[:2] else letter.valid_to
            e = Entrustment.objects.create(
                county=county, number=f"{letter.prefix}{n + 1}号", department=depts[letter.department], township=town,
                authority=letter.authority, valid_from=letter.valid_from, valid_to=end, responsibility=RESPONSIBILITY,
                signed_on=letter.valid_from - timedelta(days=10),
            )  # fmt: skip
            e.matters.set(scope)
            letters[(letter.prefix, town.name)] = e
            ctx.created["entrustments"] += 1

    leader = Person.objects.filter(
        unit__county=county, unit__kind=UnitKind.COUNTY_GOVERNMENT, roles__role="leader"
    ).first()
    for number, start, decision in ((1, V1_FROM, V1_DECISION), (2, V2_FROM, V2_DECISION)):
        version = CatalogueVersion.objects.create(
            county=county, number=number, effective_from=start, decision_document=decision,
            title=f"示例县乡镇（街道）行政执法事项目录（{start.year}年版）",
        )  # fmt: skip
        chosen = [r for r in rows if number == 2 or r["field"] != "殡葬"]
        entries = []
        for r in chosen:
            m = by_code[r["code"]]
            content: dict[str, Any] = m.content()
            if number == 1 and r["code"] in V1_BASIS:
                content["legal_basis_penalty"] = V1_BASIS[r["code"]]
            entries.append(VersionMatter(version=version, matter=m, **content))
        VersionMatter.objects.bulk_create(entries)
        devolutions = []
        for r in chosen:
            for town in townships:
                mode, by_letter = _mode(r, town.name, number)
                devolutions.append(Devolution(
                    version=version, matter=by_code[r["code"]], township=town, mode=mode,
                    entrustment=letters[(by_letter.prefix, town.name)] if by_letter else None,
                ))  # fmt: skip
        Devolution.objects.bulk_create(devolutions, batch_size=2000)
        versions.publish(None, version, check_retroactive=False)
        CatalogueVersion.objects.filter(pk=version.pk).update(approved_by=leader)
        ctx.created["catalogue_versions"] += 1

    SubjectList.objects.create(
        county=county, year=(ctx.today - timedelta(days=60)).year,
        published_at=timezone.now() - timedelta(days=60), entries=subject_entries(county.pk),
        note="演示数据：上一次年度审核后公布的名单。",
    )  # fmt: skip
    ctx.write(
        f"事项清单：{len(matters)}个事项，第1版（{V1_FROM.isoformat()}施行）与第2版（{V2_FROM.isoformat()}施行）已公布，"
        f"{len(letters)}份委托书"
    )
