"""The year planner on hand-made problems, its diagnostics, re-planning, the checker, and one
contract of the demo district."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

from hazardloop.procurement.planning import checker, solver
from hazardloop.procurement.planning.greedy import greedy_plan
from hazardloop.procurement.planning.model import (
    HIGH_RISK,
    LARGE_MEDIUM,
    OTHER,
    EnterpriseSpec,
    ExpertSpec,
    Plan,
    Problem,
    Visit,
    lower_bound,
    objective,
    weekdays,
)

LABELS = {"coal": "煤矿", "fire": "消防", "general": "综合安全管理"}


def enterprise(i, kind=OTHER, specialty="general", **kw):
    team = {HIGH_RISK: (3, 5), LARGE_MEDIUM: (3, None), OTHER: (2, None)}[kind]
    visits = {HIGH_RISK: 4, LARGE_MEDIUM: 2, OTHER: 1}[kind]
    place = (36.0 + (i % 5) * 0.02, 114.0 + (i // 5) * 0.02)
    return EnterpriseSpec(i, f"企业{i}", team[0], team[1], specialty, visits, kind, place, **kw)


def expert(j, specialties=("general", "fire"), **kw):
    home = (36.0 + (j % 3) * 0.03, 114.0 + (j % 2) * 0.05)
    return ExpertSpec(100 + j, f"专家{j}", frozenset(specialties), home=home, **kw)


def small_problem(**kw) -> Problem:
    ents = (
        [enterprise(i, HIGH_RISK, "coal" if i < 2 else "fire") for i in range(4)]
        + [enterprise(i, LARGE_MEDIUM) for i in range(4, 8)]
        + [enterprise(i) for i in range(8, 20)]
    )
    experts = [expert(j, ("coal", "general") if j < 2 else ("general", "fire")) for j in range(6)]
    experts[3] = dataclasses.replace(experts[3], conflicts=frozenset({0, 5}))
    return Problem(2026, ents, experts, weekdays(2026), specialty_labels=LABELS, **kw)


def test_plans_a_feasible_year_without_violations():
    problem = small_problem()
    result = solver.solve(problem)
    assert result.status == "ok", result.diagnostics
    assert checker.check(problem, result.plan) == []
    assert len(result.plan.visits) == 4 * 4 + 4 * 2 + 12
    # High-risk visits fall one per quarter.
    quarters = sorted((v.day.month - 1) // 3 for v in result.plan.visits if v.enterprise_id == 0)
    assert quarters == [0, 1, 2, 3]


def test_solver_is_no_worse_than_greedy_and_not_below_the_bound():
    problem = small_problem()
    solved = objective(problem, solver.solve(problem).plan)
    greedy = greedy_plan(problem)
    assert greedy is not None and checker.check(problem, greedy) == []
    assert lower_bound(problem)["total"] <= solved["total"] <= objective(problem, greedy)["total"]


def test_names_a_missing_specialty_with_the_count():
    problem = small_problem()
    problem.experts = [
        dataclasses.replace(x, specialties=frozenset({"general", "fire"})) for x in problem.experts
    ]
    result = solver.solve(problem)
    assert result.status == "infeasible" and result.plan is None
    assert any(
        d.message == "专业不匹配：需要‘煤矿’专业的企业 2 家，但无此专业专家" for d in result.diagnostics
    )


def test_names_a_conflict_that_leaves_too_few_experts():
    problem = small_problem()
    problem.experts = [dataclasses.replace(x, conflicts=frozenset({8})) for x in problem.experts[:5]] + [
        problem.experts[5]
    ]
    result = solver.solve(problem)
    assert result.status == "infeasible"
    assert "回避冲突：企业企业8的可用专家仅 1 人，少于所需 2 人" in [d.message for d in result.diagnostics]


def test_names_missing_capacity_with_need_capacity_and_gap():
    problem = small_problem()
    problem.experts = [dataclasses.replace(x, monthly_cap=2) for x in problem.experts[:3]]
    result = solver.solve(problem)
    assert result.status == "infeasible" and result.plan is None
    # Need: high-risk 4 firms × 4 visits × 3 = 48, large/medium 4 × 2 × 3 = 24, others 12 × 2 = 24;
    # capacity: 3 experts × 12 months × 2 = 72.
    capacity = [d.message for d in result.diagnostics if d.family == "capacity"]
    assert capacity == [
        "专家人数不足（全年）：高危企业需3–5人/次，共需 48 人次；大中型企业需≥3人/次，共需 24 人次；"
        "其他企业需≥2人/次，共需 24 人次，现有专家月度可用容量 72 人次，缺口 24"
    ]


def test_names_the_failing_family_when_only_the_solver_finds_it():
    # Every count passes, but the only coal specialists are busy elsewhere in January: the
    # month model is infeasible and CP-SAT's assumptions name the clashing families.
    ents = [enterprise(i, OTHER, "coal", months=frozenset({1})) for i in range(3)]
    experts = [
        expert(0, ("coal",), monthly_cap=2),
        expert(1, ("general",)),
        expert(2, ("general",)),
    ]
    problem = Problem(2026, ents, experts, weekdays(2026), specialty_labels=LABELS)
    result = solver.solve(problem)
    assert result.status == "infeasible" and result.plan is None
    message = result.diagnostics[0].message
    assert message.startswith("1月无可行方案：冲突的约束为「")
    assert "专业匹配" in message and "专家月度容量" in message
    assert "本月 3 次检查至少需 6 人次" in message


def test_replan_keeps_completed_visits_and_changes_few():
    problem = small_problem()
    first = solver.solve(problem).plan
    cutoff = dt.date(2026, 6, 30)
    done = [dataclasses.replace(v, completed=True) for v in first.visits if v.day <= cutoff]
    gone = problem.experts[4]
    later = dataclasses.replace(gone, unavailable_months=frozenset(range(7, 13)))
    problem2 = dataclasses.replace(
        problem, fixed=done, experts=[*problem.experts[:4], later, problem.experts[5]]
    )
    previous = Plan(done + [v for v in first.visits if v.day > cutoff])
    result = solver.solve(problem2, previous)
    assert result.status == "ok", result.diagnostics
    assert checker.check(problem2, result.plan) == []
    now = {(v.enterprise_id, v.index): v for v in result.plan.visits}
    assert all(now[(v.enterprise_id, v.index)] == v for v in done)
    touched = sum(1 for v in first.visits if v.day > cutoff and gone.id in v.team)
    assert touched > 0
    assert result.stats["changed"] <= touched + 2


# --- the checker catches each kind of broken plan ------------------------------------------------


@pytest.fixture(scope="module")
def solved():
    problem = small_problem()
    return problem, solver.solve(problem).plan


def broken(plan: Plan, change) -> Plan:
    visits = list(plan.visits)
    visits[0] = change(visits[0])
    return Plan(visits)


def kinds(problem, plan):
    return {v.kind for v in checker.check(problem, plan)}


def test_checker_catches_team_size(solved):
    problem, plan = solved
    assert "team_size" in kinds(problem, broken(plan, lambda v: dataclasses.replace(v, team=v.team[:1])))


def test_checker_catches_missing_specialty(solved):
    problem, plan = solved
    coal = next(v for v in plan.visits if v.enterprise_id == 0)
    others = tuple(x.id for x in problem.experts if "coal" not in x.specialties and 0 not in x.conflicts)[:3]
    visits = [dataclasses.replace(v, team=others) if v is coal else v for v in plan.visits]
    assert "specialty" in kinds(problem, Plan(visits))


def test_checker_catches_conflict(solved):
    problem, plan = solved
    visit = next(v for v in plan.visits if v.enterprise_id == 5)
    visits = [dataclasses.replace(v, team=(*v.team[1:], 103)) if v is visit else v for v in plan.visits]
    assert "conflict" in kinds(problem, Plan(visits))


def test_checker_catches_daily_capacity(solved):
    problem, plan = solved
    # An expert's busiest month, all of it on one day, against a daily cap of 1.
    month, member = max(
        ((m, x.id) for m in range(1, 13) for x in problem.experts),
        key=lambda mx: sum(1 for v in plan.visits if v.day.month == mx[0] and mx[1] in v.team),
    )
    mine = [v for v in plan.visits if v.day.month == month and member in v.team]
    assert len(mine) > 1
    crowded = [dataclasses.replace(v, day=mine[0].day) if v in mine else v for v in plan.visits]
    one_a_day = dataclasses.replace(
        problem, experts=[dataclasses.replace(x, daily_cap=1) for x in problem.experts]
    )
    assert "daily_capacity" in kinds(one_a_day, Plan(crowded))


def test_checker_catches_monthly_capacity(solved):
    problem, plan = solved
    tight = dataclasses.replace(
        problem, experts=[dataclasses.replace(x, monthly_cap=1) for x in problem.experts]
    )
    assert "monthly_capacity" in kinds(tight, plan)


def test_checker_catches_unavailable_day(solved):
    problem, plan = solved
    first = plan.visits[0]
    away = [
        dataclasses.replace(x, unavailable_days=frozenset({first.day})) if x.id == first.team[0] else x
        for x in problem.experts
    ]
    assert "unavailable" in kinds(dataclasses.replace(problem, experts=away), plan)


def test_checker_catches_missing_visit(solved):
    problem, plan = solved
    assert "visit_count" in kinds(problem, Plan(plan.visits[1:]))


def test_checker_catches_visits_not_spread(solved):
    problem, plan = solved
    visit = next(v for v in plan.visits if v.enterprise_id == 0 and v.day.month <= 3)
    moved = [dataclasses.replace(v, day=dt.date(2026, 12, 1)) if v is visit else v for v in plan.visits]
    assert "spread" in kinds(problem, Plan(moved))


def test_checker_catches_weekend(solved):
    problem, plan = solved
    assert "not_working_day" in kinds(
        problem, broken(plan, lambda v: dataclasses.replace(v, day=dt.date(2026, 1, 3)))
    )


def test_checker_catches_a_changed_completed_visit(solved):
    problem, plan = solved
    fixed = dataclasses.replace(problem, fixed=[Visit(0, 0, dt.date(2026, 1, 5), (100, 101, 102), True)])
    assert "completed_changed" in kinds(fixed, plan)


# --- the demo district ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_plans_a_demo_contract_without_violations():
    from django.core.management import call_command

    from hazardloop.procurement.models import ServiceContract
    from hazardloop.procurement.planning.adapter import problem_from_contract

    call_command("load_demo", verbosity=0)
    contract = ServiceContract.objects.order_by("number").first()
    problem = problem_from_contract(contract, 2026)
    # The demo gives every firm a specialist for each industry of the townships it serves.
    held = set().union(*(x.specialties for x in problem.experts))
    assert {e.specialty for e in problem.enterprises} <= held
    result = solver.solve(problem)
    assert result.status == "ok", result.diagnostics
    assert checker.check(problem, result.plan) == []
    assert len(result.plan.visits) == sum(e.visits for e in problem.enterprises)


def test_plans_on_chinese_working_days_only():
    from hazardloop.procurement.planning.adapter import chinese_working_days

    problem = small_problem()
    problem.working_days = chinese_working_days(2026)
    result = solver.solve(problem)
    assert result.status == "ok" and checker.check(problem, result.plan) == []
    assert not any(v.day == dt.date(2026, 10, 1) for v in result.plan.visits)  # 国庆节


# --- travel -------------------------------------------------------------------------------------


def _one_visit_two_experts(near_first: bool) -> Problem:
    # Everything equal but where the two experts live: same specialties, no conflicts, free all
    # year; one visit of one expert, so the workload spread is 1 whoever goes.
    place = (36.10, 114.30)
    near, far = (36.11, 114.30), (36.30, 114.30)
    ent = EnterpriseSpec(1, "企业1", 1, 1, "general", 1, OTHER, place)
    homes = (near, far) if near_first else (far, near)
    experts = [ExpertSpec(100 + j, f"专家{j}", frozenset({"general"}), home=homes[j]) for j in range(2)]
    return Problem(2026, [ent], experts, weekdays(2026), specialty_labels=LABELS)


@pytest.mark.parametrize("near_first", [True, False])
def test_travel_decides_between_otherwise_equal_experts(near_first):
    problem = _one_visit_two_experts(near_first)
    nearer = 100 if near_first else 101
    result = solver.solve(problem)
    assert result.status == "ok", result.diagnostics
    assert [v.team for v in result.plan.visits] == [(nearer,)]
    assert [v.team for v in greedy_plan(problem).visits] == [(nearer,)]
    # 0.01° of latitude is 1.11 km.
    assert checker.travel_km(problem, result.plan) == pytest.approx(1.1, abs=0.05)


def test_checker_travel_is_the_hand_sum_over_every_member():
    # Homes and enterprises on one meridian, so each leg is R × Δlatitude (in radians).
    ents = [
        EnterpriseSpec(1, "甲", 2, None, "general", 1, OTHER, (36.00, 114.0)),
        EnterpriseSpec(2, "乙", 2, None, "general", 1, OTHER, (36.20, 114.0)),
        EnterpriseSpec(3, "丙", 2, None, "general", 1, OTHER, None),  # no coordinates: no travel
    ]
    experts = [
        ExpertSpec(10, "甲工", frozenset({"general"}), home=(36.05, 114.0)),
        ExpertSpec(11, "乙工", frozenset({"general"}), home=(36.10, 114.0)),
        ExpertSpec(12, "丙工", frozenset({"general"}), home=None),  # no base: no travel
    ]
    problem = Problem(2026, ents, experts, weekdays(2026))
    day = dt.date(2026, 3, 2)
    plan = Plan([Visit(1, 0, day, (10, 11)), Visit(2, 0, day, (11, 12)), Visit(3, 0, day, (10, 12))])
    legs_degrees = [0.05, 0.10, 0.10]  # 甲工→甲, 乙工→甲, 乙工→乙
    hand = sum(6371.0 * math.radians(d) for d in legs_degrees)
    assert checker.travel_km(problem, plan) == round(hand, 1) == 27.8
    assert objective(problem, plan)["travel_km"] == pytest.approx(hand, abs=0.1)


def test_replan_with_travel_keeps_done_visits_and_the_nearer_expert_takes_over():
    problem = small_problem()
    first = solver.solve(problem).plan
    assert checker.travel_km(problem, first) > 0
    cutoff = dt.date(2026, 5, 31)
    done = [dataclasses.replace(v, completed=True) for v in first.visits if v.day <= cutoff]
    gone = problem.experts[2]
    away = dataclasses.replace(gone, unavailable_months=frozenset(range(6, 13)))
    problem2 = dataclasses.replace(
        problem, fixed=done, experts=[away if x.id == gone.id else x for x in problem.experts]
    )
    result = solver.solve(problem2, Plan(done + [v for v in first.visits if v.day > cutoff]))
    assert result.status == "ok", result.diagnostics
    assert checker.check(problem2, result.plan) == []
    now = {(v.enterprise_id, v.index): v for v in result.plan.visits}
    assert all(now[(v.enterprise_id, v.index)] == v for v in done)
    assert not any(gone.id in v.team for v in result.plan.visits if v.day > cutoff)
