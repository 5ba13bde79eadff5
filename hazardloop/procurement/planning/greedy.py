"""A greedy baseline to measure the solver against: what a planner with a spreadsheet would do.

Visit by visit: the least-busy allowed month, then the least-loaded free specialist, then the
least-loaded other free experts up to the team minimum, then the quietest day all of them are free.
Between equally loaded experts the one living nearer the enterprise goes, as a planner with a map
would choose; the plan is then judged by the same objective (model.objective) as the solver's.
Returns None when it paints itself into a corner.
"""

from __future__ import annotations

from collections import defaultdict

from .model import Plan, Problem, Visit, distance_km


def greedy_plan(problem: Problem) -> Plan | None:
    experts = list(problem.experts)
    fixed_keys = {(f.enterprise_id, f.index) for f in problem.fixed}
    year_load = defaultdict(int)
    month_load = defaultdict(int)
    day_load = defaultdict(int)
    for f in problem.fixed:
        for m in f.team:
            year_load[m] += 1
            month_load[(m, f.day.month)] += 1
            day_load[(m, f.day)] += 1
    month_busy = defaultdict(int)
    day_busy = defaultdict(int)  # visits on each day: a team takes the quietest free day
    days_of = {m: problem.days_in_month(m) for m in range(1, 13)}
    visits = list(problem.fixed)
    for ent in sorted(problem.enterprises, key=lambda e: (-e.team_min, e.id)):
        for k in range(ent.visits):
            if (ent.id, k) in fixed_keys:
                continue
            placed = False
            for month in sorted(ent.allowed_months(k), key=lambda m: (month_busy[m], m)):

                def free(x, month=month, ent=ent):
                    return (
                        ent.id not in x.conflicts
                        and month not in x.unavailable_months
                        and month_load[(x.id, month)] < problem.expert_month_capacity(x, month)
                    )

                pool = sorted(
                    (x for x in experts if free(x)),
                    key=lambda x, ent=ent: (year_load[x.id], distance_km(x.home, ent.location), x.id),
                )
                lead = next((x for x in pool if ent.specialty in x.specialties), None)
                if lead is None:
                    continue
                team = [lead] + [x for x in pool if x is not lead][: ent.team_min - 1]
                if len(team) < ent.team_min:
                    continue
                open_days = [
                    d
                    for d in days_of[month]
                    if all(d not in x.unavailable_days and day_load[(x.id, d)] < x.daily_cap for x in team)
                ]
                day = min(open_days, key=lambda d: (day_busy[d], d)) if open_days else None
                if day is None:
                    continue
                day_busy[day] += 1
                for x in team:
                    year_load[x.id] += 1
                    month_load[(x.id, month)] += 1
                    day_load[(x.id, day)] += 1
                month_busy[month] += len(team)
                visits.append(Visit(ent.id, k, day, tuple(sorted(x.id for x in team))))
                placed = True
                break
            if not placed:
                return None
    return Plan(sorted(visits, key=lambda v: (v.day, v.enterprise_id, v.index)))
