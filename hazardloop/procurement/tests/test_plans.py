"""Persisted inspection plans: solved, checked by the independent checker, re-planned around an
unavailable expert with done visits fixed, refused with the failing constraint named."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from hazardloop.procurement import services
from hazardloop.procurement.models import InspectionPlan, PlanningJobStatus, PlanStatus, VisitStatus
from hazardloop.procurement.planning import checker
from hazardloop.procurement.planning.adapter import problem_from_contract
from hazardloop.procurement.planning.model import Plan, Visit

from .conftest import qualified_provider


def stored_plan(plan: InspectionPlan) -> Plan:
    return Plan(
        [
            Visit(
                v.enterprise_id, v.index, v.day, tuple(sorted(m.pk for m in v.team.all())), v.status == "done"
            )
            for v in plan.visits.prefetch_related("team")
        ]
    )


@pytest.fixture
def contract(district):
    provider = qualified_provider(
        "安阳排查安全服务有限公司", engineers=5, specialties=["hazchem", "textiles", "general"]
    )
    return services.record_service_contract(
        actor=None,
        number="LA2026-P-01",
        title="马投涧镇隐患排查服务",
        township=district.town_b,
        provider=provider,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        price=30000,
        enterprises=[district.chem, district.textile],
    )


def test_solved_plan_is_stored_and_passes_the_independent_checker(contract, personas):
    plan = services.solve_contract_plan(contract, 2026, actor=personas.bureau, seconds_per_month=1)
    # 化工 (high-risk) 4 visits of 3–5 experts; the small textile mill 1 visit of ≥ 2.
    assert plan.visits.count() == 5 and plan.violations == 0 and plan.status == PlanStatus.CURRENT
    assert plan.lower_bound <= plan.objective
    problem = problem_from_contract(contract, 2026, working_days=services.working_days(2026))
    assert checker.check(problem, stored_plan(plan)) == []
    again = services.solve_contract_plan(contract, 2026, actor=personas.bureau, seconds_per_month=1)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED and again.status == PlanStatus.CURRENT


def test_stored_plan_counts_travel_from_each_experts_base(contract, personas):
    from hazardloop.registry.models import Enterprise, Expert

    # Both enterprises 0.1° of latitude north of every expert's base: 11.12 km a membership.
    Enterprise.objects.filter(pk__in=contract.enterprises.values("pk")).update(
        latitude="36.100000", longitude="114.200000"
    )
    Expert.objects.filter(provider=contract.provider).update(
        base_latitude="36.000000", base_longitude="114.200000"
    )
    plan = services.solve_contract_plan(contract, 2026, actor=personas.bureau, seconds_per_month=1)
    memberships = sum(v.team.count() for v in plan.visits.all())
    assert memberships >= 4 * 3 + 2
    assert plan.travel_km == pytest.approx(memberships * 6371 * math.radians(0.1), abs=0.1)
    assert plan.lower_bound <= plan.objective


def test_replan_keeps_done_visits_and_drops_the_expert(contract, personas):
    plan = services.solve_contract_plan(contract, 2026, actor=personas.bureau, seconds_per_month=1)
    visits = list(plan.visits.prefetch_related("team").order_by("day"))
    done = visits[:2]
    for v in done:
        services.mark_visit_done(v, actor=personas.bureau)
    before = {v.pk: (v.day, sorted(m.pk for m in v.team.all())) for v in done}
    busiest = max(
        contract.provider.experts.all(), key=lambda x: sum(1 for v in visits[2:] if x in v.team.all())
    )
    from_date = visits[2].day
    plan = services.replan_for_unavailable_expert(
        plan, busiest, from_date, actor=personas.bureau, seconds_per_month=1
    )
    assert plan.revision == 1 and plan.violations == 0
    for v in plan.visits.prefetch_related("team"):
        team = sorted(m.pk for m in v.team.all())
        if v.pk in before:
            assert (v.day, team) == before[v.pk] and v.status == VisitStatus.DONE
        elif v.day >= from_date:
            assert busiest.pk not in team
    touched = sum(1 for v in visits[2:] if busiest in v.team.all())
    assert plan.changed_visits <= touched + 1


def test_infeasible_contract_names_the_failing_constraint(district, personas):
    # The fixture's 龙泉镇 contract: one expert (王工) for a coal mine needing 3–5 a visit.
    with pytest.raises(services.PlanningInfeasible) as caught:
        services.solve_contract_plan(district.contract, 2026, actor=personas.bureau)
    assert "少于所需 3 人" in caught.value.text or "专家人数不足" in caught.value.text
    assert not InspectionPlan.objects.filter(contract=district.contract).exists()


def test_planning_job_keeps_the_diagnosis(district, personas):
    job = services.start_planning_job(district.contract, 2026, actor=personas.township)
    job = services.run_planning_job(job)
    assert job.status == PlanningJobStatus.FAILED and "专家" in job.message and job.plan is None


def test_only_the_parties_plan_a_contract(contract, personas):
    with pytest.raises(services.ProcurementPermissionDenied):
        services.solve_contract_plan(contract, 2026, actor=personas.township)  # 龙泉镇, not 马投涧镇
    with pytest.raises(services.ProcurementPermissionDenied):
        services.solve_contract_plan(contract, 2026, actor=personas.provider)  # another firm


@pytest.mark.django_db
def test_demo_procurement_and_plans():
    from django.core.management import call_command

    from hazardloop.procurement.models import Bid, ServiceContract, Tender

    call_command("load_demo", verbosity=0)
    refused = Bid.objects.get(status="refused")
    assert refused.provider.name == "安阳恒誉安全科技有限公司" and "重大违法记录" in refused.refusal_reason
    assert Tender.objects.filter(status="awarded").count() == 10
    assert ServiceContract.objects.filter(published_at__isnull=False).count() == 11
    plans = list(InspectionPlan.objects.filter(status="current").select_related("contract"))
    assert any(p.method == "cpsat" for p in plans)
    for plan in plans:
        problem = problem_from_contract(plan.contract, 2026, working_days=services.working_days(2026))
        assert checker.check(problem, stored_plan(plan)) == [], plan.contract.number
