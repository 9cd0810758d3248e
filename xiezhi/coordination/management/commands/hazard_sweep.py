"""`xiezhi hazard_sweep`: report to the county government every hazard notice whose department let
the dispatch duty go overdue (R-CO-02). Run after `xiezhi sweep`, which marks duties overdue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from xiezhi.coordination.assistance.hazards import report_overdue


class Command(BaseCommand):
    help = "隐患通报巡检：主管部门超时未派员的，自动报告县政府（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        count = report_overdue()
        if options["verbosity"] >= 1:
            self.stdout.write(f"报告县政府 {count} 件")
