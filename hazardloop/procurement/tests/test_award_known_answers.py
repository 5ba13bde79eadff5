"""以奖代补 allocation worked by hand (rules.allocate_awards), to the fen.

Pool ¥1,000.00 = 100,000 fen; base share 40 % (40,000 fen by spend), results part 60,000 fen by
spend × score; weights coverage 50, closure 30, punctuality 20.

  township  spend     coverage  closure  overdue  score q
  A         300,000   10/10     10/10    0/10     (50 + 30 + 20)/100           = 1
  B         200,000   2/4       3/5      1/5      (25 + 18 + 16)/100           = 0.59
  C         100,000   1/3       none→1   none→0   (50/3 + 30 + 20)/100         = 2/3

Base (fen): A 40,000·3/6 = 20,000; B 13,333.33…; C 6,666.66…
Spend × score: A 300,000; B 118,000; C 66,666.66… ; total 484,666.66… (= 1,454,000/3)
Results (fen): A 60,000·900,000/1,454,000 = 37,138.927…; B 60,000·354,000/1,454,000 = 14,607.978…;
               C 60,000·200,000/1,454,000 = 8,253.094…
Exact totals: A 57,138.927…; B 27,941.311…; C 14,919.761…  → floors 57,138 + 27,941 + 14,919 =
99,998, two fen left; the largest remainders are A (.927) and C (.761): A 57,139, B 27,941,
C 14,920 fen — ¥571.39 + ¥279.41 + ¥149.20 = ¥1,000.00.
Base shown rounded half up: A 200.00, B 133.33, C 66.67; results the rest: 371.39, 146.08, 82.53.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .. import rules

WEIGHTS = rules.AwardWeights(
    base_share=Decimal(40),
    coverage_weight=Decimal(50),
    closure_weight=Decimal(30),
    punctuality_weight=Decimal(20),
)
ROWS = [
    rules.TownshipResults("A", Decimal(300000), enterprises=10, inspected=10, found=10, closed=10, overdue=0),
    rules.TownshipResults("B", Decimal(200000), enterprises=4, inspected=2, found=5, closed=3, overdue=1),
    rules.TownshipResults("C", Decimal(100000), enterprises=3, inspected=1, found=0, closed=0, overdue=0),
]


def test_scores_worked_by_hand():
    shares = rules.allocate_awards(Decimal("1000.00"), WEIGHTS, ROWS)
    assert [s.score for s in shares] == [Fraction(1), Fraction(59, 100), Fraction(2, 3)]
    assert [(s.coverage, s.closure, s.overdue_rate) for s in shares] == [
        (Fraction(1), Fraction(1), Fraction(0)),
        (Fraction(1, 2), Fraction(3, 5), Fraction(1, 5)),
        (Fraction(1, 3), Fraction(1), Fraction(0)),
    ]


def test_amounts_to_the_fen_by_largest_remainder():
    shares = rules.allocate_awards(Decimal("1000.00"), WEIGHTS, ROWS)
    assert [s.amount for s in shares] == [Decimal("571.39"), Decimal("279.41"), Decimal("149.20")]
    assert [s.base_amount for s in shares] == [Decimal("200.00"), Decimal("133.33"), Decimal("66.67")]
    assert [s.results_amount for s in shares] == [Decimal("371.39"), Decimal("146.08"), Decimal("82.53")]


def test_a_pool_of_one_fen_in_three_equal_parts_goes_to_the_first():
    # 1 fen, three townships alike: each is owed 1/3 fen, floors 0, one fen left; equal remainders
    # go in the order given.
    rows = [rules.TownshipResults(k, Decimal(100), enterprises=1, inspected=1) for k in "XYZ"]
    shares = rules.allocate_awards(Decimal("0.01"), WEIGHTS, rows)
    assert [s.amount for s in shares] == [Decimal("0.01"), Decimal("0.00"), Decimal("0.00")]


def test_without_spend_nobody_is_paid():
    rows = [rules.TownshipResults("A", Decimal(0), enterprises=5, inspected=5)]
    assert rules.allocate_awards(Decimal("500.00"), WEIGHTS, rows)[0].amount == Decimal("0.00")
