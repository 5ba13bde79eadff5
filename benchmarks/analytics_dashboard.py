"""Benchmark: the district dashboard (统计分析) and the annual statistics beside hand-written SQL
of the same aggregates (the floor).

    .venv/bin/python -m benchmarks analytics_dashboard
    .venv/bin/python -m benchmarks.analytics_dashboard --hazards 1000000 --repeat 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_analytics .venv/bin/python -m benchmarks.analytics_dashboard

The database (var/bench/analytics_dashboard_<N>.sqlite3, or the DATABASE_URL given) is the
demo district plus N synthetic hazards in every state over the past three years, written with
the hazard board benchmark's generator on first use and reused after. For the bureau (the
whole district) and one township, each measured over `repeat` runs after a warm-up:
- `page`: the dashboard page through Django's test Client (queries include the session);
- `queries.dashboard`: every chart's aggregates, called directly;
- `floor (SQL)`: one hand-written SQL statement per aggregate the dashboard shows (stage
  counts, months found and closed, townships, industries, providers, overdue, closure time
  by level, this and last year), with the same scope written as a join on the township code;
- `statistics (district)`: the annual Order 16 table at township level.
Target (issue 5): within 1.5× of the floor and under one second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchmarks import database_url, format_figures, setup_django

DEFAULT_HAZARDS = 200_000
REPEAT = 5
BATCH = 20_000


def prepare(hazards: int) -> dict:
    # The test Client signs in without the TOTP step; the page must answer 200, not the 2FA form.
    os.environ.setdefault("HAZARDLOOP_2FA_ROLES", "none")
    setup_django(database_url(f"analytics_dashboard_{hazards}.sqlite3"))
    from django.core.management import call_command
    from django.db import connection, transaction

    from benchmarks.hazard_board import _synthetic_rows
    from hazardloop.hazards.models import Hazard
    from hazardloop.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    if not Enterprise.objects.exists():
        call_command("load_demo", verbosity=0)
    built_s = None
    synthetic = Hazard.objects.filter(number__startswith="BM-").count()
    if synthetic == 0:
        print(f"writing {hazards:,} hazards …", flush=True)
        started = time.perf_counter()
        for start in range(0, hazards, BATCH):
            with transaction.atomic():
                Hazard.objects.bulk_create(
                    _synthetic_rows(min(BATCH, hazards - start), start), batch_size=2000
                )
        built_s = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    elif synthetic != hazards:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds {synthetic:,} synthetic hazards, not {hazards:,}: "
            "give an empty database or the one this benchmark built."
        )
    return {"database": connection.vendor, "name": str(connection.settings_dict["NAME"]), "built_s": built_s}


def floor_statements(vendor: str) -> list[str]:
    """The dashboard's aggregates in plain SQL; %(prefix)s is the user's region code prefix,
    %(start)s/%(end)s the year, %(prev)s the year before, %(today)s today's date."""
    month = (
        "strftime('%%Y-%%m', {col})" if vendor == "sqlite" else "to_char({col}, 'YYYY-MM')"
    )  # no time-zone shift: the floor need not be exact about midnight
    scoped = (
        "FROM hazards_hazard h JOIN registry_enterprise e ON e.id = h.enterprise_id "
        "JOIN registry_region r ON r.id = e.township_id WHERE r.code LIKE %(prefix)s"
    )
    found = "AND h.found_at >= %(start)s AND h.found_at < %(end)s"
    counts = (
        "COUNT(*), SUM(CASE WHEN h.legal_level = 'major' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN h.status = 'closed' THEN 1 ELSE 0 END)"
    )
    duration = (
        "AVG(julianday(h.closed_at) - julianday(h.found_at))"
        if vendor == "sqlite"
        else "AVG(EXTRACT(EPOCH FROM h.closed_at - h.found_at) / 86400)"
    )
    overdue = (
        "AND ((h.status IN ('awaiting_plan', 'plan_review', 'rectifying') AND h.deadline < %(today)s) "
        "OR (h.status = 'awaiting_reinspection' AND h.reinspection_due < %(today)s) "
        "OR (h.status = 'resumption_review' AND h.resumption_due < %(today)s))"
    )
    return [
        f"SELECT h.status, COUNT(*) {scoped} {found} GROUP BY h.status",
        f"SELECT COUNT(*) {scoped} {found} AND h.fed_back_at IS NOT NULL",
        f"SELECT {month.format(col='h.found_at')} m, COUNT(*) {scoped} {found} GROUP BY m",
        f"SELECT {month.format(col='h.closed_at')} m, COUNT(*) {scoped} AND h.status = 'closed' "
        "AND h.closed_at >= %(start)s AND h.closed_at < %(end)s GROUP BY m",
        f"SELECT e.township_id, {counts} {scoped} {found} GROUP BY e.township_id",
        f"SELECT e.township_id, COUNT(*) {scoped} {overdue} GROUP BY e.township_id",
        f"SELECT SUBSTR(i.code, 1, 2) d, {counts} {scoped.replace('WHERE', 'JOIN registry_industry i ON i.id = e.industry_id WHERE')} "
        f"{found} GROUP BY d ORDER BY 2 DESC LIMIT 10",
        f"SELECT h.provider_id, {counts} {scoped} {found} GROUP BY h.provider_id",
        f"SELECT COUNT(*), SUM(CASE WHEN h.legal_level = 'major' THEN 1 ELSE 0 END) {scoped} {overdue}",
        f"SELECT h.legal_level, COUNT(*), {duration} {scoped} AND h.status = 'closed' "
        "AND h.closed_at >= %(start)s AND h.closed_at < %(end)s GROUP BY h.legal_level",
        f"SELECT SUM(CASE WHEN h.found_at >= %(start)s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN h.found_at < %(start)s THEN 1 ELSE 0 END) {scoped} "
        "AND h.found_at >= %(prev)s AND h.found_at < %(end)s AND h.status = 'closed'",
    ]


def _time(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    with CaptureQueriesContext(connection) as captured:
        fn()
    queries = len(captured)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def run(hazards: int = DEFAULT_HAZARDS, repeat: int = REPEAT) -> list[dict]:
    info = prepare(hazards)
    import datetime as dt

    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks.registry_lists import measure
    from hazardloop.accounts.models import User
    from hazardloop.accounts.testing import login_verified
    from hazardloop.analytics import queries
    from hazardloop.analytics.queries import aware
    from hazardloop.analytics.rules import Period
    from hazardloop.hazards.models import Hazard

    print(f"{info['database']} {info['name']}: {Hazard.objects.count():,} hazards, {repeat} runs each")
    year = timezone.localdate().year
    f = queries.DashboardFilter(year)
    statements = floor_statements(connection.vendor)
    rows = []
    logins = [User.objects.get(username="bureau")]
    township = User.objects.filter(role="township").order_by("pk").first()
    if township is not None:
        logins.append(township)
    for user in logins:
        prefix = user.region.code[:9] if len(user.region.code) >= 9 else user.region.code
        params = {
            "prefix": f"{prefix}%",
            "start": aware(dt.date(year, 1, 1)),
            "end": aware(dt.date(year + 1, 1, 1)),
            "prev": aware(dt.date(year - 1, 1, 1)),
            "today": timezone.localdate(),
        }
        visible = Hazard.objects.visible_to(user).count()

        def floor(params=params):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        client = Client()
        # Signed in as after the password and, for bureau and admin, the second factor.
        login_verified(client, user)
        cases = [
            ("page", lambda: None),
            ("queries.dashboard", lambda user=user: queries.dashboard(user, f)),
            ("floor (SQL)", floor),
            (
                "statistics (township level)",
                lambda user=user: queries.statistics(user, Period(year - 1), "township"),
            ),
        ]
        for case, fn in cases:
            figures = (
                measure(client, f"{reverse('analytics:dashboard')}?year={year}", repeat)
                if case == "page"
                else _time(fn, repeat)
            )
            figures.setdefault("status", "")
            rows.append({"login": user.username, "visible": visible, "case": case, **figures})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=DEFAULT_HAZARDS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    print(format_figures(run(args.hazards, args.repeat)))


if __name__ == "__main__":
    main()
