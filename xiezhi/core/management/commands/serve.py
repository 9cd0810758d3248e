"""`xiezhi serve`: gunicorn serving the WSGI app (static files through WhiteNoise) plus the scheduler."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    return int(os.environ.get("XIEZHI_WORKERS") or (os.cpu_count() or 1) + 1)


def default_threads() -> int:
    # One thread per worker (gunicorn's sync worker): requests here are CPU work plus short
    # database waits, and threads of one process queue for the interpreter lock — on 2 cores,
    # 2 workers × 4 threads served the transfer list at a similar rate to 3 workers × 1 thread but
    # with twice the 95th-percentile latency (benchmarks/transfers.py). The sync worker closes each
    # connection after its response, so new requests spread evenly over the workers; one-thread
    # gthread workers with keep-alive tied clients to a worker and widened the tail again. Behind
    # a reverse proxy, as in production, slow clients do not hold a worker.
    return int(os.environ.get("XIEZHI_THREADS") or 1)


class Command(BaseCommand):
    help = "启动平台：Web 服务与定时任务 / run the web server (gunicorn) and the in-process job scheduler"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="监听地址 / bind address")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="端口 / port")
        parser.add_argument("--workers", type=int, default=default_workers(), help="工作进程数 / workers [CPU 数 + 1]")
        parser.add_argument("--threads", type=int, default=default_threads(), help="每个工作进程的线程数 / threads per worker [1]")
        parser.add_argument("--no-scheduler", action="store_true", help="不启动定时任务 / do not run the scheduler")

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        from xiezhi.config.wsgi import application

        run_scheduler = settings.XIEZHI_SCHEDULER and not options["no_scheduler"]

        def when_ready(server: Any) -> None:
            # The scheduler lives in the gunicorn master: exactly one per server, whatever the worker count.
            if run_scheduler:
                from xiezhi.core.scheduler import start

                start()

        config = {
            "bind": f"{options['host']}:{options['port']}",
            "workers": options["workers"],
            "threads": options["threads"],
            "accesslog": "-",
            "timeout": 120,
            "when_ready": when_ready,
        }

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        self.stdout.write(f"獬豸平台已启动：http://{options['host']}:{options['port']}/")
        App().run()
