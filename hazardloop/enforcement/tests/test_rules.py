import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hazardloop.enforcement import rules
from hazardloop.enforcement.choices import ActionKind

BASE = dt.date(2026, 1, 1)
days = st.integers(min_value=-800, max_value=800).map(lambda n: BASE + dt.timedelta(days=n))


def brute(dates, on, window):
    return sum(1 for d in dates if 0 <= (on - d).days < window)


@given(st.lists(days, max_size=30), days)
def test_counter_matches_a_brute_force_count(dates, on):
    count = rules.repeat_count(dates, on)
    assert count.short == brute(dates, on, 180)
    assert count.long == brute(dates, on, 365)
    assert count.flagged == (count.short >= 3 or count.long >= 4)


@given(st.lists(days, max_size=30), days, st.integers(1, 6), st.integers(1, 8))
def test_thresholds_are_configurable(dates, on, short, long):
    count = rules.repeat_count(dates, on, short_threshold=short, long_threshold=long)
    assert count.flagged == (brute(dates, on, 180) >= short or brute(dates, on, 365) >= long)


@given(st.lists(days, max_size=20), days)
def test_short_window_never_exceeds_long_window(dates, on):
    count = rules.repeat_count(dates, on)
    assert count.short <= count.long <= len(dates)


def test_window_edges():
    on = dt.date(2026, 11, 24)
    assert rules.repeat_count([on - dt.timedelta(days=179)], on).short == 1
    assert rules.repeat_count([on - dt.timedelta(days=180)], on).short == 0
    assert rules.repeat_count([on - dt.timedelta(days=364)], on).long == 1
    assert rules.repeat_count([on - dt.timedelta(days=365)], on).long == 0
    assert rules.repeat_count([on + dt.timedelta(days=1)], on).long == 0


def test_three_in_180_days_or_four_in_a_year_flag():
    on = dt.date(2026, 11, 24)
    three = [on - dt.timedelta(days=n) for n in (0, 60, 170)]
    assert rules.repeat_count(three, on).flagged
    spread = [on - dt.timedelta(days=n) for n in (0, 200, 300)]
    assert not rules.repeat_count(spread, on).flagged
    assert rules.repeat_count([*spread, on - dt.timedelta(days=350)], on).flagged


def test_crossing_is_only_the_step_into_the_flag():
    on = dt.date(2026, 11, 24)
    two = [on, on]
    assert rules.crosses(rules.repeat_count(two, on), rules.repeat_count([*two, on], on))
    assert not rules.crosses(rules.repeat_count([*two, on], on), rules.repeat_count([*two, on, on], on))


def test_penalty_classification_follows_administrative_penalty_law():
    assert rules.is_penalty(ActionKind.FINE)
    assert rules.is_penalty(ActionKind.WARNING)
    assert rules.is_penalty(ActionKind.HALT_FOR_RECTIFICATION)
    assert rules.is_penalty(ActionKind.LICENCE)
    assert rules.is_penalty(ActionKind.DAILY_PENALTY)
    assert not rules.is_penalty(ActionKind.ORDER_RECTIFY_BY_DEADLINE)
    assert not rules.is_penalty(ActionKind.SEAL_OR_SEIZE)
    assert not rules.is_penalty(ActionKind.PROPOSE_CLOSURE)
    assert not rules.is_penalty(ActionKind.INTERVIEW)
