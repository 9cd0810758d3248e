"""`xiezhi audit-chain`: link committed audit events into the hash chain (also a scheduler job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezhi.audit.chain import chain_pending, pending_count


class Command(BaseCommand):
    help = (
        "把已提交但尚未入链的审计事件链入哈希链（业务提交后通常已自动完成；定时任务每 5 秒运行一次）。"
        " / Link committed audit events that are not chained yet (normally done right after commit;"
        " the scheduler runs this every 5 seconds)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        linked = chain_pending()
        if options["verbosity"]:
            self.stdout.write(f"已入链 {linked} 条事件；仍在队列中 {pending_count()} 条")
