import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazardloop.analytics import rules
from hazardloop.analytics.rules import Period


def test_quarter_bounds_and_due_date_follow_order_16_art_14():
    q3 = Period(2026, 3)
    assert (q3.start, q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    # Quarterly table by the 15th of the month after the quarter (domain.md §1.1).
    assert q3.due() == dt.date(2026, 10, 15)
    assert Period(2026, 4).due() == dt.date(2027, 1, 15)
    # Annual table by 31 January.
    assert Period(2026).due() == dt.date(2027, 1, 31)
    assert (Period(2026).start, Period(2026).end) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def test_due_dates_are_configurable():
    assert Period(2026, 1).due(quarterly_day=10) == dt.date(2026, 4, 10)
    assert Period(2026).due(annual_month_day=(2, 15)) == dt.date(2027, 2, 15)


def test_parse_and_labels():
    assert Period.parse("2026q2") == Period(2026, 2)
    assert Period.parse("2025") == Period(2025)
    assert Period(2026, 2).label == "2026年第2季度"
    assert Period(2026).label == "2026年度"
    with pytest.raises(ValueError):
        Period.parse("2026Q5")
    with pytest.raises(ValueError):
        Period.parse("二〇二六")


def test_previous_period_wraps_the_year():
    assert Period(2026, 1).previous() == Period(2025, 4)
    assert Period(2026, 3).previous() == Period(2026, 2)
    assert Period(2026).previous() == Period(2025)


def test_periods_due_within_the_reminder_window():
    # 10 January: Q4 due 15 Jan is within 7 days; the annual table (31 Jan) is not yet.
    assert rules.periods_due_within(dt.date(2027, 1, 10), 7) == [(Period(2026, 4), dt.date(2027, 1, 15))]
    assert rules.periods_due_within(dt.date(2027, 1, 25), 7) == [(Period(2026), dt.date(2027, 1, 31))]
    assert rules.periods_due_within(dt.date(2026, 10, 8), 7) == [(Period(2026, 3), dt.date(2026, 10, 15))]
    assert rules.periods_due_within(dt.date(2026, 10, 16), 7) == []
    assert rules.periods_due_within(dt.date(2026, 11, 24), 7) == []


def test_rate_and_ratio():
    assert rules.rate(1, 3) == Decimal("33.3")
    assert rules.rate(2, 3) == Decimal("66.7")
    assert rules.rate(0, 0) is None
    assert rules.ratio(900, 300) == Decimal("3.00")
    assert rules.ratio(1, 0) is None


def test_staff_cost_reproduces_the_case_study():
    # 439 enterprises at 30 posts per 439 and ¥30,000 a post: the case's ¥900,000 a year.
    cost = rules.staff_cost_replaced(
        439, posts_per_enterprise=Decimal(30) / Decimal(439), cost_per_post=Decimal(30000)
    )
    assert cost == Decimal("900000")


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=50))
def test_median_splits_the_values(values):
    values = sorted(values)
    m = rules.median(values)
    assert sum(v < m for v in values) <= len(values) // 2
    assert sum(v > m for v in values) <= len(values) // 2


@given(st.integers(min_value=1901, max_value=2998), st.sampled_from([None, 1, 2, 3, 4]))
def test_periods_tile_the_year(year, quarter):
    period = Period(year, quarter)
    assert period.start < period.end
    assert period.due() >= period.end
    if quarter and quarter > 1:
        assert period.previous().end == period.start
