"""Scheduled retraining of the dispatch model (no arguments, so the scheduler can run it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezhi.intake import dispatching


class Command(BaseCommand):
    help = "如有新的已确认派单且模型已超过24小时，重新训练派单模型"

    def handle(self, *args: Any, **options: Any) -> None:
        if not dispatching.retrain_due():
            return
        path, n = dispatching.train_and_save()
        self.stdout.write(f"已重新训练派单模型（{n}条样本）：{path}")
