"""`xiezhi verify-audit`: walk the audit hash chain; exit 1 naming the first broken or missing event."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiezhi.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链：逐条重算摘要、核对前后链接与序号连续性及链头；"
        "发现问题时指出第一条损坏或缺失的事件并以非零状态退出。"
        " / Verify the audit trail's hash chain; exit non-zero naming the first broken or missing event."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果 / print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        elif result.ok:
            self.stdout.write(result.message())
            self.stdout.write(
                f"链头：第 {result.head_seq} 号，摘要 {result.head_hash}（{'、'.join(sorted(result.algorithms)) or '—'}），"
                f"用时 {result.seconds:.2f} 秒"
            )
        else:
            self.stderr.write(result.message())
        if not result.ok:
            raise SystemExit(1)
