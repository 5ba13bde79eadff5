"""Benchmark: the meeting pack, the dashboard and a provider scorecard at province scale
(100,000 enterprises, 5,000,000 hazards), each beside hand-written SQL of the same aggregates.

    createdb -h 127.0.0.1 -U postgres bench_province
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_province \\
        .venv/bin/python -m benchmarks.province --repeat 5

PostgreSQL only. An empty database is built first with
`load_demo --enterprises 100000 --hazards 5000000` (tens of minutes; the build time is
printed) and reused after; a database holding another number of synthetic hazards is refused.
Each case runs once to warm up, once to count its queries, then `repeat` times (median, max):

- `meeting pack`: `meetings.pack.compute` for the district's latest meeting (the figures and
  lists of the pack, not the PDF);
- `dashboard (bureau)`: `analytics.queries.dashboard` for the district bureau, and
  `dashboard (province)` for the provincial officer, who sees all 5,000,000 hazards;
- `scorecard`: a provider's year as a scorecard reads it (`evaluation.services.measure`: coverage
  of the plan, compliance breaches, findings against the expectation by enterprise class,
  re-inspections on time, the share overturned, ratings), for the case-study district's busiest
  provider and the busiest synthetic one;
- `floor (SQL)`: for each, hand-written SQL over the raw tables computing the same figures
  (one statement per figure or list, scope written as `enterprise_id IN (…)`).

Target (issue 5): within 1.5× of the floor and under one second each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from benchmarks import format_figures, setup_django

ENTERPRISES = 100_000
HAZARDS = 5_000_000
REPEAT = 5


def prepare(enterprises: int, hazards: int) -> dict:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("benchmarks.province runs on PostgreSQL: give DATABASE_URL=postgres://…")
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from hazardloop.demo.province import NUMBER_PREFIX
    from hazardloop.hazards.models import Hazard
    from hazardloop.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    built_s = None
    if not Enterprise.objects.exists():
        started = time.perf_counter()
        call_command("load_demo", enterprises=enterprises, hazards=hazards)
        built_s = round(time.perf_counter() - started, 1)
    have = Hazard.objects.filter(number__startswith=NUMBER_PREFIX).count()
    if have != hazards:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds {have:,} synthetic hazards, not {hazards:,}: "
            "give an empty database or the one this benchmark built."
        )
    return {"name": str(connection.settings_dict["NAME"]), "built_s": built_s}


# --- the scorecard ------------------------------------------------------------------------------

# The visits of the provider's contracts in force in the year (evaluation.services.contracts_for
# and _inspections).
CONTRACTS = """SELECT id FROM procurement_servicecontract
                WHERE provider_id = %(provider)s AND status IN ('active', 'completed')
                  AND start_date <= %(last_date)s AND end_date >= %(start_date)s"""
VISITS = f"""SELECT i.id FROM inspections_inspection i
              WHERE i.contract_id IN ({CONTRACTS}) AND i.status <> 'draft'
                AND i.started_at >= %(start)s AND i.started_at < %(end)s"""


def scorecard_floor() -> list[str]:
    """The raw figures of every KPI `evaluation.services.measure` computes, one statement each;
    the re-inspection rounds come back as rows because their due day needs the district's
    working-day calendar (the floor applies it in Python, as the app does)."""
    return [
        f"SELECT id, reinspection_working_days FROM procurement_servicecontract WHERE id IN ({CONTRACTS})",
        # coverage: planned (not cancelled) and marked done, per contract and enterprise
        "SELECT p.contract_id, v.enterprise_id, COUNT(*), COUNT(*) FILTER (WHERE v.status = 'done') "
        "FROM procurement_plannedvisit v JOIN procurement_inspectionplan p ON p.id = v.plan_id "
        f"WHERE p.contract_id IN ({CONTRACTS}) AND p.status = 'current' AND v.day >= %(start_date)s "
        "AND v.day <= %(planned_until)s AND v.status <> 'cancelled' GROUP BY 1, 2",
        # visits per contract, enterprise and enterprise class (coverage, findings expected)
        "SELECT i.contract_id, i.enterprise_id, e.size, e.high_risk, COUNT(*) FROM inspections_inspection i "
        f"JOIN registry_enterprise e ON e.id = i.enterprise_id WHERE i.id IN ({VISITS}) GROUP BY 1, 2, 3, 4",
        "SELECT enterprise_class, per_visit FROM evaluation_findingsexpectation",
        # compliance: unresolved breaches from the visits or their hazards
        f"SELECT b.kind, COUNT(*) FROM procurement_compliancebreach b WHERE b.contract_id IN ({CONTRACTS}) "
        "AND b.kind IN ('short_team', 'missing_specialty', 'late_report', 'late_reinspection') "
        f"AND b.resolved_at IS NULL AND (b.inspection_id IN ({VISITS}) OR b.hazard_id IN "
        f"(SELECT h.id FROM hazards_hazard h WHERE h.inspection_id IN ({VISITS}))) GROUP BY 1",
        # findings and overturned
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE h.status = 'overturned') FROM hazards_hazard h "
        f"WHERE h.inspection_id IN ({VISITS})",
        # re-inspection rounds of the contracts' hazards
        "SELECT r.hazard_id, r.round, r.submitted_at, ri.inspected_at, i.contract_id "
        "FROM hazards_rectification r JOIN hazards_hazard h ON h.id = r.hazard_id "
        "JOIN inspections_inspection i ON i.id = h.inspection_id "
        "LEFT JOIN hazards_reinspection ri ON ri.hazard_id = r.hazard_id AND ri.round = r.round "
        f"WHERE i.contract_id IN ({CONTRACTS})",
        "SELECT date, is_working_day FROM hazards_workdayoverride",
        # ratings
        f"SELECT kind, COUNT(*), SUM(score) FROM evaluation_rating WHERE inspection_id IN ({VISITS}) GROUP BY 1",
    ]


def _scorecard_sql(params: dict, period, today: dt.date):
    """The scorecard floor, with the re-inspection rounds judged in Python against the
    working-day due day (the part no SQL statement can do without the calendar)."""
    from django.db import connection
    from django.utils import timezone

    from hazardloop.hazards import rules as hazard_rules

    statements = scorecard_floor()

    def run():
        with connection.cursor() as cursor:
            results = []
            for sql in statements:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
        limits = dict(results[0])
        overrides = dict(results[7])
        on_time = late = 0
        for _hazard, _round, submitted, inspected, contract_id in results[6]:
            due = hazard_rules.add_working_days(timezone.localdate(submitted), limits[contract_id], overrides)
            if not period.start <= due <= period.end:
                continue
            if inspected is not None and timezone.localdate(inspected) <= due:
                on_time += 1
            elif inspected is not None or today > due:
                late += 1
        return on_time, late

    return run


# --- the floors of the pack and the dashboard ----------------------------------------------------

SCOPE = """h.enterprise_id IN (SELECT e.id FROM registry_enterprise e
           JOIN registry_region r ON r.id = e.township_id WHERE r.code LIKE %(prefix)s)"""
OVERDUE = """((h.status IN ('awaiting_plan', 'plan_review', 'rectifying') AND h.deadline < %(today)s)
           OR (h.status = 'awaiting_reinspection' AND h.reinspection_due < %(today)s)
           OR (h.status = 'resumption_review' AND h.resumption_due < %(today)s))"""
LEVELS = """COUNT(*), COUNT(*) FILTER (WHERE h.legal_level = 'general'),
            COUNT(*) FILTER (WHERE h.legal_level = 'major')"""
HAZARD_LIST = """SELECT h.id, h.number, h.title, e.name, t.name, h.legal_level, h.status, mu.name,
                        h.deadline, h.reinspection_due, h.resumption_due
                   FROM hazards_hazard h JOIN registry_enterprise e ON e.id = h.enterprise_id
                   JOIN registry_region t ON t.id = e.township_id
                   LEFT JOIN registry_memberunit mu ON mu.id = h.member_unit_id"""
OPEN = "h.status NOT IN ('closed', 'overturned')"


def pack_floor() -> list[str]:
    month = f"{SCOPE} AND h.found_at >= %(start)s AND h.found_at < %(end)s AND h.status <> 'overturned'"
    previous = (
        f"{SCOPE} AND h.found_at >= %(prev_start)s AND h.found_at < %(start)s "
        "AND h.status <> 'overturned' AND h.member_unit_id IS NOT NULL"
    )
    overdue = f"{SCOPE} AND {OVERDUE} AND h.found_at <= %(now)s"
    listed = (
        f"{SCOPE} AND h.legal_level = 'major' AND {OPEN} AND h.listed_supervision AND h.found_at <= %(now)s"
    )
    enforcement = """FROM enforcement_enforcementaction a JOIN registry_enterprise e ON e.id = a.enterprise_id
                     JOIN registry_region t ON t.id = e.township_id
                    WHERE t.code LIKE %(prefix)s AND a.decided_on >= %(first_day)s AND a.decided_on <= %(last_day)s"""
    return [
        f"SELECT h.provider_id, p.name, {LEVELS} FROM hazards_hazard h "
        f"LEFT JOIN registry_provider p ON p.id = h.provider_id WHERE {month} GROUP BY 1, 2",
        f"SELECT t.code, t.name, {LEVELS} FROM hazards_hazard h JOIN registry_enterprise e ON e.id = h.enterprise_id "
        f"JOIN registry_region t ON t.id = e.township_id WHERE {month} GROUP BY 1, 2",
        f"SELECT SUBSTR(i.code, 1, 2), {LEVELS} FROM hazards_hazard h JOIN registry_enterprise e ON e.id = h.enterprise_id "
        f"JOIN registry_industry i ON i.id = e.industry_id WHERE {month} GROUP BY 1",
        "SELECT code, name FROM registry_industry WHERE LENGTH(code) = 2",
        f"SELECT h.legal_level, COUNT(*) FROM hazards_hazard h WHERE {month} GROUP BY 1",
        f"SELECT h.member_unit_id, mu.name, COUNT(*), "
        "COUNT(*) FILTER (WHERE h.status IN ('awaiting_reinspection', 'awaiting_resumption', "
        "'resumption_review', 'closed')), COUNT(*) FILTER (WHERE h.status = 'closed'), "
        f"COUNT(*) FILTER (WHERE {OVERDUE}) FROM hazards_hazard h "
        f"JOIN registry_memberunit mu ON mu.id = h.member_unit_id WHERE {previous} GROUP BY 1, 2",
        f"SELECT COUNT(*) FROM hazards_hazard h WHERE {overdue}",
        f"{HAZARD_LIST} WHERE {overdue} ORDER BY h.deadline, h.number LIMIT 500",
        f"SELECT COUNT(*) FROM hazards_hazard h WHERE {listed}",
        f"{HAZARD_LIST} WHERE {listed} ORDER BY h.listed_at, h.number LIMIT 500",
        f"SELECT a.kind, COUNT(*) {enforcement} GROUP BY 1",
        "SELECT a.document_number, e.name, mu.name, a.kind, a.decided_on, a.unit_fine_amount, a.status "
        f"{enforcement.replace('WHERE', 'JOIN registry_memberunit mu ON mu.id = a.member_unit_id WHERE')} "
        "ORDER BY a.decided_on, a.id LIMIT 500",
        "SELECT a.member_unit_id, mu.name, a.attended, a.representative, a.report FROM meetings_attendance a "
        "JOIN registry_memberunit mu ON mu.id = a.member_unit_id WHERE a.meeting_id = %(meeting)s ORDER BY mu.name",
        f"SELECT h.id FROM hazards_hazard h WHERE {month}",
    ]


def dashboard_floor() -> list[str]:
    found = f"{SCOPE} AND h.found_at >= %(start)s AND h.found_at < %(end)s"
    closed = f"{SCOPE} AND h.status = 'closed' AND h.closed_at >= %(start)s AND h.closed_at < %(end)s"
    counts = f"{LEVELS}, COUNT(*) FILTER (WHERE h.status = 'closed'), COUNT(*) FILTER (WHERE {OPEN})"
    local = "AT TIME ZONE %(tz)s"
    return [
        f"SELECT h.status, COUNT(*), COUNT(h.fed_back_at) FROM hazards_hazard h WHERE {found} GROUP BY 1",
        f"SELECT DATE_TRUNC('month', h.found_at {local}), COUNT(*) FROM hazards_hazard h WHERE {found} GROUP BY 1",
        f"SELECT DATE_TRUNC('month', h.closed_at {local}), COUNT(*) FROM hazards_hazard h WHERE {closed} GROUP BY 1",
        f"SELECT e.township_id, t.name, t.code, {counts} FROM hazards_hazard h "
        "JOIN registry_enterprise e ON e.id = h.enterprise_id JOIN registry_region t ON t.id = e.township_id "
        f"WHERE {found} GROUP BY 1, 2, 3",
        f"SELECT e.township_id, COUNT(*) FROM hazards_hazard h JOIN registry_enterprise e ON e.id = h.enterprise_id "
        f"WHERE {SCOPE} AND {OVERDUE} GROUP BY 1",
        f"SELECT SUBSTR(i.code, 1, 2) d, {counts} FROM hazards_hazard h "
        "JOIN registry_enterprise e ON e.id = h.enterprise_id JOIN registry_industry i ON i.id = e.industry_id "
        f"WHERE {found} GROUP BY d ORDER BY 2 DESC, d LIMIT 10",
        "SELECT code, name FROM registry_industry WHERE LENGTH(code) = 2",
        f"SELECT h.provider_id, p.name, {counts} FROM hazards_hazard h "
        f"LEFT JOIN registry_provider p ON p.id = h.provider_id WHERE {found} GROUP BY 1, 2",
        f"SELECT COUNT(*), COUNT(*) FILTER (WHERE h.legal_level = 'major') FROM hazards_hazard h "
        f"WHERE {SCOPE} AND {OVERDUE}",
        "SELECT h.legal_level, COUNT(*), AVG(h.closed_at - h.found_at), "
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY h.closed_at - h.found_at) "
        f"FROM hazards_hazard h WHERE {closed} GROUP BY 1",
        "SELECT COUNT(*) FILTER (WHERE h.found_at >= %(start)s), "
        "COUNT(*) FILTER (WHERE h.found_at >= %(start)s AND h.status = 'closed'), "
        "COUNT(*) FILTER (WHERE h.found_at < %(start)s), "
        "COUNT(*) FILTER (WHERE h.found_at < %(start)s AND h.status = 'closed') "
        f"FROM hazards_hazard h WHERE {SCOPE} AND h.found_at >= %(prev)s AND h.found_at < %(end)s",
        "SELECT c.township_id, t.name, t.code, SUM(c.price), COUNT(*) FROM procurement_servicecontract c "
        "JOIN registry_region t ON t.id = c.township_id WHERE t.code LIKE %(prefix)s "
        "AND c.status IN ('active', 'completed') AND c.start_date < %(end_date)s AND c.end_date >= %(start_date)s "
        "GROUP BY 1, 2, 3",
        "SELECT e.township_id, COUNT(*) FROM registry_enterprise e JOIN registry_region t ON t.id = e.township_id "
        "WHERE t.code LIKE %(prefix)s AND e.status = 'active' GROUP BY 1",
    ]


# --- timing --------------------------------------------------------------------------------------


def _time(fn, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up
    with CaptureQueriesContext(connection) as captured:
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(captured),
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def _sql(statements: list[str], params: dict):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def run(enterprises: int = ENTERPRISES, hazards: int = HAZARDS, repeat: int = REPEAT) -> list[dict]:
    info = prepare(enterprises, hazards)
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from hazardloop.accounts.models import User
    from hazardloop.analytics import queries
    from hazardloop.analytics.queries import aware
    from hazardloop.hazards.models import Hazard
    from hazardloop.meetings import pack
    from hazardloop.meetings.models import Meeting
    from hazardloop.registry.models import Provider

    total = Hazard.objects.count()
    print(f"postgresql {info['name']}: {total:,} hazards, {repeat} runs each", flush=True)
    if info["built_s"] is not None:
        print(f"built in {info['built_s']} s", flush=True)
    today = timezone.localdate()
    year = today.year
    rows = []

    def add(case, scope, visible, fn, floor):
        got = _time(fn, repeat)
        base = _time(floor, repeat)
        ratio = round(got["median_ms"] / base["median_ms"], 2) if base["median_ms"] else None
        rows.append({"case": case, "scope": scope, "rows": visible, "how": "app", **got, "x_floor": ratio})
        rows.append(
            {"case": case, "scope": scope, "rows": visible, "how": "floor (SQL)", **base, "x_floor": 1.0}
        )
        print(format_figures(rows[-2:]), flush=True)

    # The meeting pack: the district's latest meeting.
    meeting = Meeting.objects.select_related("district").order_by("-year", "-month").first()
    period = meeting.period
    start, end = pack._bounds(period)
    prev_start, _ = pack._bounds(period.previous)
    pack_params = {
        "prefix": f"{meeting.district.code}%",
        "start": start,
        "end": end,
        "prev_start": prev_start,
        "today": today,
        "now": timezone.now(),
        "first_day": period.first_day,
        "last_day": period.last_day,
        "meeting": meeting.pk,
    }
    in_month = pack.month_findings(meeting.district, period).count()
    add(
        f"meeting pack {period}",
        meeting.district.name,
        in_month,
        lambda: pack.compute(meeting, as_of=today),
        _sql(pack_floor(), pack_params),
    )

    # The dashboard: the district bureau and the provincial officer.
    f = queries.DashboardFilter(year)
    for username in ("bureau", "province"):
        user = User.objects.filter(username=username).select_related("region").first()
        if user is None:
            continue
        code = user.region.code
        params = {
            "prefix": f"{code[:9] if len(code) >= 9 else code}%",
            "start": aware(dt.date(year, 1, 1)),
            "end": aware(dt.date(year + 1, 1, 1)),
            "prev": aware(dt.date(year - 1, 1, 1)),
            "start_date": dt.date(year, 1, 1),
            "end_date": dt.date(year + 1, 1, 1),
            "today": today,
            "tz": settings.TIME_ZONE,
        }
        visible = queries.hazards(user, f).filter(queries.found_in(f)).count()
        add(
            f"dashboard {year}",
            f"{username} ({user.region.name})",
            visible,
            lambda user=user: queries.dashboard(user, f),
            _sql(dashboard_floor(), params),
        )

    # A provider's year, as a scorecard reads it (evaluation.services.measure): the case-study
    # district's provider and the synthetic provider with the most hazards found this year.
    from hazardloop.evaluation import rules as evaluation_rules
    from hazardloop.evaluation import services as evaluation

    start, end = aware(dt.date(year, 1, 1)), aware(dt.date(year + 1, 1, 1))
    found = (
        Hazard.objects.filter(found_at__gte=start, found_at__lt=end, provider__isnull=False)
        .values("provider_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    district = found.filter(provider__contracts__number__startswith="SYN-").values("provider_id")
    picks = [found.exclude(provider_id__in=district).first(), found.filter(provider_id__in=district).first()]
    period = evaluation_rules.Period("year", year)
    for pick in filter(None, picks):
        provider = Provider.objects.get(pk=pick["provider_id"])
        params = {
            "provider": provider.pk,
            "start": start,
            "end": end,
            "start_date": period.start,
            "last_date": period.end,
            "planned_until": min(period.end, today),
        }
        add(
            f"scorecard {year} (evaluation.measure)",
            provider.name,
            pick["n"],
            lambda provider=provider: evaluation.measure(provider, None, period, today=today),
            _scorecard_sql(params, period, today),
        )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=ENTERPRISES)
    parser.add_argument("--hazards", type=int, default=HAZARDS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    print(format_figures(run(args.enterprises, args.hazards, args.repeat)))


if __name__ == "__main__":
    main()
