"""Pure evaluation rules: periods, KPI scores, the weighted total and the payment factor.
No ORM here; services gather the counts and call these.

KPI score. Every KPI's raw value v (a share, a rate or a mean) becomes 0–100 by one linear rule
with two configured anchors: `target`, the value that earns 100, and `zero_at`, the value that
earns 0:
    score = 100 × clamp((v − zero_at) / (target − zero_at), 0, 1)
A KPI where more is better has target > zero_at (coverage: 100 % → 100, 50 % → 0); one where
less is better has target < zero_at (breaches per inspection: 0 → 100, 0.5 → 0). Scores are
rounded to two decimals.

Total. Σ weight × score ÷ Σ weight over the KPIs that have a value. A KPI with nothing to measure
in the period (no visits planned, no re-inspection due, no rating given) is left out and the
others' weights are scaled up, rather than counted as 0 or 100: neither would be true.

Payment factor (a contract's rule, defaults in settings.EVALUATION_PAYMENT_RULE):
    score ≥ full_score                 → 100 %
    floor_score ≤ score < full_score   → 100 % − (full_score − score) × deduct_per_point %
    score < floor_score                → floor_share %
The rule is valid only if the sliding part never goes below 0 and the floor share is not above
the slide's lowest point, so that a higher score never pays less.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- periods ------------------------------------------------------------------------------------

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIOD_KINDS = (MONTH, QUARTER, YEAR)


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year. `index` is the month (1–12) or quarter (1–4); 1 for a
    year."""

    kind: str
    year: int
    index: int = 1

    def __post_init__(self):
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        top = {MONTH: 12, QUARTER: 4, YEAR: 1}[self.kind]
        if not 1 <= self.index <= top or not 1900 <= self.year <= 9999:
            raise ValueError("period out of range")

    @property
    def start(self) -> dt.date:
        month = {MONTH: self.index, QUARTER: 3 * self.index - 2, YEAR: 1}[self.kind]
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        month = {MONTH: self.index, QUARTER: 3 * self.index, YEAR: 12}[self.kind]
        return dt.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == QUARTER:
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年度"

    @classmethod
    def of(cls, kind: str, start: dt.date) -> Period:
        """The period of `kind` that contains `start`."""
        index = {MONTH: start.month, QUARTER: (start.month - 1) // 3 + 1, YEAR: 1}[kind]
        return cls(kind, start.year, index)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


# --- KPI scores ----------------------------------------------------------------------------------


def linear_score(value: Decimal | None, target: Decimal, zero_at: Decimal) -> Decimal | None:
    """0–100 for `value` between the anchors (see the module docstring); None stays None."""
    if value is None:
        return None
    if target == zero_at:
        raise ValueError("target and zero_at must differ")
    fraction = (Decimal(value) - zero_at) / (target - zero_at)
    fraction = min(Decimal(1), max(Decimal(0), fraction))
    return round2(HUNDRED * fraction)


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator ÷ denominator to four decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def covered_visits(planned: int, marked_done: int, inspected: int) -> int:
    """Planned visits of one enterprise counted as done: a visit marked done in the plan, or one
    an inspection record of the contract at that enterprise in the period answers. Inspections
    carry no link to a planned visit, so a visit marked done is taken to be one of the
    inspections (max, not sum), and no more visits are done than were planned."""
    if min(planned, marked_done, inspected) < 0:
        raise ValueError("counts cannot be negative")
    return min(planned, max(marked_done, inspected))


def expected_findings(visits_by_class: Mapping[str, int], per_visit: Mapping[str, Decimal]) -> Decimal:
    """Σ visits × the expected findings a visit for each enterprise class."""
    return sum(
        (Decimal(n) * Decimal(per_visit.get(cls, 0)) for cls, n in visits_by_class.items()), Decimal(0)
    )


def mean(values: Iterable[int]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def weighted_total(weighted_scores: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Σ w × s ÷ Σ w over the pairs whose score is not None (and weight > 0); None if none."""
    pairs = [(Decimal(w), Decimal(s)) for w, s in weighted_scores if s is not None and w > 0]
    weight = sum((w for w, _s in pairs), Decimal(0))
    if not weight:
        return None
    return round2(sum((w * s for w, s in pairs), Decimal(0)) / weight)


def weights_problem(weights: Iterable[Decimal]) -> str | None:
    """Why these KPI weights cannot be used, or None. They are 0–100 and add up to 100."""
    weights = [Decimal(w) for w in weights]
    if any(w < 0 or w > HUNDRED for w in weights):
        return "各项权重应在0到100之间。"
    total = sum(weights, Decimal(0))
    if total != HUNDRED:
        return f"各项权重之和应为100，现为{total.normalize():f}。"
    return None


def anchors_problem(target: Decimal, zero_at: Decimal) -> str | None:
    if Decimal(target) == Decimal(zero_at):
        return "满分值与零分值不能相同。"
    return None


# --- payment -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentRule:
    """How a contract's score adjusts what it pays (percentages and points, see the module
    docstring)."""

    full_score: Decimal = Decimal(90)
    deduct_per_point: Decimal = Decimal(1)
    floor_score: Decimal = Decimal(60)
    floor_share: Decimal = Decimal(50)

    @classmethod
    def from_mapping(cls, value: Mapping | None) -> PaymentRule:
        value = value or {}
        return cls(**{k: Decimal(str(value[k])) for k in cls.__dataclass_fields__ if k in value})

    def as_dict(self) -> dict[str, str]:
        return {k: str(getattr(self, k)) for k in self.__dataclass_fields__}


def payment_rule_problems(rule: PaymentRule) -> dict[str, str]:
    """Field → Chinese message for a rule that cannot be applied; empty when it is sound."""
    out = {}
    if not 0 <= rule.full_score <= HUNDRED:
        out["full_score"] = "全额支付分数线应在0到100之间。"
    if not 0 <= rule.floor_score <= rule.full_score:
        out["floor_score"] = "保底分数线应在0到全额支付分数线之间。"
    if rule.deduct_per_point < 0:
        out["deduct_per_point"] = "每分扣减比例不能为负数。"
    lowest_slide = HUNDRED - (rule.full_score - rule.floor_score) * rule.deduct_per_point
    if not out and lowest_slide < 0:
        out["deduct_per_point"] = "按此扣减比例，保底分数线处的支付比例将低于0。"
    if not 0 <= rule.floor_share <= HUNDRED:
        out["floor_share"] = "保底支付比例应在0到100之间。"
    elif not out and rule.floor_share > lowest_slide:
        out["floor_share"] = (
            f"保底支付比例不能高于保底分数线处的支付比例（{lowest_slide.normalize():f}%），否则得分越低支付越多。"
        )
    return out


def payment_share(score: Decimal, rule: PaymentRule) -> Decimal:
    """The percentage (0–100, two decimals) of a milestone paid at `score`."""
    score = Decimal(score)
    if score >= rule.full_score:
        return HUNDRED
    if score < rule.floor_score:
        return round2(rule.floor_share)
    return round2(HUNDRED - (rule.full_score - score) * rule.deduct_per_point)


def adjusted_amount(amount: Decimal, share: Decimal) -> Decimal:
    """The milestone amount × share %, to the fen."""
    return round2(Decimal(amount) * Decimal(share) / HUNDRED)
