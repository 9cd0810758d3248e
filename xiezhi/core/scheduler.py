"""The in-process job scheduler used under `xiezhi serve` (cron or a timer does this in production).

Jobs are management commands that claim their rows with conditional UPDATEs, so running one twice, or
in two processes at once, is harmless.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from django.core.management import call_command

log = logging.getLogger(__name__)

# (command, seconds between runs)
# audit-chain links committed audit events (ADR 0002); hazard_sweep reports overdue hazard dispatches
# to the county government (R-CO-02).
JOBS: list[tuple[str, int]] = [
    ("audit-chain", 5),
    ("sweep", 60),
    ("deliver", 60),
    ("hotline_callbacks", 60),
    ("hazard_sweep", 60),
    ("dispatch_retrain", 3600),
]


def _run(command: str) -> None:
    try:
        call_command(command, verbosity=0)
    except Exception:  # a failing job must not kill the scheduler; it is logged and retried next tick
        log.exception("scheduled job %s failed", command)


def start() -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    for command, seconds in JOBS:
        scheduler.add_job(_run, "interval", seconds=seconds, args=[command], id=command, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
