"""`xiezhi audit-archive --before DATE`: export events older than DATE to var/; never deletes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezhi.audit.archive import archive
from xiezhi.core.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "归档审计日志：把指定日期之前的事件导出为 JSON Lines 文件（仅导出，不删除，哈希链保持可校验）；"
        "日期不得晚于今天前 180 天。"
        " / Archive audit events before DATE to a file (export only; rows are kept). DATE must be at least"
        " 180 days ago."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, help="截止日期 YYYY-MM-DD（不含当天）/ cut-off date, exclusive"
        )
        parser.add_argument(
            "--output-dir",
            default=None,
            help="输出目录，默认 var/audit-archive / output directory (default var/audit-archive)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            before = date.fromisoformat(options["before"])
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD，例如 2025-04-01") from None
        directory = (
            Path(options["output_dir"]) if options["output_dir"] else Path(settings.VAR_DIR) / "audit-archive"
        )
        try:
            report = archive(before, directory)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"已归档 {report.count} 条事件（第 {report.first_seq or '—'} 至 {report.last_seq or '—'} 号）"
        )
        self.stdout.write(f"文件：{report.path}")
        self.stdout.write(f"清单：{report.manifest}")
        self.stdout.write(f"SHA-256：{report.sha256}")
        self.stdout.write(
            "该段哈希链校验通过"
            if report.chain_ok
            else "警告：该段哈希链校验未通过，请运行 xiezhi verify-audit"
        )
        self.stdout.write("数据库中的事件均保留，未删除（审计日志只追加）。")
