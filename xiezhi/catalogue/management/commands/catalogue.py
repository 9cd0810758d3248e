"""`xiezhi catalogue import FILE.xlsx|FILE.csv` and `xiezhi catalogue export --version N -o FILE`."""

from __future__ import annotations

import hashlib
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.catalogue.models import CatalogueVersion, VersionStatus
from xiezhi.catalogue.spreadsheets import apply_plan, export_csv, export_xlsx, plan_import, read_file
from xiezhi.core.errors import XiezhiError
from xiezhi.units.models import County, UnitKind

BAR = 30


def choose_county(code: str | None) -> County:
    if code:
        county = County.objects.filter(code=code).first()
        if county is None:
            raise CommandError(f"未知的县：{code}")
        return county
    counties = list(County.objects.filter(units__kind=UnitKind.TOWNSHIP).distinct())
    if len(counties) != 1:
        raise CommandError(
            "请用 --county 指定县的行政区划代码" if counties else "数据库中没有县和乡镇，请先建立单位"
        )
    return counties[0]


class Command(BaseCommand):
    help = "事项清单导入导出 / catalogue import and export (xlsx, CSV)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入到新草稿（或覆盖一个草稿）；有任何错误都不导入")
        imp.add_argument("file")
        imp.add_argument("--county", help="县的行政区划代码")
        imp.add_argument("--effective-from", help="新草稿的施行日期 YYYY-MM-DD（默认今天）")
        imp.add_argument("--draft", type=int, help="覆盖该版本号的草稿")
        exp = sub.add_parser("export", help="导出一个版本")
        exp.add_argument("--version", type=int, help="版本号（默认现行公布的版本）")
        exp.add_argument("--county", help="县的行政区划代码")
        exp.add_argument("--format", choices=["xlsx", "csv"], help="默认按文件扩展名")
        exp.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self.do_import(options)
        else:
            self.do_export(options)

    def _progress(self, done: int, total: int, phase: str) -> None:
        filled = BAR * done // total if total else BAR
        pct = 100 * done // total if total else 100
        sys.stderr.write(f"\r[{'#' * filled}{'-' * (BAR - filled)}] {pct:3d}% {phase} {done}/{total}   ")
        sys.stderr.flush()

    def do_import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        county = choose_county(options["county"])
        target = None
        if options["draft"]:
            target = CatalogueVersion.objects.filter(county=county, number=options["draft"]).first()
            if target is None or target.status != VersionStatus.DRAFT:
                raise CommandError(f"第{options['draft']}版不是草稿，不能覆盖；请导入为新草稿")
        try:
            effective = (
                date.fromisoformat(options["effective_from"])
                if options["effective_from"]
                else (target.effective_from if target else timezone.localdate())
            )
        except ValueError:
            raise CommandError("施行日期格式有误（应为 YYYY-MM-DD）") from None
        payload = path.read_bytes()
        try:
            sheet = read_file(path.name, payload)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        plan = plan_import(sheet, county, effective, self._progress)
        sys.stderr.write("\n")
        if plan.errors:
            for e in plan.errors[:200]:
                self.stderr.write(str(e))
            if len(plan.errors) > 200:
                self.stderr.write(f"……另有{len(plan.errors) - 200}处错误")
            raise CommandError(f"发现{len(plan.errors)}处错误，未导入任何数据")
        try:
            result = apply_plan(
                plan,
                county,
                actor=None,
                target=target,
                effective_from=effective,
                file_name=path.name,
                file_sha256=hashlib.sha256(payload).hexdigest(),
                progress=self._progress,
            )
        except XiezhiError as exc:
            raise CommandError(exc.message) from None
        sys.stderr.write("\n")
        self.stdout.write(
            f"已导入第{result.version.number}版目录草稿：{len(plan.rows)}个事项（新增{result.created}个、"
            f"更新{result.updated}个），{result.devolutions}条下放安排"
        )

    def do_export(self, options: dict[str, Any]) -> None:
        county = choose_county(options["county"])
        qs = CatalogueVersion.objects.filter(county=county)
        if options["version"]:
            version = qs.filter(number=options["version"]).first()
        else:
            version = qs.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
        if version is None:
            raise CommandError("没有找到该目录版本")
        out = Path(options["output"])
        fmt = options["format"] or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
        out.write_bytes(export_csv(version) if fmt == "csv" else export_xlsx(version))
        with transaction.atomic():
            record(
                None,
                "catalogue.exported",
                version,
                after={"format": fmt, "file": out.name},
                actor_name="命令行导出",
            )
        self.stdout.write(f"已导出第{version.number}版目录到 {out}")
