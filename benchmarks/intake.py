"""12345 work-order throughput on PostgreSQL: signed `POST /api/v1/intake/work-orders` through a real
`xiezhi serve --no-scheduler` with 4 workers, `--clients` concurrent senders on loopback.

    .venv/bin/python benchmarks/intake.py [--clients 16] [--seconds 20] [--workers 4] [--keep]

Uses its own database (xiezhi_bench_intake, dropped and re-created; the server from XIEZHI_BENCH_PG,
default postgres://postgres@127.0.0.1:5432). Every request is freshly signed (HMAC-SHA256, new nonce,
new Idempotency-Key) and registers one report with its CP-INTAKE-ACCEPT obligation and audit event.
For the dispatch figures run `xiezhi dispatch eval xiezhi/rulebook/dispatch/data/dispatch_dev.csv`.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

NAME = "xiezhi_bench_intake"
SECRET = "bench-secret"
TEXTS = [
    "菜市场门口占道经营，堵塞交通",
    "夜间工地施工噪音扰民",
    "河道边有人倾倒建筑垃圾",
    "小区门口烧烤摊油烟大",
]


def prepare_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    os.environ["XIEZHI_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")
    os.environ["XIEZHI_SCHEDULER"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def seed() -> list[str]:
    from xiezhi.intake.models import HotlineClient
    from xiezhi.units.models import County, Unit, UnitKind

    county = County.objects.create(code="339998", name="基准县")
    towns = [
        Unit.objects.create(county=county, code=f"BT{i:02d}", name=f"基准镇{i}", kind=UnitKind.TOWNSHIP)
        for i in range(10)
    ]
    HotlineClient.objects.create(county=county, key_id="bench", name="12345基准", secret=SECRET)
    return [t.code for t in towns]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XIEZHI_DATABASE_URL": url, "XIEZHI_SCHEDULER": "0", "XIEZHI_LOG_LEVEL": "ERROR"}
    cmd = [str(Path(sys.executable).with_name("xiezhi")), "serve", "--no-scheduler", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"服务启动失败：{proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("服务60秒内未就绪")


def sender(
    port: int, towns: list[str], n: int, stop: threading.Event, out: list[float], errors: list[str]
) -> None:
    from xiezhi.intake.signing import sign

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    i = 0
    while not stop.is_set():
        i += 1
        body = json.dumps(
            {
                "order_no": f"B{n}-{i}",
                "text": TEXTS[i % len(TEXTS)],
                "township": towns[(n + i) % len(towns)],
                "anonymous": True,
            },
            ensure_ascii=False,
        ).encode()
        stamp, nonce = str(int(time.time())), secrets.token_hex(12)
        headers = {"Content-Type": "application/json", "X-Client-Id": "bench", "X-Timestamp": stamp, "X-Nonce": nonce,
                   "X-Signature": sign(SECRET, stamp, nonce, body), "Idempotency-Key": f"k{n}-{i}"}  # fmt: skip
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/intake/work-orders", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(str(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status != 201:
            errors.append(f"HTTP {response.status} {payload[:200]!r}")
        elif not stop.is_set():
            out.append(time.perf_counter() - t0)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    server = os.environ.get("XIEZHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    url = prepare_database(server, NAME)
    towns = seed()
    port = free_port()
    proc = start_server(url, port, args.workers)
    try:
        stop = threading.Event()
        samples: list[list[float]] = [[] for _ in range(args.clients)]
        errors: list[str] = []
        threads = [
            threading.Thread(target=sender, args=(port, towns, i, stop, samples[i], errors))
            for i in range(args.clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(args.seconds)
        stop.set()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        done = sorted(s for per in samples for s in per)
        if not done:
            raise SystemExit(f"没有成功的请求：{errors[:3]}")
        p = lambda q: done[min(len(done) - 1, int(q * len(done)))] * 1000  # noqa: E731
        print(
            f"服务：xiezhi serve --no-scheduler，{args.workers} 个工作进程；{args.clients} 个并发客户端；CPU {os.cpu_count()} 个"
        )
        print(f"签名工单：{len(done)} 条 / {elapsed:.1f} 秒 = {len(done) / elapsed:.1f} 条/秒")
        print(f"延迟：p50 {p(0.5):.1f} ms，p95 {p(0.95):.1f} ms，p99 {p(0.99):.1f} ms；错误 {len(errors)}")
        if errors:
            print("错误示例：", errors[:3])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if not args.keep:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
