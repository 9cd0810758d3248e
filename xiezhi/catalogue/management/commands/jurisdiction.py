"""`xiezhi jurisdiction --matter DEMO-SR-001 --township 城关镇 --date 2025-06-01 [--json]`"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xiezhi.catalogue.services import find_township, resolution_dict, resolve
from xiezhi.core.errors import XiezhiError
from xiezhi.units.models import County


class Command(BaseCommand):
    help = "管辖查询：某事项在某日、某乡镇由谁执法 / who is competent for a matter in a township on a date"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matter", required=True, help="事项编码，如 DEMO-SR-001")
        parser.add_argument("--township", required=True, help="乡镇（街道）名称或单位编码")
        parser.add_argument("--date", help="日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--county", help="县的行政区划代码（有多个县且乡镇重名时使用）")
        parser.add_argument("--json", action="store_true", help="以JSON输出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期格式有误：{options['date']}（应为 YYYY-MM-DD）") from None
        county_id = None
        if options["county"]:
            county = County.objects.filter(code=options["county"]).first()
            if county is None:
                raise CommandError(f"未知的县：{options['county']}")
            county_id = county.pk
        try:
            town = find_township(options["township"], county_id)
            result = resolution_dict(resolve(options["matter"], town, on))
        except XiezhiError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        labels = {"granted": "赋权", "entrusted": "委托", "retained": "不下放"}
        self.stdout.write(f"下放方式：{labels[result['mode']]}（{result['mode']}）")
        self.stdout.write(f"执法主体：{result['subject']}")
        self.stdout.write(f"实施单位：{result['acting_unit']}（以{result['in_name_of']}的名义）")
        self.stdout.write(
            f"县级部门可检查：{'是' if result['department_may_inspect'] else '否'}；"
            f"可处罚：{'是' if result['department_may_penalise'] else '否'}"
        )
        self.stdout.write(f"依据：第{result['version']}版目录")
        self.stdout.write(result["explanation"])
