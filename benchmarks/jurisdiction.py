"""Benchmark of the jurisdiction resolver and the catalogue import: ``.venv/bin/python benchmarks/jurisdiction.py``.

Builds a synthetic county — 5,000 matters × 20 townships × 3 published versions (300,000
devolutions, some entrusted with letters) — in a scratch database, then prints:

- ``resolve`` through the Django service (`xiezhi.catalogue.services.resolve`, cached snapshot,
  one stamp query per call): p50/p95/p99 wall-clock and CPU time over 20,000 random (matter,
  township, date) calls, with the township passed as a Unit and as a code, and with the stamp check
  relaxed to once a second (XIEZHI_CATALOGUE_STAMP_TTL=1); the cold build after a publication;
- exporting the latest version to xlsx and importing that 5,000-row file into a new draft
  (read + validate + write, all or nothing).

Targets (issue 5 §9): resolve p95 ≤ 1 ms; import < 10 s. Figures are printed, never asserted.
The database is XIEZHI_DATABASE_URL if set, else a scratch SQLite file under /tmp (deleted first).
"""

from __future__ import annotations

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRATCH = os.path.join(tempfile.gettempdir(), "xiezhi-bench-jurisdiction.sqlite3")
if "XIEZHI_DATABASE_URL" not in os.environ:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(SCRATCH + suffix):
            os.remove(SCRATCH + suffix)
    os.environ["XIEZHI_DATABASE_URL"] = f"sqlite:///{SCRATCH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezhi.config.settings")

import django  # noqa: E402

django.setup()

import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from xiezhi.catalogue import services, snapshot, versions  # noqa: E402
from xiezhi.catalogue.models import (  # noqa: E402
    CatalogueVersion,
    Devolution,
    Entrustment,
    Matter,
    VersionMatter,
)
from xiezhi.catalogue.spreadsheets import apply_plan, export_xlsx, plan_import, read_file  # noqa: E402
from xiezhi.units.models import County, Unit, UnitKind  # noqa: E402

MATTERS, TOWNSHIPS, DEPARTMENTS = 5_000, 20, 10
STARTS = (date(2023, 1, 1), date(2024, 1, 1), date(2025, 1, 1))
CALLS = 20_000
rng = random.Random(20250601)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build() -> tuple[County, list[Unit], list[Matter]]:
    county = County.objects.create(code="BENCH1", name="基准县")
    gov = Unit.objects.create(
        county=county, code="B-GOV", name="基准县人民政府", kind=UnitKind.COUNTY_GOVERNMENT
    )
    towns = Unit.objects.bulk_create([
        Unit(county=county, code=f"B-T{i:02d}", name=f"第{i}镇", kind=UnitKind.TOWNSHIP, parent=gov,
             is_enforcement_subject=True, subject_legal_basis="省政府决定")
        for i in range(1, TOWNSHIPS + 1)
    ])  # fmt: skip
    depts = Unit.objects.bulk_create([
        Unit(county=county, code=f"B-D{i:02d}", name=f"基准县第{i}局", kind=UnitKind.DEPARTMENT, parent=gov,
             is_enforcement_subject=True, subject_legal_basis="三定方案")
        for i in range(1, DEPARTMENTS + 1)
    ])  # fmt: skip
    matters = Matter.objects.bulk_create(
        [
            Matter(
                county=county,
                code=f"BM-{i:05d}",
                name=f"对第{i}类违法行为的处罚",
                field=f"领域{i % 19}",
                department=depts[i % DEPARTMENTS],
                legal_basis_violation=f"《示例条例》第{i % 97 + 1}条",
                legal_basis_penalty=f"《示例条例》第{i % 89 + 100}条",
                penalty="警告、罚款",
                min_fine=100,
                max_fine=5000 + i,
                major_category="none",
            )
            for i in range(MATTERS)
        ],
        batch_size=1000,
    )
    return county, towns, matters


def letters(county: County, towns: list[Unit], matters: list[Matter]) -> dict[tuple[int, int], Entrustment]:
    """One letter per (department, township) covering the department's matters."""
    by_dept: dict[int, list[Matter]] = {}
    for m in matters:
        by_dept.setdefault(m.department_id, []).append(m)
    out: dict[tuple[int, int], Entrustment] = {}
    through = Entrustment.matters.through
    links = []
    for dept_id, owned in by_dept.items():
        for t in towns:
            e = Entrustment.objects.create(
                county=county, number=f"BW-{dept_id}-{t.pk}", department_id=dept_id, township=t, authority="检查、处罚",
                valid_from=date(2022, 1, 1), valid_to=date(2030, 12, 31), responsibility="委托机关负责",
            )  # fmt: skip
            out[(dept_id, t.pk)] = e
            links += [through(entrustment_id=e.pk, matter_id=m.pk) for m in owned]
    through.objects.bulk_create(links, batch_size=5000)
    return out


def make_version(county: County, number: int, start: date, towns: list[Unit], matters: list[Matter],
                 by_letter: dict[tuple[int, int], Entrustment]) -> CatalogueVersion:  # fmt: skip
    version = CatalogueVersion.objects.create(
        county=county, number=number, effective_from=start, decision_document="基准"
    )
    VersionMatter.objects.bulk_create(
        [VersionMatter(version=version, matter=m, **m.content()) for m in matters], batch_size=2000
    )
    rows = []
    for m in matters:
        for t in towns:
            r = rng.random()
            mode = "granted" if r < 0.4 else "entrusted" if r < 0.55 else "retained"
            letter = by_letter[(m.department_id, t.pk)] if mode == "entrusted" else None
            rows.append(Devolution(version=version, matter=m, township=t, mode=mode, entrustment=letter))
    Devolution.objects.bulk_create(rows, batch_size=5000)
    return version


def timed_resolves(
    towns: list[Unit], matters: list[Matter], *, by_code: bool
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per call (CPU time is immune to other processes on a busy machine)."""
    lo, hi = STARTS[0].toordinal(), (STARTS[-1] + timedelta(days=700)).toordinal()
    wall, cpu = [], []
    for _ in range(CALLS):
        m = matters[rng.randrange(len(matters))].code
        t = towns[rng.randrange(len(towns))]
        d = date.fromordinal(rng.randint(lo, hi))
        started, started_cpu = time.perf_counter(), time.process_time()
        services.resolve(m, t.code if by_code else t, d)
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return wall, cpu


def report(label: str, samples: tuple[list[float], list[float]]) -> None:
    for kind, values in zip(("wall", "cpu"), samples, strict=True):
        ms = [s * 1e3 for s in values]
        print(
            f"{label} [{kind}]: p50 {pct(ms, 0.5):.3f} ms · p95 {pct(ms, 0.95):.3f} ms · "
            f"p99 {pct(ms, 0.99):.3f} ms · mean {statistics.fmean(ms):.3f} ms ({len(ms):,} calls)"
        )


def main() -> None:
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")  # fmt: skip
    call_command("migrate", verbosity=0)
    if County.objects.filter(code="BENCH1").exists():
        sys.exit(
            "the database already holds a benchmark county: point XIEZHI_DATABASE_URL at an empty scratch database"
        )
    started = time.perf_counter()
    with transaction.atomic():
        county, towns, matters = build()
        by_letter = letters(county, towns, matters)
        made = [make_version(county, n + 1, s, towns, matters, by_letter) for n, s in enumerate(STARTS)]
    print(f"setup: {MATTERS:,} matters × {TOWNSHIPS} townships × {len(STARTS)} versions "
          f"({Devolution.objects.count():,} devolutions) in {time.perf_counter() - started:.1f} s")  # fmt: skip

    for version in made[:2]:
        t0 = time.perf_counter()
        versions.publish(None, version, check_retroactive=False)
        print(
            f"publish v{version.number} (validate {MATTERS * TOWNSHIPS:,} devolutions, notify): {time.perf_counter() - t0:.1f} s"
        )

    snapshot.clear_cache()
    t0 = time.perf_counter()
    services.resolve(matters[0].code, towns[0], STARTS[1])
    print(f"cold snapshot build (2 versions): {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    versions.publish(None, made[2], check_retroactive=False)
    print(f"publish v3: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    services.resolve(matters[0].code, towns[0], STARTS[2])
    print(
        f"first resolve after publishing v3 (stamp changed → rebuild, 3 versions): {time.perf_counter() - t0:.2f} s"
    )
    t0 = time.perf_counter()
    for _ in range(1000):
        snapshot.current_stamp(county.pk)
    print(f"stamp check alone: {(time.perf_counter() - t0):.3f} ms per call (1,000 calls)")

    report("resolve (township as Unit)", timed_resolves(towns, matters, by_code=False))
    report("resolve (township as code, cached lookup)", timed_resolves(towns, matters, by_code=True))
    settings.XIEZHI_CATALOGUE_STAMP_TTL = 1.0
    report(
        "resolve (township as Unit, XIEZHI_CATALOGUE_STAMP_TTL=1)",
        timed_resolves(towns, matters, by_code=False),
    )
    settings.XIEZHI_CATALOGUE_STAMP_TTL = 0

    t0 = time.perf_counter()
    payload = export_xlsx(made[2])
    print(f"export v3 to xlsx: {time.perf_counter() - t0:.1f} s ({len(payload) / 1e6:.1f} MB)")
    t0, c0 = time.perf_counter(), time.process_time()
    sheet = read_file("bench.xlsx", payload)
    t1 = time.perf_counter()
    plan = plan_import(sheet, county, date(2026, 1, 1))
    t2 = time.perf_counter()
    assert not plan.errors, plan.errors[:3]
    result = apply_plan(plan, county, actor=None, target=None, effective_from=date(2026, 1, 1),
                        file_name="bench.xlsx", file_sha256="-")  # fmt: skip
    t3, c3 = time.perf_counter(), time.process_time()
    print(
        f"import {len(plan.rows):,}-row xlsx: {t3 - t0:.1f} s wall, {c3 - c0:.1f} s CPU (read {t1 - t0:.1f} s, "
        f"validate {t2 - t1:.1f} s, write {t3 - t2:.1f} s: {result.devolutions:,} devolutions)"
    )
    change = versions.compare(made[2], result.version)
    print(f"round trip v3 → xlsx → new draft: {'no differences' if change.is_empty else 'DIFFERENCES FOUND'}")


if __name__ == "__main__":
    main()
