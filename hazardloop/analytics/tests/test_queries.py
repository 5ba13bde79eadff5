"""Every figure equals an independent count over the same records, computed here in Python
from plain `.values()` rows of the enterprises each persona is known to see (the root
conftest's `expected`), not through the app's aggregates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazardloop.analytics import queries
from hazardloop.analytics.rules import Period
from hazardloop.hazards.choices import STAGE_OF_STATE, HazardSource
from hazardloop.hazards.models import GovernancePlan, Hazard, Rectification

from .conftest import at

FIELDS = (
    "pk",
    "enterprise_id",
    "enterprise__township_id",
    "enterprise__township__parent_id",
    "enterprise__industry__code",
    "provider_id",
    "legal_level",
    "status",
    "found_at",
    "closed_at",
    "listed_at",
    "delisted_at",
    "plan_approved_at",
    "deadline",
)


def rows_seen_by(personas, name):
    return list(Hazard.objects.filter(enterprise__in=personas.expected[name]).values(*FIELDS))


def inside(value, period: Period) -> bool:
    return value is not None and at(period.start.year, period.start.month, 1, 0) <= value < at(
        period.end.year, period.end.month, 1, 0
    )


def expected_statistics(personas, name, period: Period, key: str) -> dict:
    """Per group (enterprise id, township id or district id) the Art. 14 measures."""
    out: dict = {}
    end = at(period.end.year, period.end.month, 1, 0)
    for r in rows_seen_by(personas, name):
        if r["status"] == "overturned":
            continue
        g = out.setdefault(r[key], Counter())
        found = inside(r["found_at"], period)
        closed = found and r["status"] == "closed" and r["closed_at"] < end
        g[f"found_{r['legal_level']}"] += found
        g[f"rectified_{r['legal_level']}"] += closed
        g["major_planned"] += (
            found
            and r["legal_level"] == "major"
            and r["plan_approved_at"] is not None
            and r["plan_approved_at"] < end
        )
        g["major_listed"] += r["legal_level"] == "major" and inside(r["listed_at"], period)
        g["major_delisted"] += r["legal_level"] == "major" and inside(r["delisted_at"], period)
    hazard_group = {r["pk"]: r[key] for r in rows_seen_by(personas, name) if r["status"] != "overturned"}
    for r in Rectification.objects.values("hazard_id", "cost", "submitted_at"):
        if r["hazard_id"] in hazard_group and inside(r["submitted_at"], period):
            out.setdefault(hazard_group[r["hazard_id"]], Counter())["rectification_funds"] += r["cost"]
    for r in GovernancePlan.objects.values("hazard_id", "funds_amount", "decided_at", "decision"):
        if r["hazard_id"] in hazard_group and r["decision"] == "approved" and inside(r["decided_at"], period):
            out.setdefault(hazard_group[r["hazard_id"]], Counter())["plan_funds"] += r["funds_amount"] or 0
    return out


LEVEL_KEY = {
    "enterprise": "enterprise_id",
    "township": "enterprise__township_id",
    "district": "enterprise__township__parent_id",
}


PERIODS = [Period(2026, 1), Period(2026, 2), Period(2026, 3), Period(2026, 4), Period(2026), Period(2025)]


def test_statistics_equal_independent_counts(year, personas):
    # One year of data, every role that files or aggregates, every period and level.
    for name in ("admin", "bureau", "leader", "township", "enterprise", "outsider"):
        for period in PERIODS:
            check_statistics(personas, name, period)


def check_statistics(personas, name, period):
    user = getattr(personas, name)
    for level in ("enterprise", "township", "district"):
        table = queries.statistics(user, period, level)
        expected = expected_statistics(personas, name, period, LEVEL_KEY[level])
        for row in table.rows:
            e = expected.get(row["id"], Counter())
            assert row["found_general"] == e["found_general"], (level, row["name"])
            assert row["found_major"] == e["found_major"]
            assert row["found"] == e["found_general"] + e["found_major"]
            assert row["rectified_general"] == e["rectified_general"]
            assert row["rectified_major"] == e["rectified_major"]
            assert row["unrectified"] == row["found"] - row["rectified"]
            assert row["major_planned"] == e["major_planned"]
            assert row["major_listed"] == e["major_listed"]
            assert row["major_delisted"] == e["major_delisted"]
            assert row["rectification_funds"] == Decimal(e["rectification_funds"])
            assert row["plan_funds"] == Decimal(e["plan_funds"])
            assert row["funds"] == row["rectification_funds"] + row["plan_funds"]
        # Every group with figures has a row, and the totals are the sum over all of them.
        assert {k for k, v in expected.items() if +v} <= {row["id"] for row in table.rows}
        total_found = sum(e["found_general"] + e["found_major"] for e in expected.values())
        assert table.totals["found"] == total_found


def test_statistics_match_the_story(year, personas):
    """The fixture's own numbers: Q1 at 龙泉煤业 has one general (closed in Q1) and one major
    (closed in Q2); the year has ¥20,350 of rectification and ¥50,000 of plan funds."""
    q1 = queries.statistics(personas.bureau, Period(2026, 1), "enterprise")
    coal = next(r for r in q1.rows if r["name"] == "龙泉煤业有限公司")
    assert (coal["found_general"], coal["found_major"], coal["rectified"], coal["rate"]) == (
        1,
        1,
        1,
        Decimal("50.0"),
    )
    assert coal["funds"] == Decimal("50350")
    annual = queries.statistics(personas.bureau, Period(2026), "district")
    assert len(annual.rows) == 1 and annual.rows[0]["name"] == "龙安区"
    district = annual.rows[0]
    # The overturned textile hazard is not counted: 4 hazards in 2026, 2 closed.
    assert (district["found"], district["rectified"], district["rate"]) == (4, 2, Decimal("50.0"))
    assert (district["major_planned"], district["major_listed"], district["major_delisted"]) == (1, 1, 1)
    assert district["funds"] == Decimal("70350")


def test_statistics_rows_are_only_the_scope(year, personas, district):
    township_rows = queries.statistics(personas.township, Period(2026), "enterprise").rows
    assert {r["id"] for r in township_rows} == {district.coal.pk, district.machine.pk}
    assert {r["id"] for r in queries.statistics(personas.township, Period(2026), "township").rows} == {
        district.town_a.pk
    }
    own = queries.statistics(personas.enterprise, Period(2026), "enterprise")
    assert [r["id"] for r in own.rows] == [district.coal.pk]
    assert queries.statistics(personas.outsider, Period(2026), "enterprise").totals["found"] == 0


def independent_dashboard(personas, name, year_=2026, today=dt.date(2026, 11, 24)):
    rows = rows_seen_by(personas, name)
    period = Period(year_)
    found = [r for r in rows if inside(r["found_at"], period)]
    stage = Counter(STAGE_OF_STATE[r["status"]] for r in found)
    townships = Counter(r["enterprise__township_id"] for r in found)
    closed_by_month = Counter(
        r["closed_at"].astimezone(at(2026, 1, 1).tzinfo).month
        for r in rows
        if r["status"] == "closed" and inside(r["closed_at"], period)
    )
    found_by_month = Counter(r["found_at"].astimezone(at(2026, 1, 1).tzinfo).month for r in found)
    providers = Counter(r["provider_id"] for r in found)
    divisions = Counter(r["enterprise__industry__code"][:2] for r in found)
    overdue = [
        r
        for r in rows
        if r["status"] in {"awaiting_plan", "plan_review", "rectifying"}
        and r["deadline"]
        and r["deadline"] < today
    ]
    handled = sum(1 for r in found if r["status"] == "closed")
    return {
        "total": len(found),
        "stage": stage,
        "townships": townships,
        "found_by_month": found_by_month,
        "closed_by_month": closed_by_month,
        "providers": providers,
        "divisions": divisions,
        "overdue": len(overdue),
        "handled": handled,
    }


def test_dashboard_equals_independent_counts_for_every_role(year, personas):
    for name in ("admin", "bureau", "leader", "township", "enterprise", "outsider"):
        check_dashboard(personas, name)


def check_dashboard(personas, name):
    user = getattr(personas, name)
    data = queries.dashboard(user, queries.DashboardFilter(year=2026))
    e = independent_dashboard(personas, name)
    assert data["funnel"]["total"] == e["total"]
    for s in data["funnel"]["stages"]:
        assert s["current"] == e["stage"].get(s["stage"], 0)
    assert data["funnel"]["overturned"] == e["stage"].get("overturned", 0)
    assert {r["township_id"]: r["found"] for r in data["townships"]} == dict(e["townships"])
    assert data["trend"]["found"] == [e["found_by_month"].get(m, 0) for m in range(1, 13)]
    assert data["trend"]["closed"] == [e["closed_by_month"].get(m, 0) for m in range(1, 13)]
    assert {r["provider_id"]: r["found"] for r in data["providers"]} == dict(e["providers"])
    assert {r["division"]: r["found"] for r in data["industries"]} == dict(e["divisions"])
    assert data["overdue"]["total"] == e["overdue"]
    assert data["baseline"]["handled"] == e["handled"]


def test_time_to_closure_by_level(year, personas):
    closure = {r["level"]: r for r in queries.time_to_closure(personas.bureau, queries.DashboardFilter(2026))}
    # General: 10 Feb → 25 Feb; major: 5 Mar → 15 Apr.
    assert (closure["general"]["closed"], closure["general"]["median_days"]) == (1, 15.0)
    assert (closure["major"]["average_days"], closure["major"]["median_days"]) == (41.0, 41.0)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(year, personas, builder, district):
    # A second general hazard closed in 2026, 25 days after discovery: median (15 + 25) / 2.
    builder.closed_general(at(2026, 9, 1), at(2026, 9, 2), at(2026, 9, 20), at(2026, 9, 26))
    closure = {r["level"]: r for r in queries.time_to_closure(personas.bureau, queries.DashboardFilter(2026))}
    assert closure["general"]["closed"] == 2
    assert closure["general"]["median_days"] == 20.0
    assert closure["general"]["average_days"] == 20.0


def test_township_filter_narrows_every_figure(year, personas, district):
    data = queries.dashboard(personas.bureau, queries.DashboardFilter(2026, township=district.town_b))
    assert [r["name"] for r in data["townships"]] == ["马投涧镇"]
    assert data["funnel"]["total"] == 2
    assert data["overdue"]["total"] == 1
    assert f"township={district.town_b.pk}" in data["overdue"]["url"]
    assert data["cost"]["rows"] == []  # township B buys no service


def test_cost_effectiveness_sets_contract_spend_beside_staff_cost(year, personas, district):
    cost = queries.cost_effectiveness(personas.bureau, queries.DashboardFilter(2026))
    [row] = cost["rows"]
    assert row["name"] == "龙泉镇" and row["spend"] == Decimal("120000")
    assert row["enterprises"] == 2
    # 2 enterprises × 30/439 posts × ¥30,000.
    assert row["staff_cost"] == (Decimal(2) * 30 * 30000 / 439).quantize(Decimal("1"))
    assert cost["case_staff_cost"] == Decimal("900000")
    assert cost["case_service_fee"] == Decimal("320000")
    # An enterprise sees no contracts: no cost figures leak.
    assert queries.cost_effectiveness(personas.enterprise, queries.DashboardFilter(2026))["rows"] == []


def test_baseline_compares_with_the_previous_year_and_the_setting(year, personas, settings):
    data = queries.baseline(personas.bureau, queries.DashboardFilter(2026))
    assert (data["handled"], data["previous_handled"], data["versus_previous"]) == (2, 1, Decimal("2.00"))
    assert data["reform_ratio"] == Decimal("3") and "三倍" in data["source"]
    assert data["versus_baseline"] is None
    settings.ANALYTICS_BASELINE = {"baseline_hazards_handled": 1}
    data = queries.baseline(personas.bureau, queries.DashboardFilter(2026))
    assert data["baseline_handled"] == 1 and data["versus_baseline"] == Decimal("2.00")


def test_query_count_does_not_grow_with_the_data(year, personas, builder, district):
    f = queries.DashboardFilter(2026)
    with CaptureQueriesContext(connection) as before:
        queries.dashboard(personas.bureau, f)
        queries.statistics(personas.bureau, Period(2026), "enterprise")
    for month in (9, 10):
        builder.closed_general(at(2026, month, 1), at(2026, month, 2), at(2026, month, 5), at(2026, month, 9))
        builder.register(
            at(2026, month, 3),
            actor=personas.bureau,
            enterprise=district.chem,
            source=HazardSource.DEPARTMENT_INSPECTION,
            major=True,
        )
    with CaptureQueriesContext(connection) as after:
        data = queries.dashboard(personas.bureau, f)
        queries.statistics(personas.bureau, Period(2026), "enterprise")
    assert data["funnel"]["total"] == 9
    assert len(after.captured_queries) == len(before.captured_queries)
