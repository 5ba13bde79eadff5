"""Pure procurement rules: contract standards, term limits, entry conditions and bid scoring.
No ORM here; services gather the facts and call these.

Sources (see ../shared/domain.md §3):
- 财政部令第102号 Art. 23: a contract states content, term, quantity, quality, price, settlement
  method, rights and duties and breach liability, and is published. Art. 24: the term is at most
  one year, at most three for a stable, continuous service with secure funding and price.
- Entry conditions for third-party safety services (§3.2, Zhejiang 2020 as the model): at least
  100 m² of office, at least 5 full-time qualified engineers (registered safety or fire engineers,
  assessors, mid-title engineers) and no major violation in the last three years.
- Experts per visit and visits per year: the Longan case study (ordinary ≥ 2, large/medium ≥ 3,
  high-risk 3–5), whose team sizes live in registry.rules.required_team_size — the one source the
  contract standard's defaults are taken from.

Bid scoring (综合评分法): each criterion has a weight; the weights add up to 100. Technical
criteria are scored 0–100 by the evaluators. The price criterion is computed, never typed: the
lowest valid bid price is the benchmark and every bid's price score is
    price_score = benchmark / bid price × 100          (the lowest bid scores 100)
and a bid's total is Σ weight × score / 100, rounded to two decimals, so totals run 0–100.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hazardloop.registry.rules import SizeClass, TeamSize, required_team_size

# --- contract standards ---------------------------------------------------------------------

_ORDINARY = required_team_size(SizeClass.SMALL, False)
_LARGE_MEDIUM = required_team_size(SizeClass.LARGE, False)
_HIGH_RISK = required_team_size(SizeClass.SMALL, True)

DEFAULT_TEAM = {
    "team_ordinary_min": _ORDINARY.minimum,
    "team_ordinary_max": _ORDINARY.maximum,
    "team_large_medium_min": _LARGE_MEDIUM.minimum,
    "team_large_medium_max": _LARGE_MEDIUM.maximum,
    "team_high_risk_min": _HIGH_RISK.minimum,
    "team_high_risk_max": _HIGH_RISK.maximum,
}
# Inspections per enterprise per year by class (the planner's defaults: high-risk once a
# quarter, large/medium twice a year, others once).
DEFAULT_VISITS = {"visits_ordinary": 1, "visits_large_medium": 2, "visits_high_risk": 4}
DEFAULT_REPORT_DAYS = 7  # the inspection report is due this many days after the visit
DEFAULT_REINSPECTION_WORKING_DAYS = 5  # re-inspection this many working days after rectification


@dataclass(frozen=True)
class ContractStandard:
    """What a contract fixes about the service (服务标准). Any object with these attributes
    (a ServiceContract included) can stand in for it in the functions below."""

    visits_ordinary: int = DEFAULT_VISITS["visits_ordinary"]
    visits_large_medium: int = DEFAULT_VISITS["visits_large_medium"]
    visits_high_risk: int = DEFAULT_VISITS["visits_high_risk"]
    team_ordinary_min: int = DEFAULT_TEAM["team_ordinary_min"]
    team_ordinary_max: int | None = DEFAULT_TEAM["team_ordinary_max"]
    team_large_medium_min: int = DEFAULT_TEAM["team_large_medium_min"]
    team_large_medium_max: int | None = DEFAULT_TEAM["team_large_medium_max"]
    team_high_risk_min: int = DEFAULT_TEAM["team_high_risk_min"]
    team_high_risk_max: int | None = DEFAULT_TEAM["team_high_risk_max"]
    report_days: int = DEFAULT_REPORT_DAYS
    reinspection_working_days: int = DEFAULT_REINSPECTION_WORKING_DAYS


def enterprise_class(size_class: str, high_risk: bool) -> str:
    """high_risk, large_medium or ordinary; high risk wins over size (as in registry.rules)."""
    if high_risk:
        return "high_risk"
    return "large_medium" if str(size_class) in (SizeClass.LARGE, SizeClass.MEDIUM) else "ordinary"


def team_requirement(contract_standard, size_class: str, high_risk: bool) -> TeamSize:
    """Experts per inspection visit for an enterprise of this class under the contract."""
    kind = enterprise_class(size_class, high_risk)
    return TeamSize(
        getattr(contract_standard, f"team_{kind}_min"), getattr(contract_standard, f"team_{kind}_max")
    )


def visits_required(contract_standard, size_class: str, high_risk: bool) -> int:
    """Inspections per enterprise per year for an enterprise of this class under the contract."""
    return getattr(contract_standard, f"visits_{enterprise_class(size_class, high_risk)}")


def standard_problems(standard) -> dict[str, str]:
    """Field → Chinese message for a standard that cannot be served (empty when it is sound)."""
    out: dict[str, str] = {}
    for kind, label in (("ordinary", "一般企业"), ("large_medium", "大中型企业"), ("high_risk", "高危企业")):
        low, high = getattr(standard, f"team_{kind}_min"), getattr(standard, f"team_{kind}_max")
        if low is None or low < 1:
            out[f"team_{kind}_min"] = f"{label}每次检查至少需 1 名专家。"
        elif high is not None and high < low:
            out[f"team_{kind}_max"] = f"{label}每次检查专家人数上限不能小于下限（{low}）。"
        visits = getattr(standard, f"visits_{kind}")
        if visits is None or not 1 <= visits <= 12:
            out[f"visits_{kind}"] = f"{label}每年排查次数应在 1–12 次之间。"
    return out


# --- term -----------------------------------------------------------------------------------


def years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_problem(
    start: dt.date, end: dt.date, *, stable: bool, normal_years: int = 1, stable_years: int = 3
) -> str | None:
    """None when the period is ordered and within the term limit, else the Chinese reason.
    A term of N years ends at the latest on the day before the same date N years on."""
    if end < start:
        return "服务结束日期不能早于开始日期。"
    years = stable_years if stable else normal_years
    if end >= years_later(start, years):
        if stable:
            return f"服务期限不能超过 {years} 年（稳定持续的服务，财政部令第102号第二十四条）。"
        return (
            f"服务期限不能超过 {years} 年（财政部令第102号第二十四条）；"
            f"确属稳定持续、经费和价格稳定的服务可标为“稳定服务”，期限最长 {stable_years} 年。"
        )
    return None


# --- entry conditions -----------------------------------------------------------------------

QUALIFYING_CERTIFICATES = frozenset({"rse", "assessor", "fire_engineer"})
MID_TITLE_WORDS = ("工程师",)
JUNIOR_TITLE_WORDS = ("助理", "技术员")


@dataclass(frozen=True)
class EntryConditions:
    min_qualified_engineers: int = 5
    min_office_area_m2: int = 100
    violation_free_years: int = 3

    @classmethod
    def from_setting(cls, value: Mapping | None) -> EntryConditions:
        return cls(**dict(value or {}))


@dataclass(frozen=True)
class EngineerFacts:
    full_time: bool
    active: bool
    title: str
    certificates: tuple[tuple[str, dt.date | None], ...] = ()  # (kind, expires)


@dataclass(frozen=True)
class ProviderFacts:
    name: str
    active: bool
    office_area_m2: int
    major_violation_date: dt.date | None
    engineers: tuple[EngineerFacts, ...] = field(default_factory=tuple)


def is_mid_title(title: str) -> bool:
    return any(w in title for w in MID_TITLE_WORDS) and not any(w in title for w in JUNIOR_TITLE_WORDS)


def is_qualified_engineer(engineer: EngineerFacts, on: dt.date) -> bool:
    """Full-time, in post, at least a mid title (工程师 and above, 助理工程师 not) and a valid
    registration (注册安全工程师, 安全评价师 or 注册消防工程师) on the day."""
    if not (engineer.full_time and engineer.active and is_mid_title(engineer.title)):
        return False
    return any(
        kind in QUALIFYING_CERTIFICATES and (expires is None or expires >= on)
        for kind, expires in engineer.certificates
    )


def entry_condition_failures(facts: ProviderFacts, conditions: EntryConditions, on: dt.date) -> list[str]:
    """Each entry condition the provider does not meet on the day, as a Chinese sentence with the
    numbers; an empty list means the provider may bid."""
    out = []
    if not facts.active:
        out.append("该机构当前被暂停或取消资格。")
    qualified = sum(1 for e in facts.engineers if is_qualified_engineer(e, on))
    if qualified < conditions.min_qualified_engineers:
        out.append(
            f"专职合格工程师仅 {qualified} 人，少于要求的 {conditions.min_qualified_engineers} 人"
            "（专职、在岗、工程师及以上职称且持有效注册安全工程师/安全评价师/注册消防工程师证书）。"
        )
    if facts.office_area_m2 < conditions.min_office_area_m2:
        out.append(f"办公场所 {facts.office_area_m2} ㎡，小于要求的 {conditions.min_office_area_m2} ㎡。")
    if facts.major_violation_date is not None:
        since = years_later(on, -conditions.violation_free_years)
        if facts.major_violation_date > since:
            out.append(
                f"{facts.major_violation_date:%Y-%m-%d} 有重大违法记录，"
                f"未满 {conditions.violation_free_years} 年。"
            )
    return out


# --- scoring --------------------------------------------------------------------------------

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def price_scores(prices: Mapping[object, Decimal]) -> dict[object, Decimal]:
    """Low-price benchmark: the lowest price scores 100, others benchmark / price × 100."""
    valid = {k: Decimal(p) for k, p in prices.items() if Decimal(p) > 0}
    if not valid:
        return {}
    low = min(valid.values())
    return {k: _round(low / p * HUNDRED) for k, p in valid.items()}


def weights_problem(weights: Iterable[Decimal]) -> str | None:
    weights = [Decimal(w) for w in weights]
    if not weights:
        return "至少需要一项评分标准。"
    if any(w <= 0 for w in weights):
        return "每项评分标准的权重必须大于 0。"
    if sum(weights) != HUNDRED:
        return f"评分标准权重合计应为 100，现为 {sum(weights).normalize():f}。"
    return None


def weighted_total(weighted_scores: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ weight × score / 100 over (weight, score 0–100) pairs."""
    return _round(sum((Decimal(w) * Decimal(s) for w, s in weighted_scores), Decimal(0)) / HUNDRED)


# --- 以奖代补 awards ------------------------------------------------------------------------------
#
# The district pays part of the townships' service money back as awards (以奖代补, case study
# line 21). The year's pool P is split in two by the published formula:
#
#   base part     B = P × base_share / 100, shared in proportion to each township's contract
#                 spend in the year s_i (money the township actually committed to the service);
#   results part  R = P − B, shared in proportion to s_i × q_i, the spend weighted by the
#                 township's results score q_i ∈ [0, 1]:
#
#       q_i = (w_cov × coverage_i + w_close × closure_i + w_punct × (1 − overdue_rate_i)) / 100
#
#   coverage_i     contract enterprises inspected in the year / contract enterprises;
#   closure_i      hazards found in the year that are closed / hazards found in the year;
#   overdue_rate_i of those, open past their deadline / found (the penalty, as 1 − rate so a
#                  score never goes below zero).
#
# A township with no hazards found scores closure 1 and overdue 0 (nothing left undone); its
# coverage still has to show the inspections were made. A township without spend gets nothing:
# the award supplements a purchase, it does not replace one. When every township's results score
# is 0 the results part follows spend as the base part does, so the pool is always paid out in
# full once anyone has spend. Amounts are rounded to the fen by the largest remainder, so they add
# up to the pool exactly.

AWARD_WEIGHT_FIELDS = ("coverage_weight", "closure_weight", "punctuality_weight")


@dataclass(frozen=True)
class AwardWeights:
    base_share: Decimal  # % of the pool shared by spend alone
    coverage_weight: Decimal  # the three results weights add up to 100
    closure_weight: Decimal
    punctuality_weight: Decimal


@dataclass(frozen=True)
class TownshipResults:
    key: object
    spend: Decimal
    enterprises: int = 0  # contract enterprises
    inspected: int = 0  # of them, inspected in the year
    found: int = 0  # hazards found in the year
    closed: int = 0  # of them, closed
    overdue: int = 0  # of them, open past their deadline


@dataclass(frozen=True)
class AwardShare:
    key: object
    coverage: Fraction
    closure: Fraction
    overdue_rate: Fraction
    score: Fraction  # 0–1
    base_amount: Decimal
    results_amount: Decimal
    amount: Decimal


def award_formula_problems(pool, weights: AwardWeights) -> dict[str, str]:
    """Chinese messages by field for a formula that cannot be published; empty when sound."""
    problems: dict[str, str] = {}
    if pool is None or Decimal(pool) < 0:
        problems["pool"] = "奖补资金总额不能为负数。"
    if not Decimal(0) <= weights.base_share <= HUNDRED:
        problems["base_share"] = "基础部分占比应在 0–100 之间。"
    values = [getattr(weights, f) for f in AWARD_WEIGHT_FIELDS]
    if any(v < 0 for v in values):
        problems["coverage_weight"] = "各项绩效权重不能为负数。"
    elif sum(values) != HUNDRED:
        problems["coverage_weight"] = f"覆盖率、销号率、按期率三项权重合计应为 100（现为 {sum(values)}）。"
    return problems


def _rate(part: int, whole: int, empty: Fraction) -> Fraction:
    return Fraction(min(max(part, 0), whole), whole) if whole > 0 else empty


def results_score(
    row: TownshipResults, weights: AwardWeights
) -> tuple[Fraction, Fraction, Fraction, Fraction]:
    """(coverage, closure, overdue rate, score q ∈ [0, 1]) of one township."""
    coverage = _rate(row.inspected, row.enterprises, Fraction(0))
    closure = _rate(row.closed, row.found, Fraction(1))
    overdue = _rate(row.overdue, row.found, Fraction(0))
    score = (
        Fraction(weights.coverage_weight) * coverage
        + Fraction(weights.closure_weight) * closure
        + Fraction(weights.punctuality_weight) * (1 - overdue)
    ) / 100
    return coverage, closure, overdue, score


def _to_fen(exact: list[Fraction], total_fen: int) -> list[int]:
    """Largest-remainder rounding of non-negative amounts (in fen) that add up to total_fen."""
    floors = [int(x) for x in exact]  # non-negative, so int() is floor
    left = total_fen - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / HUNDRED).quantize(CENT)


def allocate_awards(pool: Decimal, weights: AwardWeights, rows: list[TownshipResults]) -> list[AwardShare]:
    """Each township's award under the formula above, in the order of `rows`.

    Shares add up to `pool` (to the fen) whenever some township has spend; otherwise all are 0.
    No share is negative; a township's share never falls when its spend, coverage or closure
    rises or its overdue count falls, the others' records unchanged."""
    pool_fen = int((Decimal(pool) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    scores = [results_score(r, weights) for r in rows]
    spend = [Fraction(max(Decimal(r.spend), Decimal(0))) for r in rows]
    total_spend = sum(spend, Fraction(0))
    if total_spend == 0:
        zero = Decimal("0.00")
        return [AwardShare(r.key, *s, zero, zero, zero) for r, s in zip(rows, scores, strict=True)]
    base_fen = Fraction(pool_fen) * Fraction(weights.base_share) / 100
    results_fen = Fraction(pool_fen) - base_fen
    weighted = [s * q[3] for s, q in zip(spend, scores, strict=True)]
    total_weighted = sum(weighted, Fraction(0))
    if total_weighted == 0:
        weighted, total_weighted = spend, total_spend
    base_exact = [base_fen * s / total_spend for s in spend]
    exact = [b + results_fen * w / total_weighted for b, w in zip(base_exact, weighted, strict=True)]
    amounts = _to_fen(exact, pool_fen)
    out = []
    for row, score, base, fen in zip(rows, scores, base_exact, amounts, strict=True):
        base_rounded = min(math.floor(base + Fraction(1, 2)), fen)
        out.append(
            AwardShare(
                row.key,
                *score,
                base_amount=_yuan(base_rounded),
                results_amount=_yuan(fen - base_rounded),
                amount=_yuan(fen),
            )
        )
    return out


def percent(value: Fraction) -> Decimal:
    """A rate as a percentage with two decimals (for storing and showing)."""
    return (Decimal(value.numerator) * HUNDRED / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)
