import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hazardloop.hazards import rules
from hazardloop.hazards.choices import (
    DUE_FIELD_OF_STATE,
    OPEN_STATES,
    OWNER_OF_STATE,
    STAGE_OF_STATE,
    HazardStatus,
    Stage,
    states_in_stage,
)

D = dt.date
# Years the packaged calendar knows, and later ones that fall back on overrides and weekdays.
covered_days = st.dates(min_value=D(2005, 1, 1), max_value=D(2026, 11, 30))
any_days = st.dates(min_value=D(2005, 1, 1), max_value=D(2030, 12, 31))
counts = st.integers(min_value=1, max_value=300)


# --- known holidays -------------------------------------------------------------------------


def test_national_day_week_2026_is_off_and_the_make_up_saturday_is_on():
    for day in range(1, 8):
        assert not rules.is_working_day(D(2026, 10, day))
    assert rules.is_working_day(D(2026, 10, 8))
    assert rules.is_working_day(D(2026, 10, 10))  # Saturday worked in lieu
    assert not rules.is_working_day(D(2026, 10, 11))  # an ordinary Sunday


def test_one_working_day_after_september_30_2026_is_october_8():
    assert rules.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert rules.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert rules.add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)


def test_working_days_across_national_day_count_only_working_days():
    assert rules.working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert rules.working_days_between(D(2026, 10, 9), D(2026, 9, 30)) == 0


def test_calendar_period_ending_on_a_holiday_runs_to_the_next_working_day():
    assert rules.add_calendar_days(D(2026, 9, 24), 7) == D(2026, 10, 8)
    assert rules.add_calendar_days(D(2026, 9, 1), 7) == D(2026, 9, 8)


def test_deadline_from_chooses_calendar_or_working_days():
    assert rules.deadline_from(D(2026, 9, 30), 1, "working") == D(2026, 10, 8)
    assert rules.deadline_from(D(2026, 9, 30), 1, "calendar") == D(2026, 10, 8)
    assert rules.deadline_from(D(2026, 9, 14), 3, "calendar") == D(2026, 9, 17)
    with pytest.raises(ValueError):
        rules.deadline_from(D(2026, 9, 14), 3, "lunar")
    with pytest.raises(ValueError):
        rules.deadline_from(D(2026, 9, 14), -1, "calendar")


def test_uncovered_year_uses_overrides_before_weekdays():
    assert not rules.calendar_covers(2030)
    new_year = D(2030, 1, 1)  # a Tuesday
    assert rules.is_working_day(new_year)
    overrides = {new_year: False, D(2030, 1, 5): True}  # Saturday worked in lieu
    assert not rules.is_working_day(new_year, overrides)
    assert rules.is_working_day(D(2030, 1, 5), overrides)
    assert rules.add_working_days(D(2029, 12, 31), 1, overrides) == D(2030, 1, 2)


def test_override_wins_over_the_packaged_calendar():
    assert rules.is_working_day(D(2026, 10, 9))
    assert not rules.is_working_day(D(2026, 10, 9), {D(2026, 10, 9): False})


def test_extension_must_be_asked_the_configured_working_days_before_the_deadline():
    deadline = D(2026, 10, 12)  # Monday after National Day
    # Counting back from 10-12: 10-10 (the make-up Saturday), 10-09, 10-08.
    assert rules.latest_extension_request_day(deadline, 3) == D(2026, 10, 8)
    assert rules.extension_in_time(D(2026, 10, 8), deadline, 3)
    assert not rules.extension_in_time(D(2026, 10, 9), deadline, 3)
    # Asked during the holiday week, with only three working days left: too late for 20.
    assert not rules.extension_in_time(D(2026, 10, 3), deadline, 20)


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(start=any_days, n=counts)
def test_adding_working_days_lands_on_a_working_day_after_start(start, n):
    end = rules.add_working_days(start, n)
    assert end > start
    assert rules.is_working_day(end)
    assert rules.working_days_between(start, end) == n


@settings(max_examples=200, deadline=None)
@given(start=any_days, n=counts)
def test_adding_more_working_days_never_lands_earlier(start, n):
    assert rules.add_working_days(start, n) < rules.add_working_days(start, n + 1)


@settings(max_examples=200, deadline=None)
@given(start=covered_days, n=counts)
def test_subtracting_undoes_adding_from_a_working_day(start, n):
    day = rules.next_working_day(start)
    assert rules.add_working_days(rules.add_working_days(day, n), -n) == day


@settings(max_examples=200, deadline=None)
@given(start=any_days, n=st.integers(min_value=0, max_value=400))
def test_calendar_deadline_is_a_working_day_within_the_longest_holiday_of_the_period(start, n):
    end = rules.add_calendar_days(start, n)
    assert rules.is_working_day(end)
    # The longest run of rest days (Spring Festival, National Day) is under two weeks.
    assert start + dt.timedelta(days=n) <= end < start + dt.timedelta(days=n + 14)


@settings(max_examples=100, deadline=None)
@given(deadline=covered_days, notice=st.integers(min_value=0, max_value=30))
def test_the_latest_request_day_leaves_exactly_the_notice_period(deadline, notice):
    latest = rules.latest_extension_request_day(deadline, notice)
    assert latest <= deadline
    if notice:
        assert rules.working_days_between(latest, deadline) >= notice - 1
        assert rules.working_days_between(latest, deadline) <= notice


# --- routing --------------------------------------------------------------------------------


def test_highest_priority_matching_rule_wins():
    rules_ = [
        rules.RouteCandidate(target=1, priority=10, industry_prefix="06"),
        rules.RouteCandidate(target=2, priority=20, category="fire"),
        rules.RouteCandidate(target=3, priority=99, industry_prefix="26"),
    ]
    assert rules.best_route(rules_, "0610", "fire", None).target == 2
    assert rules.best_route(rules_, "0610", "production", None).target == 1
    assert rules.best_route(rules_, "3410", "production", None) is None


def test_equal_priority_prefers_the_more_specific_then_the_first_defined():
    rules_ = [
        rules.RouteCandidate(target=1, industry_prefix="06", order=1),
        rules.RouteCandidate(target=2, industry_prefix="0610", order=2),
        rules.RouteCandidate(target=3, category="explosives", order=3),
        rules.RouteCandidate(target=4, industry_prefix="", order=4),
        rules.RouteCandidate(target=5, industry_prefix="", order=5),
    ]
    assert rules.best_route(rules_, "0610", "production", None).target == 2
    assert rules.best_route(rules_, "0610", "explosives", None).target == 3
    assert rules.best_route(rules_, "3410", "production", None).target == 4


def test_township_restricted_rule_matches_only_there():
    rule = rules.RouteCandidate(target=1, township_id=7)
    assert rule.matches("0610", "production", 7)
    assert not rule.matches("0610", "production", 8)


def test_numbers_have_their_fixed_shape():
    assert rules.hazard_number("410506", 2026, 123) == "YH-410506-2026-000123"
    assert rules.notice_number("区应急管理局", 2026, 7) == "区应急管理局整改〔2026〕7号"


# --- the one mapping of states --------------------------------------------------------------


def test_every_state_has_one_stage_and_every_open_state_an_owner():
    assert set(STAGE_OF_STATE) == set(HazardStatus.values)
    assert set(OWNER_OF_STATE) == set(OPEN_STATES)
    assert set(DUE_FIELD_OF_STATE) <= set(OPEN_STATES)
    assert states_in_stage(Stage.HANDLING) == [HazardStatus.UNDER_ENFORCEMENT]
    assert states_in_stage(Stage.FEEDBACK) == []  # a milestone, not a state
