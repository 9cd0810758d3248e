"""`xiezhi sweep`: one deadline sweep (also run every minute by the scheduler under `xiezhi serve`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from xiezhi.deadlines import sweep


class Command(BaseCommand):
    help = "时限巡检：标记超期、发送到期提醒、逐级督办（可重复执行，可多进程同时执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = sweep.run()
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"超期 {result.overdue} 项，提醒 {result.reminded} 项，督办 {result.escalated} 项，"
                f"通知 {result.notices} 条，用时 {elapsed:.3f} 秒"
            )
