"""Audit trail benchmark on PostgreSQL: appends per second with concurrent writers, and the time
`verify-audit` takes over a million events.

    .venv/bin/python benchmarks/audit.py [--writers 8] [--seconds 10] [--events 1000000]

Uses its own database (xiezhi_bench_audit by default, dropped and re-created at the start; the
server from XIEZHI_BENCH_PG, default postgres://postgres@127.0.0.1:5432). Targets (issue 3 §10):
≥ 2,000 appends/s with 8 writers, verification of 1,000,000 events in < 30 s. Figures are
printed, never asserted.

Since ADR 0002 an append is the business transaction's INSERT of the event and its queue entry;
each writer's after-commit hook then tries to chain (one chainer at a time, batches). The figure
counts committed appends per second; the chain's lag at the end (events still queued when the
writers stop, and how long the chainer takes to link them) is printed beside it. BENCH_NO_HOOK=1
(measurement only) keeps the writers from chaining, to show what the INSERT alone costs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import threading
import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe  # noqa: E402


def prepare_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["XIEZHI_DATABASE_URL"] = f"{server}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")
    os.environ["XIEZHI_SCHEDULER"] = "0"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _write_until(n: int, stop: Any, barrier: Any, synchronous_commit: str, in_transaction: bool) -> int:
    """One writer: append events until told to stop, each an event of its own (one statement) or,
    with `in_transaction`, each inside a business transaction of its own (BEGIN, INSERT, COMMIT)."""
    from django.db import connection, transaction

    from xiezhi.audit import services
    from xiezhi.audit.services import record

    if os.environ.get("BENCH_NO_HOOK"):  # measurement only: writers never chain, the main process does
        services.chain_after_commit = lambda: None  # type: ignore[assignment]
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET synchronous_commit = {synchronous_commit}")
        barrier.wait()
        i = 0
        while not stop.is_set():
            with transaction.atomic() if in_transaction else nullcontext():
                record(
                    None,
                    "bench.append",
                    ("bench.case", f"{n}-{i}", f"案件{n}-{i}"),
                    before={"status": "registered"},
                    after={"status": "accepted", "handler": "张三"},
                    reason="基准测试",
                    actor_name=f"基准写入者{n}",
                    ip="127.0.0.1",
                )
            i += 1
        return i
    finally:
        connection.close()


def appends(
    writers: int, seconds: float, synchronous_commit: str = "on", mode: str = "process", in_transaction: bool = False
) -> tuple[int, float]:
    """`writers` concurrent writers for `seconds`. Processes by default, as under gunicorn: threads
    of one process would also queue on Python's GIL for the work done outside the chain lock.
    With synchronous_commit off, a commit does not wait for the WAL flush: that isolates the cost
    of the design from the disk's fsync latency."""
    from django.db import connections

    if mode == "thread":
        ctx: Any = threading
        results: list[int] = []
        barrier, stop = threading.Barrier(writers + 1), threading.Event()

        def run(n: int) -> None:
            results.append(_write_until(n, stop, barrier, synchronous_commit, in_transaction))

        workers = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    else:
        ctx = multiprocessing.get_context("fork")
        connections.close_all()  # never share a socket with the children
        queue = ctx.Queue()
        barrier, stop = ctx.Barrier(writers + 1), ctx.Event()

        def run_in_child(n: int) -> None:
            queue.put(_write_until(n, stop, barrier, synchronous_commit, in_transaction))

        workers = [ctx.Process(target=run_in_child, args=(n,)) for n in range(writers)]
    for w in workers:
        w.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    total = sum(queue.get(timeout=60) for _ in workers) if mode != "thread" else 0
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    if mode == "thread":
        if len(results) != writers:
            raise RuntimeError("a writer failed")
        total = sum(results)
    elif any(getattr(w, "exitcode", 0) for w in workers):
        raise RuntimeError("a writer process failed")
    return total, elapsed


def drain() -> tuple[int, float]:
    """Events still queued when the writers stopped, and the seconds the chainer takes to link them."""
    from xiezhi.audit.chain import chain_pending, pending_count

    queued, started = pending_count(), time.perf_counter()
    chain_pending()
    return queued, time.perf_counter() - started


def commit_latency(n: int = 50) -> float:
    """Seconds per durable write commit on this server: one writer's floor per append."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_tick_durable (n int)")
    started = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_tick_durable VALUES (%s)", [i])
    return (time.perf_counter() - started) / n


def bulk_events(total: int) -> float:
    """Append `total` events with correct content hashes and their links straight through COPY,
    continuing the chain (what the chainer would have written)."""
    from django.conf import settings
    from django.db import connection, transaction

    from xiezhi.audit.hashing import HASHED_FIELDS, content_hash, fields_from_row, link_hash
    from xiezhi.audit.models import AuditChainHead

    started = time.perf_counter()
    algorithm = settings.XIEZHI_AUDIT_HASH
    columns = ("id", *HASHED_FIELDS, "content_hash")
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        seq, prev = head.last_seq, head.last_hash
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM audit_auditevent")
            event_id = cursor.fetchone()[0]
        moment = datetime(2024, 1, 1, tzinfo=UTC)
        raw = connection.connection
        assert raw is not None
        links: list[tuple[int, int, str, str]] = []
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY audit_auditevent ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for i in range(total):
                seq += 1
                event_id += 1
                moment += timedelta(microseconds=37_013)
                ok = i % 17 != 0
                row: list[Any] = [
                    moment,
                    1000 + i % 50,
                    f"测试人员{i % 50}",
                    10 + i % 30,
                    f"示例单位{i % 30}",
                    "10.1.2.3",
                    "case.transition" if ok else "account.login",
                    "cases.case",
                    str(i),
                    f"案件{i}",
                    ok,
                    "" if ok else "用户名或密码错误",
                    {"status": "registered"},
                    {"status": "accepted", "n": i},
                    algorithm,
                ]
                content = content_hash(fields_from_row(row), algorithm)
                copy.write_row(
                    [
                        event_id,
                        *row[:12],
                        json.dumps(row[12], ensure_ascii=False),
                        json.dumps(row[13], ensure_ascii=False),
                        algorithm,
                        content,
                    ]
                )
                digest = link_hash(prev, seq, event_id, content, algorithm)
                links.append((seq, event_id, prev, digest))
                prev = digest
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY audit_auditchainlink (seq, event_id, prev_hash, hash) FROM STDIN") as copy,
        ):
            for link in links:
                copy.write_row(link)
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('audit_auditevent_id_seq', %s)", [event_id])
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)
    with connection.cursor() as cursor:  # autocommit again: VACUUM cannot run in a transaction
        cursor.execute("VACUUM ANALYZE audit_auditevent")
        cursor.execute("VACUUM ANALYZE audit_auditchainlink")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--database", default="xiezhi_bench_audit")
    parser.add_argument(
        "--mode", choices=["process", "thread"], default="process", help="writers as processes or threads"
    )
    args = parser.parse_args()
    server = os.environ.get("XIEZHI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    prepare_database(server, args.database)

    from django.core.management import call_command
    from django.db import connection

    from xiezhi.audit.verify import verify_chain

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        print(f"PostgreSQL: {cursor.fetchone()[0].split(',')[0]}; CPUs: {os.cpu_count()}")
        cursor.execute("SHOW synchronous_commit")
        print(f"synchronous_commit = {cursor.fetchone()[0]}")

    print(describe())
    print(f"一次写事务提交（含 WAL 刷盘）：{commit_latency() * 1000:.2f} 毫秒")
    kind = "进程" if args.mode == "process" else "线程"
    for mode in ("on", "off"):
        one, one_s = appends(1, min(args.seconds, 5.0), mode, args.mode)
        print(f"[synchronous_commit={mode}] 1 个写入者：{one / one_s:,.0f} 条/秒（{one} 条，{one_s:.1f} 秒）")
        for in_transaction in (False, True):
            many, many_s = appends(args.writers, args.seconds, mode, args.mode, in_transaction)
            rate = many / many_s
            queued, lag = drain()
            what = "每条在一个业务事务内（BEGIN、INSERT、COMMIT）" if in_transaction else "每条自成事务（一条语句）"
            print(
                f"[synchronous_commit={mode}] {args.writers} 个并发写入{kind}，{what}：{rate:,.0f} 条/秒"
                f"（{many} 条，{many_s:.1f} 秒）——目标 ≥ 2,000 条/秒：{'达到' if rate >= 2000 else '未达到'}；"
                f"停止时待入链 {queued} 条，补链用时 {lag:.2f} 秒"
            )
    check = verify_chain()
    print(f"并发写入后的链：{check.message()}")

    generated = bulk_events(args.events - check.count if args.events > check.count else 0)
    print(f"批量生成事件（COPY，Python 计算摘要）：{generated:.1f} 秒")

    started, cpu = time.perf_counter(), time.process_time()
    result = verify_chain()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"verify-audit 校验 {result.count:,} 条事件：{seconds:.1f} 秒（{result.count / seconds:,.0f} 条/秒；"
        f"本进程 CPU {cpu:.1f} 秒）——目标 < 30 秒：{'达到' if seconds < 30 else '未达到'}；{result.message()}"
    )
    started = time.perf_counter()
    try:
        call_command("verify-audit")
    except SystemExit as exc:
        print(f"verify-audit 退出码 {exc.code}")
    print(f"xiezhi verify-audit 命令用时：{time.perf_counter() - started:.1f} 秒")


if __name__ == "__main__":
    main()
