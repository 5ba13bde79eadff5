"""The pure evaluation rules: periods, linear KPI scores, the weighted total and the payment
factor, checked against their definitions over generated inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .. import rules

decimals = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
scores = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
weights = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(kind=st.sampled_from(rules.PERIOD_KINDS), day=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_period_of_a_day_contains_it_and_is_adjacent_to_the_next(kind, day):
    period = rules.Period.of(kind, day)
    assert period.contains(day)
    assert period.start <= day <= period.end
    following = rules.Period.of(kind, period.end + dt.timedelta(days=1))
    assert following.start == period.end + dt.timedelta(days=1)
    assert rules.Period.of(kind, period.start) == period


def test_quarter_bounds_and_labels():
    q3 = rules.Period("quarter", 2026, 3)
    assert (q3.start, q3.end, q3.label) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第3季度")
    assert rules.Period("month", 2028, 2).end == dt.date(2028, 2, 29)
    with pytest.raises(ValueError):
        rules.Period("quarter", 2026, 5)


@given(value=decimals, target=decimals, zero_at=decimals)
def test_linear_score_is_clamped_and_hits_its_anchors(value, target, zero_at):
    assume(target != zero_at)
    score = rules.linear_score(value, target, zero_at)
    assert Decimal(0) <= score <= Decimal(100)
    assert rules.linear_score(target, target, zero_at) == 100
    assert rules.linear_score(zero_at, target, zero_at) == 0


@given(a=decimals, b=decimals, target=decimals, zero_at=decimals)
def test_linear_score_moves_towards_the_target(a, b, target, zero_at):
    assume(target != zero_at)
    low, high = sorted((a, b))
    s_low, s_high = rules.linear_score(low, target, zero_at), rules.linear_score(high, target, zero_at)
    if target > zero_at:
        assert s_low <= s_high
    else:
        assert s_low >= s_high


def test_linear_score_of_nothing_is_nothing():
    assert rules.linear_score(None, Decimal(1), Decimal(0)) is None
    with pytest.raises(ValueError):
        rules.linear_score(Decimal(1), Decimal(1), Decimal(1))


@given(planned=st.integers(0, 50), marked=st.integers(0, 50), inspected=st.integers(0, 50))
def test_covered_visits_never_exceed_plan_nor_evidence(planned, marked, inspected):
    done = rules.covered_visits(planned, marked, inspected)
    assert 0 <= done <= planned
    assert done <= max(marked, inspected)
    assert done == planned or done == max(marked, inspected)


@given(pairs=st.lists(st.tuples(weights, st.one_of(st.none(), scores)), max_size=8))
def test_weighted_total_is_a_weighted_mean_of_the_present_scores(pairs):
    total = rules.weighted_total(pairs)
    present = [(w, s) for w, s in pairs if s is not None and w > 0]
    if not present:
        assert total is None
        return
    assert (
        min(s for _w, s in present) - Decimal("0.01")
        <= total
        <= max(s for _w, s in present) + Decimal("0.01")
    )
    expected = sum(w * s for w, s in present) / sum(w for w, _s in present)
    assert abs(total - expected) <= Decimal("0.005")


def test_weighted_total_leaves_out_kpis_without_a_value():
    # 60 × 80 + 40 × 50 over weight 100 = 68; a missing KPI scales the others up instead of zeroing.
    assert rules.weighted_total([(Decimal(60), Decimal(80)), (Decimal(40), Decimal(50))]) == Decimal("68.00")
    assert rules.weighted_total([(Decimal(60), Decimal(80)), (Decimal(40), None)]) == Decimal("80.00")


@given(ws=st.lists(weights, min_size=1, max_size=8))
def test_weights_problem_accepts_exactly_a_hundred(ws):
    problem = rules.weights_problem(ws)
    assert (problem is None) == (sum(ws) == 100)


rules_strategy = st.builds(
    rules.PaymentRule,
    full_score=scores,
    deduct_per_point=st.decimals(min_value=0, max_value=10, places=2),
    floor_score=scores,
    floor_share=scores,
)


@given(rule=rules_strategy, a=scores, b=scores)
def test_a_sound_rule_never_pays_less_for_a_higher_score(rule, a, b):
    assume(not rules.payment_rule_problems(rule))
    low, high = sorted((a, b))
    share_low, share_high = rules.payment_share(low, rule), rules.payment_share(high, rule)
    assert Decimal(0) <= share_low <= share_high <= Decimal(100)


@given(rule=rules_strategy, score=scores)
def test_payment_share_follows_its_three_bands(rule, score):
    assume(not rules.payment_rule_problems(rule))
    share = rules.payment_share(score, rule)
    if score >= rule.full_score:
        assert share == 100
    elif score < rule.floor_score:
        assert share == rule.floor_share
    else:
        assert share == rules.round2(100 - (rule.full_score - score) * rule.deduct_per_point)


def test_default_rule_examples():
    rule = rules.PaymentRule()  # 90 full, 1 % a point, below 60 pays 50 %
    assert rules.payment_share(Decimal("95"), rule) == 100
    assert rules.payment_share(Decimal("84.5"), rule) == Decimal("94.50")
    assert rules.payment_share(Decimal("60"), rule) == Decimal("70.00")
    assert rules.payment_share(Decimal("59.99"), rule) == Decimal("50.00")
    assert rules.adjusted_amount(Decimal("12345.67"), Decimal("94.50")) == Decimal("11666.66")


def test_unsound_rules_are_named():
    assert "floor_share" in rules.payment_rule_problems(rules.PaymentRule(floor_share=Decimal(80)))
    assert "deduct_per_point" in rules.payment_rule_problems(
        rules.PaymentRule(deduct_per_point=Decimal(5), floor_score=Decimal(0))
    )
    assert "floor_score" in rules.payment_rule_problems(rules.PaymentRule(floor_score=Decimal(95)))
    assert rules.payment_rule_problems(rules.PaymentRule()) == {}


@given(amount=st.decimals(min_value=0, max_value=10**9, places=2), share=scores)
def test_adjusted_amount_is_at_most_the_amount(amount, share):
    adjusted = rules.adjusted_amount(amount, share)
    assert Decimal(0) <= adjusted <= amount
    assert abs(adjusted - amount * share / 100) <= Decimal("0.005")
