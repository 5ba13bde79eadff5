"""The planning problem and plan as plain dataclasses: no ORM, so the solver, the checker and the
benchmarks run without a database and the same code plans 20 or 10,000 enterprises.

Spread rule: an enterprise with n visits a year splits the twelve months into n equal blocks
(4 → quarters, 2 → halves, 1 → the whole year) and visit k falls in block k. It is the simplest
rule that keeps visits apart and that a person can check by looking at the dates.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

HIGH_RISK = "high_risk"
LARGE_MEDIUM = "large_medium"
OTHER = "other"
KIND_LABELS = {HIGH_RISK: "高危企业", LARGE_MEDIUM: "大中型企业", OTHER: "其他企业"}

# Objective weights. One unit of workload spread (max − min person-visits of a year) is worth
# BALANCE_WEIGHT km of travel; a member above the team minimum costs more than one unit of spread
# so teams are never padded only to lift the least-loaded expert; a changed membership in a
# re-plan costs more than any balance or travel gain one change could bring.
BALANCE_WEIGHT = 200
EXTRA_MEMBER_WEIGHT = BALANCE_WEIGHT + 5
CHANGE_WEIGHT = 10_000


def visits_per_year(
    size: str, high_risk: bool, *, high: int = 4, large_medium: int = 2, other: int = 1
) -> int:
    """How often an enterprise is inspected a year by class (contract standard defaults)."""
    if high_risk:
        return high
    if size in ("large", "medium"):
        return large_medium
    return other


def enterprise_kind(size: str, high_risk: bool) -> str:
    if high_risk:
        return HIGH_RISK
    return LARGE_MEDIUM if size in ("large", "medium") else OTHER


def visit_months(visits: int, index: int) -> tuple[int, ...]:
    """Months (1–12) in which visit `index` (0-based) of `visits` may fall."""
    start = index * 12 // visits
    end = (index + 1) * 12 // visits
    return tuple(range(start + 1, end + 1))


def distance_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float:
    """Equirectangular distance between (lat, lon) points; exact enough at district scale."""
    if a is None or b is None:
        return 0.0
    lat = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(lat)
    dy = math.radians(b[0] - a[0])
    return 6371.0 * math.hypot(dx, dy)


@dataclass(frozen=True)
class EnterpriseSpec:
    id: int
    name: str
    team_min: int
    team_max: int | None  # None: no upper bound in the standard
    specialty: str
    visits: int
    kind: str = OTHER
    location: tuple[float, float] | None = None  # (lat, lon)
    months: frozenset[int] = frozenset(range(1, 13))  # the enterprise's window (e.g. not in 停产 months)

    def allowed_months(self, index: int) -> tuple[int, ...]:
        return tuple(m for m in visit_months(self.visits, index) if m in self.months)


@dataclass(frozen=True)
class ExpertSpec:
    id: int
    name: str
    specialties: frozenset[str]
    conflicts: frozenset[int] = frozenset()
    unavailable_months: frozenset[int] = frozenset()
    unavailable_days: frozenset[dt.date] = frozenset()
    daily_cap: int = 2
    monthly_cap: int = 30
    home: tuple[float, float] | None = None  # (lat, lon); None: travel is not counted


@dataclass(frozen=True)
class Visit:
    enterprise_id: int
    index: int  # 0-based: which of the enterprise's visits of the year
    day: dt.date
    team: tuple[int, ...]
    completed: bool = False


@dataclass
class Problem:
    year: int
    enterprises: list[EnterpriseSpec]
    experts: list[ExpertSpec]
    working_days: list[dt.date]
    fixed: list[Visit] = field(default_factory=list)  # completed or otherwise frozen visits
    specialty_labels: dict[str, str] = field(default_factory=dict)

    def label(self, specialty: str) -> str:
        return self.specialty_labels.get(specialty, specialty)

    def _cache(self) -> dict:
        # Capacities are asked for per visit × expert; recomputing them from the day list made
        # the 10,000-enterprise year spend minutes here. The cache drops when the days change.
        stamp = (id(self.working_days), len(self.working_days))
        if self.__dict__.get("_stamp") != stamp:
            self.__dict__["_stamp"] = stamp
            self.__dict__["_memo"] = {}
        return self.__dict__["_memo"]

    def days_in_month(self, month: int) -> list[dt.date]:
        memo = self._cache()
        if ("days", month) not in memo:
            memo[("days", month)] = [d for d in self.working_days if d.month == month]
        return memo[("days", month)]

    def expert_days(self, expert: ExpertSpec, month: int) -> list[dt.date]:
        if month in expert.unavailable_months:
            return []
        return [d for d in self.days_in_month(month) if d not in expert.unavailable_days]

    def expert_month_capacity(self, expert: ExpertSpec, month: int) -> int:
        memo = self._cache()
        key = ("cap", expert, month)
        if key not in memo:
            memo[key] = min(expert.monthly_cap, expert.daily_cap * len(self.expert_days(expert, month)))
        return memo[key]


@dataclass
class Plan:
    visits: list[Visit]


def weekdays(year: int) -> list[dt.date]:
    """Mon–Fri of the year; callers with chinese_calendar pass its working days instead."""
    day = dt.date(year, 1, 1)
    out = []
    while day.year == year:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def expert_loads(problem: Problem, plan: Plan) -> dict[int, int]:
    loads = {x.id: 0 for x in problem.experts}
    for visit in plan.visits:
        for member in visit.team:
            loads[member] = loads.get(member, 0) + 1
    return loads


def objective(problem: Problem, plan: Plan) -> dict[str, float]:
    """The yearly objective the solver aims at: workload spread (max − min person-visits over
    experts who are available at least one month) and travel (km from each member's home to the
    enterprise, summed over memberships), combined with BALANCE_WEIGHT."""
    loads = expert_loads(problem, plan)
    working = [x.id for x in problem.experts if len(x.unavailable_months) < 12]
    values = [loads[i] for i in working] or [0]
    spread = max(values) - min(values)
    homes = {x.id: x.home for x in problem.experts}
    places = {e.id: e.location for e in problem.enterprises}
    travel = sum(distance_km(homes.get(m), places.get(v.enterprise_id)) for v in plan.visits for m in v.team)
    return {
        "spread": spread,
        "travel_km": round(travel, 1),
        "total": round(BALANCE_WEIGHT * spread + travel, 1),
    }


def lower_bound(problem: Problem) -> dict[str, float]:
    """A bound no plan can beat, capacity ignored: spread ≥ 1 when the person-visits cannot split
    evenly over the experts, and every visit's travel ≥ its team_min nearest eligible members
    (one of them a specialist)."""
    demand = sum(e.team_min * e.visits for e in problem.enterprises)
    working = [x for x in problem.experts if len(x.unavailable_months) < 12]
    spread = 1 if working and demand % len(working) else 0
    travel = 0.0
    for ent in problem.enterprises:
        eligible = [x for x in working if ent.id not in x.conflicts]
        dists = sorted((distance_km(x.home, ent.location), ent.specialty in x.specialties) for x in eligible)
        if len(dists) < ent.team_min:
            continue
        spec = [d for d, s in dists if s]
        if not spec:
            continue
        best = spec[0]
        others = [d for d, _ in dists]
        others.remove(best)
        travel += ent.visits * (best + sum(others[: ent.team_min - 1]))
    return {
        "spread": spread,
        "travel_km": round(travel, 1),
        "total": round(BALANCE_WEIGHT * spread + travel, 1),
    }
