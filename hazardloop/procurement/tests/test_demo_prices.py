"""The demo reproduces the case study's 2012 purchase: ¥320,000 for the district (seed), split
among the townships by weight in whole ¥1,000s. Expected splits worked by hand."""

from decimal import Decimal as D

from ..demo import CASE_PURCHASE, split_purchase


def test_the_case_purchase_is_the_seeds_figure():
    # "政府 2012 年实际支付的服务费用为 32 万元"
    assert D(320_000) == CASE_PURCHASE


def test_equal_weights_share_the_odd_thousands_in_key_order():
    # 320 thousands / 3 = 106.67 each: 106 + 106 + 106 = 318, the 2 left go to a and b.
    assert split_purchase({"a": D(1), "b": D(1), "c": D(1)}) == {
        "a": D(107_000),
        "b": D(107_000),
        "c": D(106_000),
    }


def test_the_largest_remainders_get_the_thousands_left():
    # 10 thousands by 5:3:2 of a total 10 → 5, 3, 2 exactly; by 1:1:1:4 of 10 → 1.43, 1.43, 1.43,
    # 5.71: floors 1+1+1+5 = 8, the 2 left to the largest remainders .71 (d) and .43 (a, first).
    assert split_purchase({"a": D(5), "b": D(3), "c": D(2)}, D(10_000)) == {
        "a": D(5000),
        "b": D(3000),
        "c": D(2000),
    }
    assert split_purchase({"a": D(1), "b": D(1), "c": D(1), "d": D(4)}, D(10_000)) == {
        "a": D(2000),
        "b": D(1000),
        "c": D(1000),
        "d": D(6000),
    }


def test_any_weights_add_up_to_the_purchase_exactly():
    weights = {f"4105060{n:02d}": D(5000 + 550 * n + 300 * (n % 4)) for n in range(13)}
    assert sum(split_purchase(weights).values()) == D(320_000)
