"""Catalogue import and export: xlsx (openpyxl) and CSV with the columns of matters.csv plus one
column per township holding its mode (issue 5 §4).

A township cell holds one or more periods separated by "；", each a mode (赋权 / 委托 / 不下放, or
granted / entrusted / retained), for entrusted matters optionally the entrustment letter number in
brackets, and optionally a period: "委托（WT-2025-003） 2025-01-01至2025-06-30；不下放 2025-07-01至".
Export writes exactly this, so exporting a version and importing the file into a new draft gives
the same matters and devolutions (a round trip changes nothing).

Import validates everything first and reports each error with sheet, row and column; if there is
any error nothing is written. Then it writes in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xiezhi.audit.services import record
from xiezhi.catalogue.bulk import insert_devolutions
from xiezhi.catalogue.models import (
    TOWNSHIP_STATUTORY_DEPARTMENT,
    CatalogueVersion,
    DevolutionMode,
    Entrustment,
    MajorCategory,
    Matter,
    VersionMatter,
    VersionStatus,
)
from xiezhi.catalogue.services import CODE_RE, MATTER_OWNER_KINDS, version_conflict
from xiezhi.core.actor import Actor
from xiezhi.units.models import County, Unit, UnitKind

# The columns of matters.csv, in its order, with the model field each one fills.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("code", "code", "事项编码"),
    ("name", "name", "事项名称"),
    ("field", "field", "领域"),
    ("department", "department", "主管部门"),
    ("legal_basis_violation", "legal_basis_violation", "违法行为依据"),
    ("legal_basis_penalty", "legal_basis_penalty", "处罚依据"),
    ("penalty", "penalty", "处罚种类和幅度"),
    ("min_fine_yuan", "min_fine", "最低罚款（元）"),
    ("max_fine_yuan", "max_fine", "最高罚款（元）"),
    ("major_category", "major_category", "重大违法类别"),
    ("source_file", "source", "条文出处"),
)
REQUIRED = ("code", "name", "field", "department")
HEADER_ALIASES = {zh: en for en, _, zh in COLUMNS} | {en: en for en, _, _ in COLUMNS}
LIMITS = {
    "code": 40,
    "name": 300,
    "field": 60,
    "legal_basis_violation": 2000,
    "legal_basis_penalty": 2000,
    "penalty": 2000,
    "source_file": 1000,
}
SHEET_TITLE = "事项清单"
MODE_WORDS = {
    "赋权": DevolutionMode.GRANTED,
    "委托": DevolutionMode.ENTRUSTED,
    "不下放": DevolutionMode.RETAINED,
    "granted": DevolutionMode.GRANTED,
    "entrusted": DevolutionMode.ENTRUSTED,
    "retained": DevolutionMode.RETAINED,
}
SEGMENT_RE = re.compile(
    r"^(?P<mode>[^\s（(]+)\s*(?:[（(](?P<number>[^）)]+)[）)])?\s*"
    r"(?:(?P<start>\d{4}-\d{1,2}-\d{1,2})?\s*至\s*(?P<end>\d{4}-\d{1,2}-\d{1,2})?)?$"
)
Progress = Callable[[int, int, str], None]


def _noop(done: int, total: int, phase: str) -> None:
    return None


# --- export --------------------------------------------------------------------------------------


def _segment(mode: str, number: str | None, start: date | None, end: date | None) -> str:
    text = DevolutionMode(mode).label
    if number:
        text += f"（{number}）"
    if start or end:
        text += f" {start.isoformat() if start else ''}至{end.isoformat() if end else ''}"
    return text


def export_table(version: CatalogueVersion) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a version, ordered by matter code."""
    townships = list(
        Unit.objects.filter(county_id=version.county_id, kind=UnitKind.TOWNSHIP, active=True).order_by("code")
    )
    header = [en for en, _, _ in COLUMNS] + [t.name for t in townships]
    cells: dict[tuple[int, int], list[tuple[date, str]]] = {}
    devolutions = version.devolutions.values_list(
        "matter_id", "township_id", "mode", "entrustment__number", "effective_from", "effective_to"
    )
    for matter_id, township_id, mode, number, start, end in devolutions.iterator(chunk_size=5000):
        cells.setdefault((matter_id, township_id), []).append(
            (start or date.min, _segment(mode, number, start, end))
        )
    rows: list[list[Any]] = []
    entries = version.entries.select_related("department", "matter").order_by("matter__code")
    for entry in entries.iterator(chunk_size=2000):
        dept = TOWNSHIP_STATUTORY_DEPARTMENT if entry.township_statutory else entry.department.name
        row: list[Any] = [
            entry.matter.code,
            entry.name,
            entry.field,
            dept,
            entry.legal_basis_violation,
            entry.legal_basis_penalty,
            entry.penalty,
            entry.min_fine if entry.min_fine is not None else "",
            entry.max_fine if entry.max_fine is not None else "",
            entry.major_category,
            entry.matter.source,
        ]
        for t in townships:
            segments = sorted(cells.get((entry.matter_id, t.pk), []))
            row.append("；".join(text for _, text in segments))
        rows.append(row)
    return header, rows


def export_csv(version: CatalogueVersion) -> bytes:
    header, rows = export_table(version)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel and WPS open it as UTF-8


def export_xlsx(version: CatalogueVersion) -> bytes:
    header, rows = export_table(version)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET_TITLE)
    widths = {"code": 14, "name": 40, "field": 16, "department": 20, "penalty": 40}
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 24)
    ws.freeze_panes = "C2"
    bold = Font(bold=True)
    head_cells = []
    for name in header:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        head_cells.append(cell)
    ws.append(head_cells)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Sheet:
    name: str
    rows: list[tuple[Any, ...]]


def read_file(file_name: str, payload: bytes) -> Sheet:
    if file_name.lower().endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = payload.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValueError("CSV文件编码无法识别，请保存为UTF-8编码")
        return Sheet("CSV", [tuple(r) for r in csv.reader(io.StringIO(text))])
    try:
        wb = load_workbook(io.BytesIO(payload), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise ValueError("无法读取该文件，请上传xlsx格式的工作簿或CSV文件") from exc
    ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
    rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return Sheet(ws.title, rows)


# --- validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str
    header: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”第{self.row}行"
        if self.column:
            where += f"{self.column}列（{self.header}）"
        return f"{where}：{self.message}"


@dataclass
class Period:
    mode: str
    entrustment_id: int | None
    start: date | None
    end: date | None


@dataclass
class Row:
    line: int
    code: str
    content: dict[str, Any]
    source: str
    periods: dict[int, list[Period]] = field(default_factory=dict)  # township id -> periods


@dataclass
class Plan:
    rows: list[Row]
    errors: list[CellError]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Context:
    """Lookups for one county, loaded once."""

    def __init__(self, county: County, effective_from: date) -> None:
        self.county = county
        self.effective_from = effective_from
        units = list(Unit.objects.filter(county=county))
        self.townships = sorted(
            (u for u in units if u.kind == UnitKind.TOWNSHIP and u.active), key=lambda u: u.code
        )
        self.by_name = {u.name: u for u in units}
        self.by_code = {u.code: u for u in units}
        self.government = next((u for u in units if u.kind == UnitKind.COUNTY_GOVERNMENT), None)
        self.entrustments: dict[str, Entrustment] = {
            e.number: e
            for e in Entrustment.objects.filter(county=county).select_related("department", "township")
        }
        scope: dict[int, set[str]] = {}
        for eid, code in Entrustment.matters.through.objects.filter(entrustment__county=county).values_list(
            "entrustment_id", "matter__code"
        ):
            scope.setdefault(eid, set()).add(code)
        self.scope = scope

    def department(self, text: str) -> tuple[Unit | None, bool, str]:
        """(unit, township_statutory, problem)."""
        if text == TOWNSHIP_STATUTORY_DEPARTMENT:
            if self.government is None:
                return None, True, "本县没有县人民政府单位，无法登记乡镇法定职权事项"
            return self.government, True, ""
        unit = self.by_name.get(text) or self.by_code.get(text)
        if unit is None and text.startswith("县"):
            unit = self.by_name.get(self.county.name + text[1:])
        if unit is None:
            return None, False, f"主管部门“{text}”不是本县的单位"
        if unit.kind not in MATTER_OWNER_KINDS:
            return None, False, f"“{text}”不是县级部门，不能作为主管部门"
        return unit, False, ""

    def entrustment_for(
        self, number: str | None, dept: Unit, township: Unit, code: str
    ) -> tuple[Entrustment | None, str]:
        if number:
            e = self.entrustments.get(number)
            if e is None:
                return None, f"委托书{number}不存在"
            if e.department_id != dept.pk:
                return None, f"委托书{number}不是{dept.name}出具的"
            if e.township_id != township.pk:
                return None, f"委托书{number}的受托乡镇不是{township.name}"
            if code not in self.scope.get(e.pk, set()):
                return None, f"委托书{number}的委托范围不包括事项{code}"
            return e, ""
        candidates = [
            e
            for e in self.entrustments.values()
            if e.department_id == dept.pk
            and e.township_id == township.pk
            and code in self.scope.get(e.pk, set())
            and e.valid_from <= self.effective_from <= e.valid_to
        ]
        if not candidates:
            return None, "委托事项必须附行政执法委托书：没有找到委托范围包括该事项的有效委托书"
        if len(candidates) > 1:
            return None, "有多份委托书包括该事项，请在单元格中注明委托书编号，如“委托（编号）”"
        return candidates[0], ""


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    y, m, d = (int(p) for p in text.split("-"))
    return date(y, m, d)


def _overlap(a: Period, b: Period) -> bool:
    return (a.end is None or b.start is None or b.start <= a.end) and (
        b.end is None or a.start is None or a.start <= b.end
    )


def plan_import(sheet: Sheet, county: County, effective_from: date, progress: Progress = _noop) -> Plan:
    """Check every cell; return the rows to write and every error found."""
    ctx = _Context(county, effective_from)
    errors: list[CellError] = []

    def err(row: int, col: int | None, header: str, message: str) -> None:
        errors.append(
            CellError(sheet.name, row, get_column_letter(col + 1) if col is not None else "", header, message)
        )

    if not sheet.rows:
        err(1, None, "", "文件中没有数据")
        return Plan([], errors)
    header = [_text(h) for h in sheet.rows[0]]
    columns: dict[str, int] = {}
    township_cols: dict[int, Unit] = {}
    for i, name in enumerate(header):
        if not name:
            continue
        key = HEADER_ALIASES.get(name)
        unit = ctx.by_name.get(name) or ctx.by_code.get(name)
        if key is not None:
            if key in columns:
                err(1, i, name, f"列“{name}”重复")
            columns[key] = i
        elif unit is not None and unit.kind == UnitKind.TOWNSHIP and unit.active:
            if unit.pk in {u.pk for u in township_cols.values()}:
                err(1, i, name, f"乡镇（街道）“{name}”的列重复")
            township_cols[i] = unit
        else:
            err(1, i, name, f"未知的列“{name}”：既不是事项清单的列，也不是本县的乡镇（街道）")
    for key in REQUIRED:
        if key not in columns:
            err(1, None, key, f"缺少必需的列“{key}”")
    present = {u.pk for u in township_cols.values()}
    for town in ctx.townships:
        if town.pk not in present:
            err(1, None, town.name, f"缺少乡镇（街道）“{town.name}”的下放方式列")
    if errors:
        return Plan([], errors)

    body = sheet.rows[1:]
    total = len(body)
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for n, raw in enumerate(body, start=2):
        if n % 250 == 0:
            progress(n - 1, total, "校验")
        cells = [_text(v) for v in raw]
        if not any(cells):
            continue

        def cell(key: str, cells: list[str] = cells) -> str:
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else ""

        def col_err(key: str, message: str, n: int = n) -> None:
            err(n, columns.get(key), key, message)

        before = len(errors)
        for key in REQUIRED:
            if not cell(key):
                col_err(key, "不能为空")
        for key, limit in LIMITS.items():
            if len(cell(key)) > limit:
                col_err(key, f"不能超过{limit}个字")
        code = cell("code")
        if code and not CODE_RE.match(code):
            col_err("code", "事项编码只能由字母、数字、连字符、下划线和点组成")
        if code in seen:
            col_err("code", f"事项编码{code}与第{seen[code]}行重复")
        elif code:
            seen[code] = n
        dept, statutory, problem = (
            ctx.department(cell("department")) if cell("department") else (None, False, "")
        )
        if problem:
            col_err("department", problem)
        fines: dict[str, int | None] = {}
        for key in ("min_fine_yuan", "max_fine_yuan"):
            text = cell(key).replace(",", "")
            if not text:
                fines[key] = None
                continue
            try:
                value = float(text)
            except ValueError:
                col_err(key, f"“{text}”不是数字")
                continue
            if value < 0 or not value.is_integer():
                col_err(key, "罚款金额须为非负整数（元）")
                continue
            fines[key] = int(value)
        low, high = fines.get("min_fine_yuan"), fines.get("max_fine_yuan")
        if low is not None and high is not None and low > high:
            col_err("max_fine_yuan", f"最高罚款{high}低于最低罚款{low}")
        major = cell("major_category") or MajorCategory.NONE
        major = MajorCategory.NONE if major == "无" else major
        if major not in MajorCategory.values:
            col_err("major_category", f"“{major}”无效，只能是安全生产、食品药品安全、生态环境或none")

        periods: dict[int, list[Period]] = {}
        for i, town in township_cols.items():
            text = cells[i] if i < len(cells) else ""
            if not text:
                err(n, i, town.name, "没有设定下放方式")
                continue
            parsed: list[Period] = []
            for segment in re.split(r"[；;]", text):
                segment = segment.strip()
                m = SEGMENT_RE.match(segment)
                mode = MODE_WORDS.get(m.group("mode")) if m else None
                if m is None or mode is None:
                    err(
                        n,
                        i,
                        town.name,
                        f"下放方式“{segment}”无效，只能是赋权、委托或不下放（可附委托书编号和期间）",
                    )
                    continue
                try:
                    start, end = _parse_date(m.group("start")), _parse_date(m.group("end"))
                except ValueError:
                    err(n, i, town.name, f"“{segment}”中的日期无效")
                    continue
                if start and end and end < start:
                    err(n, i, town.name, f"“{segment}”的结束日期早于起始日期")
                    continue
                entrustment_id = None
                if mode == DevolutionMode.ENTRUSTED and dept is not None:
                    e, problem = ctx.entrustment_for(m.group("number"), dept, town, code)
                    if problem:
                        err(n, i, town.name, problem)
                        continue
                    entrustment_id = e.pk if e else None
                elif m.group("number"):
                    err(n, i, town.name, "只有委托事项才注明委托书编号")
                    continue
                period = Period(mode, entrustment_id, start, end)
                if any(_overlap(p, period) for p in parsed):
                    err(n, i, town.name, f"下放期间重叠：“{text}”")
                    continue
                parsed.append(period)
            periods[town.pk] = parsed
        if len(errors) > before or dept is None:
            continue
        content = {
            "name": cell("name"),
            "field": cell("field"),
            "department_id": dept.pk,
            "township_statutory": statutory,
            "legal_basis_violation": cell("legal_basis_violation"),
            "legal_basis_penalty": cell("legal_basis_penalty"),
            "penalty": cell("penalty"),
            "min_fine": low,
            "max_fine": high,
            "major_category": major,
        }
        rows.append(Row(n, code, content, cell("source_file"), periods))
    if not seen and not errors:
        err(2, None, "", "文件中没有事项")
    progress(total, total, "校验")
    return Plan(rows, errors)


# --- writing -------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    version: CatalogueVersion
    created: int
    updated: int
    devolutions: int


class ImportRejected(Exception):
    def __init__(self, errors: list[CellError]) -> None:
        self.errors = errors
        super().__init__(f"共{len(errors)}处错误，未导入任何数据")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def apply_plan(
    plan: Plan,
    county: County,
    *,
    actor: Actor | None,
    target: CatalogueVersion | None,
    effective_from: date,
    file_name: str,
    file_sha256: str,
    progress: Progress = _noop,
) -> ImportResult:
    """Write a valid plan into `target` (a draft, whose content is replaced) or into a new draft."""
    from xiezhi.catalogue.versions import _next_number

    total = len(plan.rows)
    with transaction.atomic():
        if target is not None:
            target = CatalogueVersion.objects.select_for_update().get(pk=target.pk)
            if target.status != VersionStatus.DRAFT:
                raise version_conflict(target)
            target.devolutions.all().delete()
            target.entries.all().delete()
        else:
            target = CatalogueVersion.objects.create(
                county=county,
                number=_next_number(county.pk),
                effective_from=effective_from,
                title=f"导入：{file_name}"[:200],
                created_by=actor.person if actor else None,
            )
        existing = {
            m.code: m for m in Matter.objects.filter(county=county, code__in=[r.code for r in plan.rows])
        }
        new: list[Matter] = []
        changed: list[Matter] = []
        fields = [*Matter.CONTENT_FIELDS, "source"]
        for row in plan.rows:
            m = existing.get(row.code)
            values = {**row.content, "source": row.source}
            if m is None:
                new.append(Matter(county=county, code=row.code, **values))
            elif any(getattr(m, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(m, k, v)
                changed.append(m)
        Matter.objects.bulk_create(new, batch_size=1000)
        if changed:
            Matter.objects.bulk_update(changed, fields, batch_size=500)
        progress(total // 4, total, "写入事项")
        by_code = {
            m.code: m for m in Matter.objects.filter(county=county, code__in=[r.code for r in plan.rows])
        }
        VersionMatter.objects.bulk_create(
            [VersionMatter(version=target, matter=by_code[r.code], **r.content) for r in plan.rows],
            batch_size=1000,
        )
        # Other drafts follow the working definition of the matters this file changed.
        others = VersionMatter.objects.filter(
            matter__in=changed, version__status=VersionStatus.DRAFT, version__county=county
        ).exclude(version=target)
        stale = []
        for vm in others.select_related("matter"):
            for k, v in vm.matter.content().items():
                setattr(vm, k, v)
            stale.append(vm)
        if stale:
            VersionMatter.objects.bulk_update(stale, list(Matter.CONTENT_FIELDS), batch_size=500)
        count = 0
        for n, chunk in enumerate(_chunks(plan.rows, 500), start=1):
            count += insert_devolutions(
                (target.pk, by_code[r.code].pk, town_id, p.mode, p.start, p.end, p.entrustment_id)
                for r in chunk
                for town_id, periods in r.periods.items()
                for p in periods
            )
            progress(total // 4 + min(total, n * 500) * 3 // 4, total, "写入下放方式")
        record(
            actor,
            "catalogue.imported",
            target,
            after={
                "file": file_name,
                "sha256": file_sha256,
                "matters": total,
                "created": len(new),
                "updated": len(changed),
                "devolutions": count,
            },
            actor_name=None if actor is not None else "命令行导入",
        )
    progress(total, total, "完成")
    return ImportResult(target, len(new), len(changed), count)
