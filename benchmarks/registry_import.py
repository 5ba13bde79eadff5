"""Benchmark: import of 100,000 enterprise rows from Excel, beside a plain bulk insert of the same
rows (the floor). The ratio import / floor is the figure to drive down.

    .venv/bin/python -m benchmarks.registry_import            # SQLite, 100,000 rows
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m benchmarks.registry_import
    .venv/bin/python -m benchmarks.registry_import --rows 20000

Each run works in a fresh database made by Django's test-database machinery (a file under
var/bench/ for SQLite, test_<name> on PostgreSQL), so the project's own data is never touched.
The generated workbook is cached under var/bench/ because writing it with openpyxl takes longer
than importing it. Peak memory is the process's maximum resident size, which also counts what the
Rust reader holds; tracemalloc would see only Python's share (and slow everything down)."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import sys
import time
from pathlib import Path

DEFAULT_ROWS = 100_000


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hazardloop.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def _rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bench_dir() -> Path:
    from django.conf import settings

    path = Path(settings.BASE_DIR) / "var" / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


TOWNSHIPS = (("410506100", "龙泉镇"), ("410506101", "马投涧镇"), ("410506001", "田村街道"))
INDUSTRIES = ("0610", "34", "2614", "171", "3011", "5162", "13", "3120")


def row_values(i: int) -> dict:
    """Row i of the benchmark file, by field key: varied the way a real district list varies."""
    from hazardloop.registry import rules

    code = rules.make_uscc("9", "1", "410506", f"MB{i:06d}")
    township_code, township_name = TOWNSHIPS[i % len(TOWNSHIPS)]
    return {
        "name": f"安阳市龙安区第{i:06d}号企业有限公司",
        "credit_code": code,
        "township": township_name if i % 2 else township_code,
        "industry": INDUSTRIES[i % len(INDUSTRIES)],
        "employees": (i * 37) % 1500,
        "revenue_10k": (i * 53) % 50000,
        "hazchem_licence": "是" if i % 17 == 0 else "否",
        "dust_explosion": "是" if i % 11 == 0 else "否",
        "ammonia_refrigeration": "否",
        "confined_space": "是" if i % 5 == 0 else "否",
        "molten_metal": "否",
        "high_risk_override": None,
        "status": "在营",
        "address": f"安阳市龙安区文明大道{i % 900 + 1}号",
        "longitude": round(114.2 + (i % 1000) / 10000, 6),
        "latitude": round(36.0 + (i % 700) / 10000, 6),
        "legal_representative": "张三",
        "principal": "李四",
        "safety_contact": "王五",
        "safety_contact_phone": f"138{i:08d}",
        "established": dt.date(2000 + i % 24, i % 12 + 1, i % 28 + 1),
    }


def workbook_path(rows: int) -> Path:
    """The benchmark file, written once and reused."""
    from openpyxl import Workbook

    from hazardloop.registry import imports

    path = _bench_dir() / f"registry_import_{rows}.xlsx"
    if path.exists():
        return path
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名录")
    sheet.append([spec.label for spec in imports.ENTERPRISE_COLUMNS])
    keys = [spec.key for spec in imports.ENTERPRISE_COLUMNS]
    for i in range(rows):
        values = row_values(i)
        sheet.append([values[key] for key in keys])
    partial = path.with_suffix(".part")
    workbook.save(partial)
    partial.rename(path)
    print(f"  generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def floor_rows(rows: int) -> list[tuple]:
    """The same rows as the service would write them (ENTERPRISE_FIELDS order), made without
    Excel: what a plain insert starts from."""
    from hazardloop.registry import imports, services
    from hazardloop.registry.models import Industry, Region

    townships = {t.code: t for t in Region.objects.filter(level="township")}
    by_name = {t.name: t for t in townships.values()}
    industries = {i.code: i for i in Industry.objects.all()}
    flags = ("hazchem_licence", "dust_explosion", "ammonia_refrigeration", "confined_space", "molten_metal")
    out = []
    for i in range(rows):
        v = row_values(i)
        township = townships.get(v["township"]) or by_name[v["township"]]
        industry = industries[v["industry"]]
        bools = {key: v[key] == "是" for key in flags}
        data = services.EnterpriseData(
            name=v["name"],
            credit_code=v["credit_code"],
            township=township,
            industry=industry,
            employees=v["employees"],
            revenue_10k=v["revenue_10k"],
            **bools,
        )
        derived = data.derived()
        values = {
            **v,
            **bools,
            "township_id": township.pk,
            "industry_id": industry.pk,
            "size": derived["size"],
            "high_risk": derived["high_risk"],
            "status": "active",
        }
        out.append(tuple(values[f] for f in imports.ENTERPRISE_FIELDS))
    return out


def bulk_insert(rows: list[tuple]) -> None:
    """The floor: bulk_create of ready-made rows in one transaction, batched as the import is."""
    from django.db import transaction

    from hazardloop.registry import imports, services
    from hazardloop.registry.models import Enterprise

    fields = imports.ENTERPRISE_FIELDS
    with transaction.atomic():
        for start in range(0, len(rows), services.WRITE_BATCH):
            batch = rows[start : start + services.WRITE_BATCH]
            Enterprise.objects.bulk_create(
                [Enterprise(**dict(zip(fields, row, strict=True))) for row in batch]
            )


def _reference_data():
    from hazardloop.accounts.choices import Role
    from hazardloop.accounts.models import User
    from hazardloop.registry.testing import region

    henan = region("41", "河南省")
    anyang = region("4105", "安阳市", henan)
    longan = region("410506", "龙安区", anyang)
    for code, name in TOWNSHIPS:
        region(code, name, longan)
    return User.objects.create(username="bench-admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


class Timer:
    """Wall and CPU time of a block. The machine may be shared, so CPU time is the steadier
    figure; the wall time is what a clerk waits."""

    def __enter__(self):
        gc.collect()
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def _import(path: Path, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazardloop.registry import services

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    with Timer() as timer:
        job = services.start_import("enterprises", upload, actor=actor)
        services.run_import_job(job)
    if job.status != "done":
        raise SystemExit(f"import failed: {job.message} {job.errors[:3]}")
    return timer, job


class FreshDatabase:
    """A new, migrated database for one measurement, dropped afterwards."""

    def __enter__(self):
        from django.db import connection

        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(_bench_dir() / "bench.sqlite3")
        self.old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        return _reference_data()

    def __exit__(self, *exc):
        from django.db import connection

        connection.creation.destroy_test_db(self.old_name, verbosity=0)


def run(rows: int = DEFAULT_ROWS) -> dict:
    """Import `rows` enterprise rows and bulk-insert the same rows, each in a fresh database;
    returns the figures."""
    _setup_django()
    from django.conf import settings
    from django.db import connection

    from hazardloop.registry.models import Enterprise

    path = workbook_path(rows)
    settings.MEDIA_ROOT = str(_bench_dir() / "media")

    # The import first, so that the high-water mark of resident memory is its own.
    with FreshDatabase() as actor:
        rss_before = _rss_mb()
        imported, job = _import(path, actor)
        rss_peak = _rss_mb()
        assert job.created_count == rows == Enterprise.objects.count()
        again, job = _import(path, actor)
        assert job.unchanged_count == rows

    with FreshDatabase():
        prepared = floor_rows(rows)
        with Timer() as floor:
            bulk_insert(prepared)
        assert Enterprise.objects.count() == rows

    return {
        "database": connection.vendor,
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "import_wall_s": round(imported.wall, 2),
        "import_cpu_s": round(imported.cpu, 2),
        "reimport_unchanged_wall_s": round(again.wall, 2),
        "floor_wall_s": round(floor.wall, 2),
        "floor_cpu_s": round(floor.cpu, 2),
        "ratio_wall": round(imported.wall / floor.wall, 2),
        "ratio_cpu": round(imported.cpu / floor.cpu, 2),
        "rows_per_s": round(rows / imported.wall),
        "rss_before_import_mb": round(rss_before),
        "peak_rss_mb": round(rss_peak),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args(argv)
    figures = run(args.rows)
    print(
        f"registry import benchmark ({figures['database']}, {figures['rows']:,} rows, {figures['file_mb']} MB xlsx)"
    )
    print("                                   wall        cpu")
    print(
        f"  import (read, check, write):  {figures['import_wall_s']:>8.2f} s {figures['import_cpu_s']:>8.2f} s"
    )
    print(
        f"  plain bulk insert (floor):    {figures['floor_wall_s']:>8.2f} s {figures['floor_cpu_s']:>8.2f} s"
    )
    print(f"  ratio import / floor:         {figures['ratio_wall']:>8.2f}   {figures['ratio_cpu']:>8.2f}")
    print(f"  re-import, nothing changes:   {figures['reimport_unchanged_wall_s']:>8.2f} s")
    print(f"  throughput: {figures['rows_per_s']:,} rows/s")
    print(f"  peak RSS: {figures['peak_rss_mb']} MB (before import {figures['rss_before_import_mb']} MB)")
    return figures


if __name__ == "__main__":
    main()
