"""`xiezhi deliver`: send every due notification delivery (new ones and retries whose back-off has passed).

Run every minute by the scheduler under `xiezhi serve`. Safe to run twice at once: each delivery is
claimed with a conditional UPDATE, so only one runner sends it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezhi.notifications.dispatch import deliver_due


class Command(BaseCommand):
    help = (
        "发送到期的通知投递（含按退避时间重试的）/ send due notification deliveries, retrying with back-off"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=500, help="本次最多处理的投递数 / at most this many deliveries"
        )
        parser.add_argument(
            "--channel", default="", help="只处理该渠道 / only this channel (console, email, sms)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit 必须大于0")
        report = deliver_due(limit=options["limit"], channel=options["channel"] or None)
        if options["verbosity"] > 0:
            self.stdout.write(
                f"已发送 {report.sent} 条，失败待重试 {report.failed} 条，已放弃 {report.dead} 条"
            )
