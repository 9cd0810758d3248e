"""Deliver due 12345 status callbacks (scheduled job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezhi.intake.callbacks import deliver_due


class Command(BaseCommand):
    help = "发送到期的12345状态回调"

    def handle(self, *args: Any, **options: Any) -> None:
        sent = deliver_due()
        if options.get("verbosity", 1):
            self.stdout.write(f"已送达{sent}条回调")
