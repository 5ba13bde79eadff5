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
- `scorecard`: a provider's year — coverage of its contracts' enterprises, findings per visit
  by legal level, the share overturned, re-inspections on time — through
  `hazardloop.evaluation` when that app exists, else the ORM aggregates defined below;
- `floor (SQL)`: for each, hand-written SQL over the raw tables computing the same figures
  (one statement per figure or list, scope written as `enterprise_id IN (…)`).

Target (issue 5): within 1.5× of the floor and under one second each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
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

    from hazardloop.core.province import NUMBER_PREFIX
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


def scorecard_aggregates(provider, year: int) -> dict:
    """Issue 5's provider scorecard figures for `year`, as ORM aggregates (used while
    `hazardloop.evaluation` is not there): coverage, findings per visit by legal level, the
    share overturned and re-inspections on time."""
    from django.db.models import Count, F, Q

    from hazardloop.analytics.queries import aware
    from hazardloop.hazards.models import Hazard, ReInspection
    from hazardloop.inspections.models import Inspection
    from hazardloop.procurement.models import ServiceContract

    start, end = aware(dt.date(year, 1, 1)), aware(dt.date(year + 1, 1, 1))
    contracts = ServiceContract.objects.in_force().filter(
        provider=provider, start_date__lt=dt.date(year + 1, 1, 1), end_date__gte=dt.date(year, 1, 1)
    )
    covered = ServiceContract.enterprises.through.objects.filter(servicecontract__in=contracts)
    visits = Inspection.objects.submitted().filter(
        provider=provider, started_at__gte=start, started_at__lt=end
    )
    coverage = covered.aggregate(
        covered=Count("enterprise_id", distinct=True),
        visited=Count(
            "enterprise_id", distinct=True, filter=Q(enterprise_id__in=visits.values("enterprise_id"))
        ),
    )
    visit_count = visits.count()
    findings = Hazard.objects.filter(
        provider=provider, inspection_id__isnull=False, found_at__gte=start, found_at__lt=end
    ).aggregate(
        found=Count("pk"),
        general=Count("pk", filter=Q(legal_level="general")),
        major=Count("pk", filter=Q(legal_level="major")),
        overturned=Count("pk", filter=Q(status="overturned")),
    )
    reinspections = ReInspection.objects.filter(
        provider=provider, inspected_at__gte=start, inspected_at__lt=end
    ).aggregate(
        done=Count("pk"),
        on_time=Count("pk", filter=Q(inspected_at__date__lte=F("hazard__reinspection_due"))),
    )
    return {**coverage, "visits": visit_count, **findings, **reinspections}


def scorecard_floor(provider_id: int, year: int) -> list[str]:
    return [
        # coverage: the contracts' enterprises, and those visited in the year
        """SELECT COUNT(DISTINCT ce.enterprise_id),
                  COUNT(DISTINCT ce.enterprise_id) FILTER (WHERE v.enterprise_id IS NOT NULL)
             FROM procurement_servicecontract_enterprises ce
             JOIN procurement_servicecontract c ON c.id = ce.servicecontract_id
             LEFT JOIN (SELECT DISTINCT enterprise_id FROM inspections_inspection
                         WHERE provider_id = %(provider)s AND status <> 'draft'
                           AND started_at >= %(start)s AND started_at < %(end)s) v
                    ON v.enterprise_id = ce.enterprise_id
            WHERE c.provider_id = %(provider)s AND c.status IN ('active', 'completed')
              AND c.start_date < %(end_date)s AND c.end_date >= %(start_date)s""",
        """SELECT COUNT(*) FROM inspections_inspection
            WHERE provider_id = %(provider)s AND status <> 'draft'
              AND started_at >= %(start)s AND started_at < %(end)s""",
        """SELECT COUNT(*), COUNT(*) FILTER (WHERE legal_level = 'general'),
                  COUNT(*) FILTER (WHERE legal_level = 'major'),
                  COUNT(*) FILTER (WHERE status = 'overturned')
             FROM hazards_hazard
            WHERE provider_id = %(provider)s AND inspection_id IS NOT NULL
              AND found_at >= %(start)s AND found_at < %(end)s""",
        """SELECT COUNT(*),
                  COUNT(*) FILTER (WHERE (r.inspected_at AT TIME ZONE %(tz)s)::date <= h.reinspection_due)
             FROM hazards_reinspection r JOIN hazards_hazard h ON h.id = r.hazard_id
            WHERE r.provider_id = %(provider)s AND r.inspected_at >= %(start)s AND r.inspected_at < %(end)s""",
    ]


def _evaluation_scorecard():
    """The evaluation app's scorecard function, if the app has landed."""
    if importlib.util.find_spec("hazardloop.evaluation") is None:
        return None
    from django.apps import apps

    if not apps.is_installed("hazardloop.evaluation"):
        return None
    for module_name in ("hazardloop.evaluation.queries", "hazardloop.evaluation.services"):
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for name in ("provider_scorecard", "scorecard"):
            if hasattr(module, name):
                return getattr(module, name)
    return None


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

    # A provider's scorecard: the provider with the most hazards found this year.
    start, end = aware(dt.date(year, 1, 1)), aware(dt.date(year + 1, 1, 1))
    top = (
        Hazard.objects.filter(found_at__gte=start, found_at__lt=end, provider__isnull=False)
        .values("provider_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    provider = Provider.objects.get(pk=top["provider_id"])
    evaluation = _evaluation_scorecard()
    how = "evaluation" if evaluation else "ORM stand-in"
    fn = (
        (lambda: evaluation(provider, year)) if evaluation else (lambda: scorecard_aggregates(provider, year))
    )
    params = {
        "provider": provider.pk,
        "start": start,
        "end": end,
        "start_date": dt.date(year, 1, 1),
        "end_date": dt.date(year + 1, 1, 1),
        "tz": settings.TIME_ZONE,
    }
    add(
        f"scorecard {year} ({how})",
        provider.name,
        top["n"],
        fn,
        _sql(scorecard_floor(provider.pk, year), params),
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
