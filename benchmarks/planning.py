"""Benchmark: the year inspection planner (hazardloop.procurement.planning).

    .venv/bin/python -m benchmarks planning
    .venv/bin/python -m benchmarks.planning --enterprises 2000

1. The demo district (load_demo in var/bench/planning.sqlite3, 439 enterprises, 11 contracts):
   each contract as it stands (a refused one prints the planner's diagnosis).
2. A synthetic problem of N enterprises (10,000 by default) and enough experts, built directly as
   dataclasses, no database.

For each: solve time, visits, violations found by the independent checker (must be 0), the
objective (workload spread, travel km, weighted total) beside the lower bound and the greedy
baseline, the plan's travel as the checker measures it (checker_km, great-circle) and the greedy
baseline's travel (greedy_km); demo experts set out from their registered bases; for each demo contract, a re-plan with January–June done and the busiest expert
away from July: the open visits that had that expert (touched) against those the re-plan moved;
and the same year through procurement.services (solve, judge, store: stored_s) with the stored
rows read back through the checker (stored_violations, must be 0). Demo years use the State
Council's working days, as the stored plans do.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import time

from benchmarks import database_url, format_figures, setup_django

SPECIALTIES = ("hazchem", "metallurgy", "machinery", "textiles", "building", "fire", "general", "dust")


def row(name: str, problem, result, seconds: float) -> dict:
    from hazardloop.procurement.planning import checker
    from hazardloop.procurement.planning.greedy import greedy_plan
    from hazardloop.procurement.planning.model import lower_bound, objective

    started = time.perf_counter()
    greedy = greedy_plan(problem)
    greedy_s = time.perf_counter() - started
    bound = lower_bound(problem)
    out = {
        "problem": name,
        "enterprises": len(problem.enterprises),
        "experts": len(problem.experts),
        "status": result.status,
        "solve_s": round(seconds, 1),
        "visits": len(result.plan.visits) if result.plan else 0,
        "violations": len(checker.check(problem, result.plan)) if result.plan else "-",
        "spread": "-",
        "travel_km": "-",
        "checker_km": "-",
        "objective": "-",
        "bound": bound["total"],
        "greedy": "-",
        "greedy_spread": "-",
        "greedy_km": "-",
        "greedy_s": round(greedy_s, 1),
        "replan": "-",
        "touched": "-",
        "moved": "-",
    }
    if result.plan:
        got = objective(problem, result.plan)
        out.update(
            spread=got["spread"],
            travel_km=got["travel_km"],
            checker_km=checker.travel_km(problem, result.plan),
            objective=got["total"],
        )
    if greedy is not None:
        g = objective(problem, greedy)
        out.update(greedy=g["total"], greedy_spread=g["spread"], greedy_km=g["travel_km"])
        assert not checker.check(problem, greedy), "greedy baseline broke a rule"
    if not result.plan:
        out["problem"] += f"（{result.diagnostics[0].message[:40]}…）"
    return out


def replan(problem, plan) -> dict:
    """January–June done, the busiest expert away from July: how many open visits move."""
    from hazardloop.procurement.planning import checker, solver
    from hazardloop.procurement.planning.model import Plan, expert_loads

    cutoff = dt.date(problem.year, 6, 30)
    done = [dataclasses.replace(v, completed=True) for v in plan.visits if v.day <= cutoff]
    loads = expert_loads(problem, plan)
    gone = max(problem.experts, key=lambda x: (loads[x.id], x.id))
    away = dataclasses.replace(gone, unavailable_months=frozenset(range(7, 13)))
    changed = dataclasses.replace(
        problem, fixed=done, experts=[away if x is gone else x for x in problem.experts]
    )
    result = solver.solve(changed, Plan(done + [v for v in plan.visits if v.day > cutoff]))
    touched = sum(1 for v in plan.visits if v.day > cutoff and gone.id in v.team)
    if result.plan is None:
        return {"replan": result.status, "touched": touched}
    assert not checker.check(changed, result.plan)
    return {"replan": result.status, "touched": touched, "moved": result.stats["changed"]}


def demo_rows() -> list[dict]:
    setup_django(database_url("planning.sqlite3"))
    from django.core.management import call_command

    from hazardloop.procurement import services
    from hazardloop.procurement.models import ServiceContract
    from hazardloop.procurement.planning import solver
    from hazardloop.procurement.planning.adapter import problem_from_contract
    from hazardloop.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    if not Enterprise.objects.exists():
        call_command("load_demo", verbosity=0)
    rows = []
    for contract in ServiceContract.objects.order_by("number"):
        problem = problem_from_contract(contract, 2026, working_days=services.working_days(2026))
        started = time.perf_counter()
        result = solver.solve(problem)
        seconds = time.perf_counter() - started
        if result.status != "ok":
            print(f"{contract.number}: " + "；".join(d.message for d in result.diagnostics), flush=True)
        rows.append(row(contract.number, problem, result, seconds))
        if result.plan:
            rows[-1].update(replan(problem, result.plan))
            rows[-1].update(stored(contract, problem))
    return rows


def stored(contract, problem) -> dict:
    """The same year through procurement.services: solve, judge (checker, bound, greedy) and
    store; then the stored rows read back and checked again."""
    from hazardloop.procurement import services
    from hazardloop.procurement.planning import checker
    from hazardloop.procurement.planning.model import Plan, Visit

    started = time.perf_counter()
    plan = services.solve_contract_plan(contract, 2026, actor=None)
    seconds = time.perf_counter() - started
    visits = [
        Visit(v.enterprise_id, v.index, v.day, tuple(sorted(m.pk for m in v.team.all())))
        for v in plan.visits.prefetch_related("team")
    ]
    return {"stored_s": round(seconds, 1), "stored_violations": len(checker.check(problem, Plan(visits)))}


def synthetic_problem(enterprises: int, seed: int = 7):
    from hazardloop.procurement.planning.model import (
        EnterpriseSpec,
        ExpertSpec,
        Problem,
        enterprise_kind,
        visits_per_year,
        weekdays,
    )

    rng = random.Random(seed)
    ents = []
    for i in range(enterprises):
        roll = rng.random()
        high_risk = roll < 0.12
        size = "large" if roll < 0.05 else "medium" if roll < 0.2 else "small"
        team = (3, 5) if high_risk else (3, None) if size != "small" else (2, None)
        ents.append(
            EnterpriseSpec(
                id=i,
                name=f"企业{i:05d}",
                team_min=team[0],
                team_max=team[1],
                specialty=rng.choice(SPECIALTIES),
                visits=visits_per_year(size, high_risk),
                kind=enterprise_kind(size, high_risk),
                location=(35.8 + rng.random() * 0.8, 113.8 + rng.random() * 0.8),
            )
        )
    demand = sum(e.team_min * e.visits for e in ents)
    count = max(6, round(demand / (12 * 20)))  # about 20 person-visits a month each, cap 30
    experts = []
    for j in range(count):
        skills = {SPECIALTIES[j % len(SPECIALTIES)], *rng.sample(SPECIALTIES, k=2)}
        experts.append(
            ExpertSpec(
                id=100_000 + j,
                name=f"专家{j:04d}",
                specialties=frozenset(skills),
                conflicts=frozenset(rng.sample(range(enterprises), k=3)),
                unavailable_months=frozenset({rng.randint(1, 12)}) if rng.random() < 0.3 else frozenset(),
                home=(35.8 + rng.random() * 0.8, 113.8 + rng.random() * 0.8),
            )
        )
    return Problem(2026, ents, experts, weekdays(2026))


def synthetic_rows(enterprises: int, seconds_per_month: float) -> list[dict]:
    from hazardloop.procurement.planning import solver

    problem = synthetic_problem(enterprises)
    started = time.perf_counter()
    result = solver.solve(problem, seconds_per_month=seconds_per_month)
    seconds = time.perf_counter() - started
    return [row(f"合成 {enterprises:,} 家", problem, result, seconds)]


def run(enterprises: int = 10_000, seconds_per_month: float = 10.0, demo: bool = True) -> list[dict]:
    rows = demo_rows() if demo else []
    rows += synthetic_rows(enterprises, seconds_per_month)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--seconds-per-month", type=float, default=10.0)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args()
    print(format_figures(run(args.enterprises, args.seconds_per_month, not args.no_demo)))
