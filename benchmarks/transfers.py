"""Transfer list benchmark on PostgreSQL: 100,000 transfers, the filtered list through the API
(`GET /api/v1/transfers?...`) served by a real `xiezhi serve --no-scheduler`, 32 concurrent clients on
loopback.

    .venv/bin/python benchmarks/transfers.py [--transfers 100000] [--clients 32] [--seconds 30]
        [--workers N] [--threads N] [--keep] [--reuse] [--no-wrk]

Uses its own database (xiezhi_bench_transfers, dropped and re-created at the start; the server from
XIEZHI_BENCH_PG, default postgres://postgres@127.0.0.1:5432), starts the server on a free port, warms
it up, then runs the clients for `--seconds`. Each request picks one of the list views people use:
a county-wide dispatcher (all, by status, by urgency, searching a party, by unit, by discovery date
range), a township handler's sent box and a department liaison's received box, on pages 1–5, with
personal API tokens. Target (issue 7 §6): p95 < 150 ms. Figures are printed, never asserted.
The mix is driven twice: by 32 Python client threads (with a per-view breakdown), then, when Debian's
`wrk` is installed, by wrk with 32 connections — on a 2-core machine the Python clients take CPU
from the server they measure, wrk hardly any.
`--reuse` keeps a database left by `--keep` when it holds the same number of transfers (seeding
100,000 rows takes about a minute); the server's token cache and count cache start cold either way.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# benchmarks/calendar.py would shadow the standard library's `calendar` for a script run from here.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402
from xiezhi.core.management.commands.serve import default_threads, default_workers  # noqa: E402

NAME = "xiezhi_bench_transfers"
TOWNSHIPS, DEPARTMENTS, MATTERS = 20, 12, 200
STATES = [("accepted", 45), ("declined", 8), ("sent", 20), ("draft", 10), ("pending_approval", 5), ("withdrawn", 2),
          ("oral_recorded", 2), ("cancelled", 8)]  # fmt: skip
PARTIES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def prepare_database(server: str, name: str, *, reuse: bool = False) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not (reuse and exists):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    os.environ["XIEZHI_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")
    os.environ["XIEZHI_SCHEDULER"] = "0"
    os.environ.setdefault("XIEZHI_LOG_LEVEL", "ERROR")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def tokens_for(user: Any, n: int) -> list[str]:
    """`n` personal tokens of one account: each client uses its own, as separate people would
    (every request records its token's last use, so a shared token would be one hot row)."""
    from django.utils import timezone

    from xiezhi.accounts.models import ApiToken

    raws = [f"xz_bench_{hashlib.sha256(f'{user.username}-{i}'.encode()).hexdigest()[:24]}" for i in range(n)]
    if ApiToken.objects.filter(user=user).count() >= n:  # a reused database already has them
        return raws
    ApiToken.objects.filter(user=user).delete()
    ApiToken.objects.bulk_create(
        [ApiToken(user=user, name=f"基准测试{i}", prefix=raw[3:11], token_hash=hashlib.sha256(raw.encode()).hexdigest(),
                  scope="read", expires_at=timezone.now() + timedelta(days=1)) for i, raw in enumerate(raws)]
    )  # fmt: skip
    return raws


def seed(total: int, clients: int) -> dict[str, Any]:
    """Units, people with tokens, matters, and `total` transfers spread over two years."""
    from django.db import connection
    from django.utils import timezone

    from xiezhi.catalogue.models import Matter
    from xiezhi.testing.factories import make_county, make_person, make_unit
    from xiezhi.transfers.models import CopyNotice, Transfer
    from xiezhi.units.models import UnitKind

    rng = random.Random(20251008)
    county = make_county("基准县", "990007")
    gov = make_unit("基准县人民政府", UnitKind.COUNTY_GOVERNMENT, county)
    cc = make_unit("基准县综合行政执法指挥中心", UnitKind.COMMAND_CENTRE, county, parent=gov)
    towns = [make_unit(f"第{i}镇", UnitKind.TOWNSHIP, county, parent=gov, is_enforcement_subject=True)
             for i in range(1, TOWNSHIPS + 1)]  # fmt: skip
    depts = [make_unit(f"基准县第{i}局", UnitKind.DEPARTMENT, county, parent=gov, is_enforcement_subject=True)
             for i in range(1, DEPARTMENTS + 1)]  # fmt: skip
    matters = Matter.objects.bulk_create(
        [
            Matter(
                county=county,
                code=f"B-{i:04d}",
                name=f"对第{i}类违法行为的处罚",
                field="基准",
                department=depts[i % DEPARTMENTS],
            )
            for i in range(MATTERS)
        ]
    )
    make_person(cc, "调度员", ("dispatcher",), username="bench_dispatcher")
    make_person(towns[0], "镇承办", ("handler",), username="bench_town")
    make_person(depts[0], "局联络员", ("liaison",), username="bench_dept")

    now = timezone.now()
    parties = [f"{PARTIES[i % len(PARTIES)]}某{i}" for i in range(2000)]
    weights = [w for _, w in STATES]
    started = time.perf_counter()
    batch: list[Transfer] = []
    created = 0
    while created < total:
        n = created + len(batch)
        town, dept = rng.choice(towns), rng.choice(depts)
        sender, receiver = (town, dept) if rng.random() < 0.7 else (dept, town)
        status = rng.choices([s for s, _ in STATES], weights)[0]
        found = now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
        sent = (
            found + timedelta(hours=rng.randint(1, 96))
            if status not in ("draft", "cancelled", "pending_approval")
            else None
        )
        urgency = rng.choices(["normal", "urgent", "immediate"], [80, 15, 5])[0]
        batch.append(
            Transfer(
                county=county, sender=sender, receiver=receiver, responsible_unit=receiver if status == "accepted" else sender,
                township=town, matter=rng.choice(matters), party=rng.choice(parties), location=f"{town.name}某路{n % 300}号",
                facts="基准测试数据：当事人涉嫌违法。", legal_basis="《示例条例》", discovered_at=found, urgency=urgency,
                rule_id={"normal": "R-TR-02", "urgent": "R-TR-03", "immediate": "R-TR-04"}[urgency],
                send_due_at=found + timedelta(days=3), status=status, sent_at=sent,
                reply_due_at=sent + timedelta(days=3) if sent else None,
                replied_at=sent + timedelta(hours=rng.randint(1, 100)) if sent and status in ("accepted", "declined") else None,
                decline_reason="not_competent" if status == "declined" else "", created_by_name="基准",
                in_progress=rng.random() < 0.05,
            )
        )  # fmt: skip
        if len(batch) == 5000 or created + len(batch) == total:
            saved = Transfer.objects.bulk_create(batch)
            notices = [
                CopyNotice(transfer=t, unit=t.receiver, sent_at=t.sent_at)
                for t in saved
                if t.sent_at is not None and rng.random() < 0.5
            ]
            CopyNotice.objects.bulk_create(notices)
            created += len(batch)
            batch = []
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE transfers_transfer")
        cursor.execute("VACUUM ANALYZE transfers_copynotice")
    print(f"已生成 {total:,} 件移送（{time.perf_counter() - started:.1f} 秒）")
    return context(clients)


def context(clients: int) -> dict[str, Any]:
    """What the clients need, read back from the seeded database: tokens, unit ids, parties."""
    from xiezhi.accounts.models import User
    from xiezhi.units.models import Unit

    users = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    names = [f"第{i}镇" for i in range(1, TOWNSHIPS + 1)] + [
        f"基准县第{i}局" for i in range(1, DEPARTMENTS + 1)
    ]
    return {
        "dispatcher": tokens_for(users["bench_dispatcher"], clients),
        "town": tokens_for(users["bench_town"], clients),
        "dept": tokens_for(users["bench_dept"], clients),
        "units": list(Unit.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True)),
        "parties": [f"{PARTIES[i % len(PARTIES)]}某{i}" for i in range(50)],
    }


def seeded(total: int) -> bool:
    from django.db.utils import ProgrammingError

    from xiezhi.transfers.models import Transfer

    try:
        return Transfer.objects.count() == total
    except ProgrammingError:
        return False


def queries(ctx: dict[str, Any], rng: random.Random, n: int) -> tuple[str, str, str]:
    """(kind, token, path) of one list request of client `n`, in the mix people use."""
    if ctx.get("floor"):
        # The same sign-in and request path with almost nothing to read: what every API call costs.
        return "floor", ctx["dispatcher"][n], "/api/v1/transfers/copy-notices?page_size=1"
    page = {"page": rng.randint(1, 5), "page_size": 20}
    pick = rng.random()
    if pick < 0.2:
        return "township sent", ctx["town"][n], "/api/v1/transfers?" + urlencode({"box": "sent", **page})
    if pick < 0.4:
        query = {"box": "received", "status": rng.choice(["", "sent", "open"]), **page}
        return "department received", ctx["dept"][n], "/api/v1/transfers?" + urlencode(query)
    options: list[tuple[str, dict[str, Any]]] = [
        ("county all", {}),
        ("county status", {"status": rng.choice(["sent", "accepted", "declined", "open"])}),
        ("county urgency", {"urgency": rng.choice(["urgent", "immediate"])}),
        ("county search", {"q": rng.choice(ctx["parties"])}),
        ("county unit", {"unit": rng.choice(ctx["units"])}),
        (
            "county dates",
            {"discovered_from": "2025-01-01", "discovered_to": "2025-03-31", "status": "accepted"},
        ),
    ]
    kind, query = rng.choice(options)
    return kind, ctx["dispatcher"][n], "/api/v1/transfers?" + urlencode({**query, **page})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XIEZHI_DATABASE_URL": url, "XIEZHI_SCHEDULER": "0", "XIEZHI_LOG_LEVEL": "ERROR"}
    cmd = [str(Path(sys.executable).with_name("xiezhi")), "serve", "--no-scheduler", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--threads", str(threads)]  # fmt: skip
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


def client(
    port: int,
    ctx: dict[str, Any],
    seed_: int,
    stop: threading.Event,
    out: list[tuple[str, float]],
    errors: list[str],
) -> None:
    rng = random.Random(seed_)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        kind, token, path = queries(ctx, rng, seed_)
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.perf_counter() - t0
        if response.status != 200:
            errors.append(f"{path}: HTTP {response.status} {body[:200]!r}")
            continue
        if not stop.is_set():
            out.append((kind, elapsed))
    conn.close()


def run(
    port: int, ctx: dict[str, Any], clients: int, seconds: float
) -> tuple[list[tuple[str, float]], list[str], float]:
    stop = threading.Event()
    samples: list[list[tuple[str, float]]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=client, args=(port, ctx, i, stop, samples[i], errors)) for i in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return [s for per in samples for s in per], errors, time.perf_counter() - started


WRK_SCRIPT = """
local requests = {}
%s
local n = #requests
math.randomseed(os.time())
request = function()
  local r = requests[math.random(1, n)]
  return wrk.format("GET", r[1], {["Authorization"] = "Bearer " .. r[2]})
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests": %%d, "seconds": %%.3f, "errors": %%d, "p50_ms": %%.1f, "p95_ms": %%.1f, "p99_ms": %%.1f}\\n',
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(port: int, ctx: dict[str, Any], clients: int, seconds: float) -> dict[str, Any]:
    """The same request mix driven by wrk (C, epoll): 32 connections cost the 2 shared CPUs far less
    than 32 Python client threads, so the figure is the server's, not the load generator's."""
    import tempfile

    rng = random.Random(7)
    lines = []
    for i in range(4000):
        _, token, path = queries(ctx, rng, i % clients)
        lines.append(f"requests[{i + 1}] = {{{json.dumps(path)}, {json.dumps(token)}}}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % "\n".join(lines))
    try:
        threads = min(clients, max(1, (os.cpu_count() or 2) // 2))
        done = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{clients}", f"-d{int(seconds)}s", "-s", script.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK "))
    result: dict[str, Any] = json.loads(line[4:])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc; 0 where unreadable)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def server_pids(proc: subprocess.Popen[bytes], database: str) -> tuple[list[int], list[int]]:
    """The gunicorn workers, and the PostgreSQL backends serving them."""
    from django.db import connection

    try:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    except OSError:
        children = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        )
        backends = [int(r[0]) for r in cursor.fetchall()]
    connection.close()
    return [int(c) for c in children], backends


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=default_workers(), help="as xiezhi serve [CPUs + 1]")
    parser.add_argument("--threads", type=int, default=default_threads(), help="as xiezhi serve [1]")
    parser.add_argument(
        "--reuse", action="store_true", help="沿用 --keep 留下的数据库 / reuse a kept database"
    )
    parser.add_argument(
        "--floor-seconds", type=float, default=10.0, help="空接口基线时长 / seconds of the baseline run"
    )
    parser.add_argument("--database", default=NAME)
    parser.add_argument("--keep", action="store_true", help="保留基准数据库 / keep the database afterwards")
    parser.add_argument(
        "--no-wrk", action="store_true", help="不另用 wrk 测量（Debian 包 wrk）/ skip the wrk measurement"
    )
    args = parser.parse_args()
    server = os.environ.get("XIEZHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    url = prepare_database(server, args.database, reuse=args.reuse)
    if args.reuse and seeded(args.transfers):
        print(f"沿用已有的 {args.transfers:,} 件移送")
        ctx = context(args.clients)
    else:
        if args.reuse:
            from django.db import connection as db

            db.close()
            prepare_database(server, args.database)
        ctx = seed(args.transfers, args.clients)
    from django.db import connection

    connection.close()
    port = free_port()
    proc = start_server(url, port, args.workers, args.threads)
    try:
        print(describe())
        print(
            f"服务：xiezhi serve --no-scheduler，端口 {port}，{args.workers} 个工作进程 × {args.threads} 个线程；"
            f"CPU {os.cpu_count()} 个；负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        run(port, ctx, min(args.clients, 8), 3.0)  # warm-up: connections, caches
        # CPU spent per request by the server and its database sessions: on a shared machine a
        # steadier figure than the latencies, which depend on what else is running.
        workers, backends = server_pids(proc, args.database)
        cpu0 = cpu_seconds(workers), cpu_seconds(backends)
        latencies, errors, elapsed = run(port, ctx, args.clients, args.seconds)
        # Threads that opened their database session during the run count from zero.
        backends = sorted(set(backends) | set(server_pids(proc, args.database)[1]))
        cpu1 = cpu_seconds(workers), cpu_seconds(backends)
        floor: list[float] = []
        floor_elapsed = 0.0
        if args.floor_seconds > 0:
            base, _, floor_elapsed = run(port, {**ctx, "floor": True}, args.clients, args.floor_seconds)
            floor = [x * 1000 for _, x in base]
        wrk: dict[str, Any] | None = None
        wrk_floor: dict[str, Any] | None = None
        if not args.no_wrk and shutil.which("wrk"):
            wrk = run_wrk(port, ctx, args.clients, args.seconds)
            if args.floor_seconds > 0:
                wrk_floor = run_wrk(port, {**ctx, "floor": True}, args.clients, args.floor_seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if errors:
        print(f"错误 {len(errors)} 次，例如：{errors[0]}")
    if not latencies:
        raise SystemExit("没有成功的请求")
    ms = [x * 1000 for _, x in latencies]
    kinds: dict[str, list[float]] = {}
    for kind, x in latencies:
        kinds.setdefault(kind, []).append(x * 1000)
    for kind, values in sorted(kinds.items()):
        print(
            f"  {kind:<20} {len(values):>6} 次  p50 {statistics.median(values):7.1f} 毫秒  p95 {pct(values, 0.95):7.1f} 毫秒"
        )
    print(
        json.dumps(
            {
                "transfers": args.transfers,
                "clients": args.clients,
                "requests": len(ms),
                "rps": round(len(ms) / elapsed, 1),
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(pct(ms, 0.95), 1),
                "p99_ms": round(pct(ms, 0.99), 1),
            },
            ensure_ascii=False,
        )
    )
    n = max(len(ms), 1)
    print(f"服务端每次请求 CPU：应用 {(cpu1[0] - cpu0[0]) * 1000 / n:.1f} 毫秒，数据库 {(cpu1[1] - cpu0[1]) * 1000 / n:.1f} 毫秒"
          f"（{len(workers)} 个工作进程，{len(backends)} 个数据库会话）；负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print(f"列表接口：p50 {statistics.median(ms):.1f} 毫秒，p95 {pct(ms, 0.95):.1f} 毫秒（目标 < 150 毫秒），"
          f"{len(ms) / elapsed:.1f} 次/秒，{args.clients} 个并发客户端")  # fmt: skip
    if floor:
        print(f"基线（同样的令牌认证，几乎为空的列表 /api/v1/transfers/copy-notices）：p50 {statistics.median(floor):.1f} 毫秒，"
              f"p95 {pct(floor, 0.95):.1f} 毫秒，{len(floor) / floor_elapsed:.1f} 次/秒")  # fmt: skip
    if wrk is not None:
        print(f"同一组请求改由 wrk 发出（C 语言负载工具，{args.clients} 个并发连接）：p50 {wrk['p50_ms']:.1f} 毫秒，"
              f"p95 {wrk['p95_ms']:.1f} 毫秒（目标 < 150 毫秒），p99 {wrk['p99_ms']:.1f} 毫秒，{wrk['rps']:.1f} 次/秒，"
              f"错误 {wrk['errors']} 次")  # fmt: skip
        print(json.dumps({"load_generator": "wrk", **wrk}, ensure_ascii=False))
    if wrk_floor is not None:
        print(f"wrk 基线（几乎为空的列表）：p50 {wrk_floor['p50_ms']:.1f} 毫秒，p95 {wrk_floor['p95_ms']:.1f} 毫秒，"
              f"{wrk_floor['rps']:.1f} 次/秒")  # fmt: skip
    if not args.keep:
        import psycopg

        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
