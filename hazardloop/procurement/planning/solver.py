"""The year planner: three stages, so that 10,000 enterprises stay small for CP-SAT.

A. Month per visit (greedy water-filling): each visit may only fall in its spread block (see
   model.visit_months), so the choice is among 1–12 months; pick the one whose load relative to
   capacity — overall and for the visit's specialty — is lowest. A re-plan keeps the old month.
B. Team per visit, month by month (CP-SAT): booleans x[visit, expert] over a short candidate list
   (eligible, unconflicted, available that month; the nearest when there are many). Hard: team
   size in [min, max], at least one specialist, each expert's month capacity (monthly cap and
   daily cap × available days). Objective: workload spread of the year so far (max − min of the
   running totals), travel (km from the expert's home: the documented proxy for keeping one
   expert's work close), members above the minimum, and in a re-plan every dropped member.
C. Day per visit within its month (greedy, CP-SAT if the greedy gets stuck): a day on which every
   member is available and under the daily cap, preferring the old day, then a day on which the
   members already work near this enterprise.

Every plan is run through checker.check before it is returned; a plan with a violation is never
handed back.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import checker, diagnostics
from .diagnostics import Diagnosis
from .model import BALANCE_WEIGHT, CHANGE_WEIGHT, EXTRA_MEMBER_WEIGHT, Plan, Problem, Visit, distance_km

SCALE = 10  # travel in tenths of a km, so the integer objective keeps short distances apart
ALL_CANDIDATES_UP_TO = 30
NEAREST = 12
NEAREST_SPECIALISTS = 4
NEW_DAY_KM = 5.0  # what opening a fresh day for a member counts as, against joining nearby work


@dataclass
class PlanResult:
    status: str  # ok, infeasible, timeout, error
    plan: Plan | None
    diagnostics: list[Diagnosis] = field(default_factory=list)
    violations: list[checker.Violation] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


@dataclass
class _Pending:
    enterprise_id: int
    index: int
    month: int = 0
    team: tuple[int, ...] = ()


def changed_visits(previous: Plan, plan: Plan) -> int:
    """Visits of `previous` whose day or team differs in `plan`."""
    now = {(v.enterprise_id, v.index): v for v in plan.visits}
    count = 0
    for v in previous.visits:
        got = now.get((v.enterprise_id, v.index))
        if got is None or got.day != v.day or sorted(got.team) != sorted(v.team):
            count += 1
    return count


def solve(
    problem: Problem,
    previous: Plan | None = None,
    *,
    seconds_per_month: float = 5.0,
    workers: int = 2,
) -> PlanResult:
    started = time.perf_counter()
    found = diagnostics.precheck(problem)
    if found:
        return PlanResult(
            "infeasible", None, found, stats={"seconds": round(time.perf_counter() - started, 2)}
        )

    ents = {e.id: e for e in problem.enterprises}
    experts = {x.id: x for x in problem.experts}
    fixed_keys = {(f.enterprise_id, f.index) for f in problem.fixed}
    prev = {(v.enterprise_id, v.index): v for v in (previous.visits if previous else []) if not v.completed}
    pending = [
        _Pending(e.id, k) for e in problem.enterprises for k in range(e.visits) if (e.id, k) not in fixed_keys
    ]

    fixed_month_use: dict[tuple[int, int], int] = defaultdict(int)
    for f in problem.fixed:
        for m in f.team:
            fixed_month_use[(m, f.day.month)] += 1

    _choose_months(problem, pending, prev, fixed_month_use)

    base = defaultdict(int)  # running year load per expert: fixed visits, then month after month
    for (m, _month), n in fixed_month_use.items():
        base[m] += n
    by_month: dict[int, list[_Pending]] = defaultdict(list)
    for p in pending:
        by_month[p.month].append(p)

    visits: list[Visit] = list(problem.fixed)
    fixed_day_use: dict[tuple[int, object], int] = defaultdict(int)
    for f in problem.fixed:
        for m in f.team:
            fixed_day_use[(m, f.day)] += 1
    month_stats = []
    for month in sorted(by_month):
        group = by_month[month]
        status, seconds = _assign_teams(
            problem, ents, experts, group, month, base, fixed_month_use, prev, seconds_per_month, workers
        )
        month_stats.append((month, len(group), status, seconds))
        if status == "infeasible":
            found = diagnose_month(problem, ents, experts, group, month, fixed_month_use)
            return PlanResult("infeasible", None, found, stats={"months": month_stats})
        if status == "timeout":
            msg = f"求解超时：{month}月在 {seconds_per_month} 秒内未找到可行方案，请放宽时限后重试"
            return PlanResult("timeout", None, [Diagnosis("timeout", msg)], stats={"months": month_stats})
        for p in group:
            for m in p.team:
                base[m] += 1
        days = _assign_days(problem, ents, experts, group, month, fixed_day_use, prev, workers)
        if days is None:
            msg = f"日程冲突：{month}月按日上限 {min(x.daily_cap for x in problem.experts)} 次/天无法排出每个检查组的共同工作日"
            return PlanResult("infeasible", None, [Diagnosis("capacity", msg)], stats={"months": month_stats})
        visits.extend(
            Visit(p.enterprise_id, p.index, days[i], tuple(sorted(p.team))) for i, p in enumerate(group)
        )

    plan = Plan(sorted(visits, key=lambda v: (v.day, v.enterprise_id, v.index)))
    violations = checker.check(problem, plan)
    stats = {"seconds": round(time.perf_counter() - started, 2), "months": month_stats}
    if violations:
        # A solver bug, not the user's data: say so and hand back nothing.
        msg = f"内部错误：方案有 {len(violations)} 处违反约束，未予采用（{violations[0].message}）"
        return PlanResult("error", None, [Diagnosis("internal", msg)], violations, stats)
    if previous is not None:
        stats["changed"] = changed_visits(Plan([v for v in previous.visits if not v.completed]), plan)
    return PlanResult("ok", plan, stats=stats)


# --- stage A ---------------------------------------------------------------------------------


def _choose_months(problem: Problem, pending: list[_Pending], prev: dict, fixed_month_use: dict) -> None:
    ents = {e.id: e for e in problem.enterprises}
    cap = defaultdict(float)
    spec_cap = defaultdict(float)
    for x in problem.experts:
        for month in range(1, 13):
            c = problem.expert_month_capacity(x, month) - fixed_month_use.get((x.id, month), 0)
            cap[month] += max(c, 0)
            for s in x.specialties:
                spec_cap[(s, month)] += max(c, 0)
    load = defaultdict(float)
    spec_load = defaultdict(float)
    # Most constrained first: fewest months to choose from, then biggest teams.
    order = sorted(
        pending,
        key=lambda p: (len(ents[p.enterprise_id].allowed_months(p.index)), -ents[p.enterprise_id].team_min),
    )
    for p in order:
        ent = ents[p.enterprise_id]
        allowed = ent.allowed_months(p.index)
        old = prev.get((p.enterprise_id, p.index))

        def pressure(month: int, ent=ent) -> float:
            total = (load[month] + ent.team_min) / cap[month] if cap[month] else float("inf")
            spec = (
                (spec_load[(ent.specialty, month)] + 1) / spec_cap[(ent.specialty, month)]
                if spec_cap[(ent.specialty, month)]
                else float("inf")
            )
            return max(total, spec)

        if old is not None and old.day.month in allowed and pressure(old.day.month) <= 1:
            month = old.day.month
        else:
            month = min(allowed, key=lambda m: (pressure(m), m))
        p.month = month
        load[month] += ent.team_min
        spec_load[(ent.specialty, month)] += 1


# --- stage B ---------------------------------------------------------------------------------


def _candidates(problem, ent, experts, month, old_team) -> list[int]:
    eligible = [
        x
        for x in experts.values()
        if ent.id not in x.conflicts and problem.expert_month_capacity(x, month) > 0
    ]
    if len(eligible) <= ALL_CANDIDATES_UP_TO:
        return [x.id for x in eligible]
    by_distance = sorted(eligible, key=lambda x: (distance_km(x.home, ent.location), x.id))
    chosen = {x.id for x in by_distance[:NEAREST]}
    chosen.update([x.id for x in by_distance if ent.specialty in x.specialties][:NEAREST_SPECIALISTS])
    chosen.update(m for m in old_team if m in {x.id for x in eligible})
    return sorted(chosen)


def _build_month_model(
    problem, ents, experts, group, month, fixed_month_use, prev, base, *, families=None, model=None
):
    """The month's team model. With `families` given (name → literal), each family of hard
    constraints is enforced only under its literal, so CP-SAT can name the ones that clash."""
    model = model or cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_expert: dict[int, list] = defaultdict(list)
    objective = []
    lit = (families or {}).get
    for i, p in enumerate(group):
        ent = ents[p.enterprise_id]
        old = prev.get((p.enterprise_id, p.index))
        old_team = old.team if old else ()
        cands = _candidates(problem, ent, experts, month, old_team)
        row = []
        for e in cands:
            var = model.new_bool_var(f"x{i}_{e}")
            x[(i, e)] = var
            row.append(var)
            per_expert[e].append(var)
            objective.append(round(SCALE * distance_km(experts[e].home, ent.location)) * var)
            if e in old_team:
                objective.append(-SCALE * CHANGE_WEIGHT * var)
                model.add_hint(var, 1)
        top = ent.team_max if ent.team_max is not None else ent.team_min + 2
        size = model.add_linear_constraint(sum(row), ent.team_min, top)
        if lit("team_size") is not None:
            size.only_enforce_if(lit("team_size"))
        objective.append(SCALE * EXTRA_MEMBER_WEIGHT * (sum(row) - ent.team_min))
        spec = model.add(sum(x[(i, e)] for e in cands if ent.specialty in experts[e].specialties) >= 1)
        if lit("specialty") is not None:
            spec.only_enforce_if(lit("specialty"))
    totals = []
    for e, xs in per_expert.items():
        room = problem.expert_month_capacity(experts[e], month) - fixed_month_use.get((e, month), 0)
        cap = model.add(sum(xs) <= max(room, 0))
        if lit("capacity") is not None:
            cap.only_enforce_if(lit("capacity"))
    for e, expert in experts.items():
        if problem.expert_month_capacity(expert, month) > 0:
            totals.append(base[e] + sum(per_expert.get(e, [])))
    if totals and families is None:
        hi = model.new_int_var(0, 10**6, "hi")
        lo = model.new_int_var(0, 10**6, "lo")
        for t in totals:
            model.add(hi >= t)
            model.add(lo <= t)
        objective.append(SCALE * BALANCE_WEIGHT * (hi - lo))
        # max − min alone has a weak relaxation and ignores everyone between the extremes; the
        # distance of every running total from the even share steers the search to balance.
        share = (
            sum(base[e] for e in experts if problem.expert_month_capacity(experts[e], month) > 0)
            + sum(ents[p.enterprise_id].team_min for p in group)
        ) // len(totals)
        for n, t in enumerate(totals):
            dev = model.new_int_var(0, 10**6, f"dev{n}")
            model.add(dev >= t - share)
            model.add(dev >= share - t)
            objective.append(SCALE * BALANCE_WEIGHT // 4 * dev)
    if families is None:
        model.minimize(sum(objective))
    return model, x


def _assign_teams(problem, ents, experts, group, month, base, fixed_month_use, prev, seconds, workers):
    model, x = _build_month_model(problem, ents, experts, group, month, fixed_month_use, prev, base)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_search_workers = workers
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return "infeasible", solver.wall_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "timeout", solver.wall_time
    for i, p in enumerate(group):
        p.team = tuple(sorted(e for (j, e), var in x.items() if j == i and solver.value(var)))
    return ("optimal" if status == cp_model.OPTIMAL else "feasible"), round(solver.wall_time, 2)


FAMILY_NAMES = {"team_size": "检查组人数", "specialty": "专业匹配", "capacity": "专家月度容量"}


def diagnose_month(problem, ents, experts, group, month, fixed_month_use) -> list[Diagnosis]:
    """Re-solve the infeasible month with each constraint family behind an assumption literal;
    CP-SAT's sufficient assumptions name the families that cannot hold together."""
    model = cp_model.CpModel()
    families = {name: model.new_bool_var(name) for name in FAMILY_NAMES}
    _build_month_model(
        problem,
        ents,
        experts,
        group,
        month,
        fixed_month_use,
        {},
        defaultdict(int),
        families=families,
        model=model,
    )
    model.add_assumptions(list(families.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = 1  # assumption cores come from the single-worker search
    solver.parameters.max_time_in_seconds = 30
    solver.solve(model)
    index = {v.index: name for name, v in families.items()}
    failing = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    need = sum(ents[p.enterprise_id].team_min for p in group)
    room = sum(
        max(problem.expert_month_capacity(x, month) - fixed_month_use.get((x.id, month), 0), 0)
        for x in experts.values()
    )
    names = "、".join(FAMILY_NAMES[f] for f in failing) or "未知"
    return [
        Diagnosis(
            failing[0] if failing else "unknown",
            f"{month}月无可行方案：冲突的约束为「{names}」；本月 {len(group)} 次检查至少需 {need} 人次，"
            f"专家本月可用容量 {room} 人次",
        )
    ]


# --- stage C ---------------------------------------------------------------------------------


def _assign_days(problem, ents, experts, group, month, day_use, prev, workers):
    """Days for the month's visits; updates `day_use` (expert, day) → visits. None if impossible."""
    days = problem.days_in_month(month)
    open_days = {
        e: {d for d in days if d not in x.unavailable_days} if month not in x.unavailable_months else set()
        for e, x in experts.items()
    }
    where: dict[tuple[int, object], list] = defaultdict(list)  # (expert, day) → enterprise places
    chosen: dict[int, object] = {}
    day_total: dict[object, int] = defaultdict(int)  # visits placed on each day of the month

    def unchanged(i):
        old = prev.get((group[i].enterprise_id, group[i].index))
        return old is not None and sorted(old.team) == sorted(group[i].team)

    # Visits whose team a re-plan kept go first, so they keep their day before a changed visit
    # can take the slot; then the biggest teams, which are the hardest to seat.
    order = sorted(
        range(len(group)),
        key=lambda i: (not unchanged(i), -len(group[i].team), group[i].enterprise_id, group[i].index),
    )
    for i in order:
        p = group[i]
        ent = ents[p.enterprise_id]
        fits = [
            d
            for d in days
            if all(d in open_days[m] and day_use[(m, d)] < experts[m].daily_cap for m in p.team)
        ]
        if not fits:
            return _assign_days_exact(problem, experts, group, month, day_use, workers, chosen)
        old = prev.get((p.enterprise_id, p.index))

        def closeness(d, ent=ent, p=p):
            km = sum(
                min((distance_km(ent.location, at) for at in where[(m, d)]), default=NEW_DAY_KM)
                for m in p.team
            )
            # Ties (fresh days) go to the month's least-busy day, so a month's visits spread over
            # its working days instead of piling onto the first ones.
            return (km, sum(day_use[(m, d)] for m in p.team), day_total[d], d)

        day = old.day if old is not None and old.day in fits else min(fits, key=closeness)
        chosen[i] = day
        day_total[day] += 1
        for m in p.team:
            day_use[(m, day)] += 1
            where[(m, day)].append(ent.location)
    return [chosen[i] for i in range(len(group))]


def _assign_days_exact(problem, experts, group, month, day_use, workers, partial):
    """The greedy got stuck: undo its choices for this month and let CP-SAT place every visit."""
    for i, day in partial.items():
        for m in group[i].team:
            day_use[(m, day)] -= 1
    days = problem.days_in_month(month)
    model = cp_model.CpModel()
    y = {}
    per = defaultdict(list)
    for i, p in enumerate(group):
        options = []
        for d in days:
            if all(
                month not in experts[m].unavailable_months and d not in experts[m].unavailable_days
                for m in p.team
            ):
                var = model.new_bool_var(f"y{i}_{d}")
                y[(i, d)] = var
                options.append(var)
                for m in p.team:
                    per[(m, d)].append(var)
        model.add_exactly_one(options)
    for (m, d), vs in per.items():
        model.add(sum(vs) <= experts[m].daily_cap - day_use[(m, d)])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.parameters.num_search_workers = workers
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = []
    for i, p in enumerate(group):
        day = next(d for d in days if (i, d) in y and solver.value(y[(i, d)]))
        out.append(day)
        for m in p.team:
            day_use[(m, day)] += 1
    return out
