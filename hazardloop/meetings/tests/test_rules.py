import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hazardloop.meetings import rules
from hazardloop.meetings.demo import demo_periods, held_on

periods = st.builds(rules.Period, st.integers(2001, 2099), st.integers(1, 12))


@given(periods)
def test_previous_and_next_are_inverse_and_adjacent(period):
    assert period.next.previous == period == period.previous.next
    assert period.previous.last_day + dt.timedelta(days=1) == period.first_day
    assert period.last_day + dt.timedelta(days=1) == period.next.first_day
    assert rules.Period.containing(period.last_day) == period


@given(periods)
def test_meeting_sits_in_the_following_month(period):
    day = rules.usual_meeting_day(period)
    assert rules.Period.containing(day) == period.next and day.day == rules.USUAL_MEETING_DAY
    assert rules.meeting_number("410506", period) == f"LXHY-410506-{period.year}{period.month:02d}"


def test_invalid_month_is_refused():
    with pytest.raises(ValueError):
        rules.Period(2026, 13)


def test_demo_periods_end_with_the_last_meeting_already_held():
    periods = demo_periods(dt.date(2026, 11, 24))
    assert len(periods) == 12 and str(periods[-1]) == "2026-10" and str(periods[0]) == "2025-11"
    # On the 5th the month's meeting has not been held yet.
    assert str(demo_periods(dt.date(2026, 11, 5))[-1]) == "2026-09"
    assert all(held_on(p).weekday() < 5 for p in periods)
