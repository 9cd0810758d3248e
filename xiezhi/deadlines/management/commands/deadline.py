"""`xiezhi deadline START PERIOD [--json]`: compute a due time with its explanation."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezhi.core.errors import ValidationFailed
from xiezhi.deadlines.computing import compute_deadline
from xiezhi.rulebook.zh import SHANGHAI


def parse_start(text: str) -> datetime:
    """ISO 8601 date or date-time; without a zone it is Beijing time (Asia/Shanghai)."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise CommandError(
            f"无法识别的起算时间“{text}”，格式应为 2024-09-27T10:00 或 2024-09-27T10:00+08:00"
        ) from None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


class Command(BaseCommand):
    help = "计算时限截止时间，例如：xiezhi deadline 2024-09-27T10:00 3WD --json（无时区按北京时间）"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # "-3WD" would be taken for an option; argparse treats what this matches as a positional,
        # so a negative period reaches parse_period and gets its clear error.
        parser._negative_number_matcher = re.compile(r"^-\d")  # type: ignore[attr-defined]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help="起算时间，如 2024-09-27T10:00（无时区按北京时间）")
        parser.add_argument(
            "period", help="时限：3WD（工作日）、24h（小时）、15d（自然日）或 immediate（立即）"
        )
        parser.add_argument("--office-close", default=None, help="下班时间 HH:MM，默认 17:30")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        start = parse_start(options["start"])
        try:
            result = compute_deadline(start, options["period"], options["office_close"])
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            payload = {
                "due": result.at.isoformat(),
                "provisional": result.provisional,
                "explanation": result.explanation,
                "counted_days": [d.isoformat() for d in result.counted_days],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"截止时间：{result.at_zh}{'（暂定）' if result.provisional else ''}")
        self.stdout.write(f"说明：{result.explanation}")
        if result.counted_days:
            self.stdout.write("计入的日期：" + "、".join(d.isoformat() for d in result.counted_days))
