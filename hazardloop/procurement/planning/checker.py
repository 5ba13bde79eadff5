"""An independent check of a plan against its problem, written apart from the solver so that a
solver bug cannot hide behind the same mistake twice, and the plan's travel measured its own
way (travel_km). Reads only the dataclasses."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from .model import Plan, Problem


@dataclass(frozen=True)
class Violation:
    kind: str  # team_size, specialty, conflict, daily_capacity, monthly_capacity, unavailable,
    # not_working_day, window, visit_count, spread, unknown, completed_changed
    message: str


def check(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []
    ents = {e.id: e for e in problem.enterprises}
    experts = {x.id: x for x in problem.experts}
    working = set(problem.working_days)
    per_day: Counter = Counter()
    per_month: Counter = Counter()
    seen: dict[int, list] = defaultdict(list)

    for v in plan.visits:
        ent = ents.get(v.enterprise_id)
        if ent is None or any(m not in experts for m in v.team) or len(set(v.team)) != len(v.team):
            out.append(Violation("unknown", f"未知企业/专家或重复成员：{v}"))
            continue
        seen[ent.id].append(v)
        size = len(v.team)
        if size < ent.team_min or (ent.team_max is not None and size > ent.team_max):
            top = "" if ent.team_max is None else str(ent.team_max)
            out.append(Violation("team_size", f"{ent.name} {v.day}：{size} 人，应 {ent.team_min}–{top} 人"))
        if not any(ent.specialty in experts[m].specialties for m in v.team):
            out.append(
                Violation("specialty", f"{ent.name} {v.day}：无‘{problem.label(ent.specialty)}’专业成员")
            )
        for m in v.team:
            x = experts[m]
            if ent.id in x.conflicts:
                out.append(Violation("conflict", f"{ent.name} {v.day}：{x.name} 须回避"))
            if v.day.month in x.unavailable_months or v.day in x.unavailable_days:
                out.append(Violation("unavailable", f"{x.name} 在 {v.day} 不可用"))
            per_day[(m, v.day)] += 1
            per_month[(m, v.day.month)] += 1
        if v.day.month not in ent.months:
            out.append(Violation("window", f"{ent.name}：{v.day.month}月不在其检查时间窗口内"))
        if v.day not in working:
            out.append(Violation("not_working_day", f"{ent.name}：{v.day} 不是工作日"))

    for (m, day), n in sorted(per_day.items()):
        if n > experts[m].daily_cap:
            out.append(
                Violation("daily_capacity", f"{experts[m].name} {day}：{n} 次，日上限 {experts[m].daily_cap}")
            )
    for (m, month), n in sorted(per_month.items()):
        if n > experts[m].monthly_cap:
            cap = experts[m].monthly_cap
            out.append(Violation("monthly_capacity", f"{experts[m].name} {month}月：{n} 次，月上限 {cap}"))

    for ent in problem.enterprises:
        visits = sorted(seen.get(ent.id, []), key=lambda v: v.day)
        if len(visits) != ent.visits:
            out.append(Violation("visit_count", f"{ent.name}：{len(visits)} 次，应 {ent.visits} 次"))
            continue
        # The k-th visit by date must lie in the k-th of `visits` equal blocks of the year.
        for k, v in enumerate(visits):
            lo, hi = k * 12 // ent.visits + 1, (k + 1) * 12 // ent.visits
            if not lo <= v.day.month <= hi:
                out.append(Violation("spread", f"{ent.name} 第{k + 1}次在{v.day.month}月，应在{lo}–{hi}月"))

    planned = {(v.enterprise_id, v.index): v for v in plan.visits}
    for f in problem.fixed:
        got = planned.get((f.enterprise_id, f.index))
        if got is None or got.day != f.day or sorted(got.team) != sorted(f.team):
            out.append(Violation("completed_changed", f"已完成/固定的检查被改动：{f}"))
    return out


EARTH_RADIUS_KM = 6371.0


def _great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    # Haversine, not the model's flat-earth formula: the two must agree to a rounding at
    # district scale, and a slip in either shows up as a gap between the two figures.
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def travel_km(problem: Problem, plan: Plan) -> float:
    """Kilometres the plan makes its experts travel: for every member of every visit, the
    great-circle distance from the member's home (base) to the enterprise. A member or an
    enterprise without coordinates adds nothing. The same measure the solver minimises
    (model.objective's travel_km), computed another way."""
    homes = {x.id: x.home for x in problem.experts}
    places = {e.id: e.location for e in problem.enterprises}
    total = 0.0
    for v in plan.visits:
        place = places.get(v.enterprise_id)
        if place is None:
            continue
        for m in v.team:
            home = homes.get(m)
            if home is not None:
                total += _great_circle_km(home, place)
    return round(total, 1)
