"""Year inspection plans: solve a contract's year (procurement.planning), re-plan around an
expert who became unavailable, mark a visit done, and the background planning jobs."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event

from ..models import (
    ContractStatus,
    InspectionPlan,
    PlanMethod,
    PlannedVisit,
    PlanningJob,
    PlanningJobStatus,
    PlanStatus,
    ServiceContract,
    VisitStatus,
)
from .common import (
    ProcurementError,
    _fail,
    _locked_contract,
    _require,
)


class PlanningInfeasible(ProcurementError):
    """The planner proved the standard cannot be met; `text` names the failing constraint and by
    how much (procurement.planning.diagnostics). Nothing is stored."""


def _check_plan_actor(actor, contract: ServiceContract) -> None:
    _require(actor, "procurement.plan", contract, message=_("只能为本乡镇街道或本机构的合同编制计划。"))


def working_days(year: int) -> list[dt.date]:
    """The State Council's working days (chinese_calendar), Mon–Fri for years it does not know."""
    from hazardloop.procurement.planning.adapter import chinese_working_days
    from hazardloop.procurement.planning.model import weekdays

    try:
        return chinese_working_days(year)
    except NotImplementedError:
        return weekdays(year)


def solver_seconds_per_month() -> float:
    return float(getattr(settings, "PROCUREMENT_SOLVER_SECONDS_PER_MONTH", 5.0))


def plan_size(contract: ServiceContract) -> int:
    """Visits a year under the contract: what decides whether a solve runs inline."""
    return sum(contract.visits_required(e) for e in contract.enterprises.all())


def _plan_problem(contract: ServiceContract, year: int, extra_expert_ids=frozenset()):
    from hazardloop.procurement.planning.adapter import problem_from_contract

    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.DRAFT):
        _fail("contract", _("合同已终止，不能编制计划。"))
    if not contract.start_date.year <= year <= contract.end_date.year:
        _fail("year", _("{year} 年不在合同服务期内。").format(year=year))
    return problem_from_contract(
        contract, year, working_days=working_days(year), extra_expert_ids=frozenset(extra_expert_ids)
    )


def _judge(problem, plan) -> dict:
    """Figures a stored plan carries: the independent checker's verdict and travel, objective,
    lower bound and the greedy baseline's objective."""
    from hazardloop.procurement.planning import checker
    from hazardloop.procurement.planning.greedy import greedy_plan
    from hazardloop.procurement.planning.model import lower_bound, objective

    violations = checker.check(problem, plan)
    if violations:
        # Never store a plan the checker rejects: that is a planner bug, not the user's data.
        _fail(
            "plan",
            _("内部错误：方案有 {n} 处违反约束，未予保存（{first}）").format(
                n=len(violations), first=violations[0].message
            ),
        )
    got = objective(problem, plan)
    greedy = greedy_plan(problem) if not problem.fixed else None
    return {
        "objective": got["total"],
        "spread": got["spread"],
        # The checker's own measure of the same kilometres (great-circle), not the solver's.
        "travel_km": checker.travel_km(problem, plan),
        "lower_bound": lower_bound(problem)["total"],
        "greedy_objective": objective(problem, greedy)["total"] if greedy is not None else None,
        "violations": 0,
    }


def solve_contract_plan(
    contract: ServiceContract,
    year: int,
    *,
    actor,
    method: str = PlanMethod.SOLVER,
    seconds_per_month: float | None = None,
) -> InspectionPlan:
    """Plan the contract's year: every covered enterprise's visits spread over the year, teams of
    the contract's size with a specialist, no conflicted expert, capacities kept, workload
    balanced (procurement.planning; `method` greedy stores the baseline instead — faster, used
    where the solver would take long).

    Precondition: actor acts for the township or is the contract's provider; the contract is not
    terminated; the year lies in its period. Solving runs outside any transaction; the result is
    stored atomically. Effects: a new current InspectionPlan with its visits and figures (the
    previous current plan of that year becomes superseded), an audit row.
    Raises PlanningInfeasible with the planner's diagnosis (nothing stored)."""
    import time

    from hazardloop.procurement.planning import diagnostics, solver
    from hazardloop.procurement.planning.greedy import greedy_plan

    _check_plan_actor(actor, contract)
    problem = _plan_problem(contract, year)
    started = time.perf_counter()
    if method == PlanMethod.GREEDY:
        found = diagnostics.precheck(problem)
        plan = None if found else greedy_plan(problem)
        if plan is None:
            messages = [d.message for d in found] or [_("贪心基线未能排出方案，请改用求解器。")]
            raise PlanningInfeasible({"plan": messages})
    else:
        result = solver.solve(
            problem, seconds_per_month=seconds_per_month or solver_seconds_per_month(), workers=2
        )
        if result.status != "ok":
            raise PlanningInfeasible({"plan": [d.message for d in result.diagnostics]})
        plan = result.plan
    seconds = round(time.perf_counter() - started, 2)
    figures = _judge(problem, plan)
    return _store_plan(contract, year, plan, actor=actor, method=method, seconds=seconds, figures=figures)


@transaction.atomic
def _store_plan(contract, year, plan, *, actor, method, seconds, figures) -> InspectionPlan:
    contract = _locked_contract(contract)
    previous = InspectionPlan.objects.select_for_update().filter(
        contract=contract, year=year, status=PlanStatus.CURRENT
    )
    superseded = list(previous.values_list("pk", flat=True))
    previous.update(status=PlanStatus.SUPERSEDED)
    stored = InspectionPlan.objects.create(
        contract=contract, year=year, method=method, solve_seconds=seconds, created_by=actor, **figures
    )
    rows = PlannedVisit.objects.bulk_create(
        PlannedVisit(plan=stored, enterprise_id=v.enterprise_id, index=v.index, month=v.day.month, day=v.day)
        for v in plan.visits
    )
    through = PlannedVisit.team.through
    through.objects.bulk_create(
        through(plannedvisit_id=row.pk, expert_id=m)
        for row, v in zip(rows, plan.visits, strict=True)
        for m in v.team
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=stored,
        data={
            "contract": contract.number,
            "year": year,
            "method": method,
            "visits": len(rows),
            "objective": figures["objective"],
            "superseded": superseded,
        },
    )
    return stored


def _visit_of(row: PlannedVisit, *, completed: bool):
    from hazardloop.procurement.planning.model import Visit

    return Visit(
        row.enterprise_id, row.index, row.day, tuple(sorted(m.pk for m in row.team.all())), completed
    )


def replan_for_unavailable_expert(
    plan: InspectionPlan, expert, from_date: dt.date, *, actor, seconds_per_month: float | None = None
) -> InspectionPlan:
    """Re-plan after `expert` becomes unavailable from `from_date` to the year's end.

    Done and cancelled visits and every visit before `from_date` stay exactly as they are; the
    others keep their month, day and team wherever the standard still allows (the solver charges
    each changed membership more than any gain), so only the visits the expert was on — and as few
    others as possible — move. Experts of the plan who have since left are treated as unavailable
    from the same day.
    Precondition: actor as for solve_contract_plan; the plan is current; the expert belongs to the
    contract's provider; from_date lies in the plan's year.
    Effects: the plan's open visits updated in place (ids kept), revision +1, changed_visits and
    figures; an audit row. Raises PlanningInfeasible (nothing changed) when the others cannot
    cover the expert's share."""
    import dataclasses
    import time

    from hazardloop.procurement.planning import solver
    from hazardloop.procurement.planning.model import Plan

    contract = plan.contract
    _check_plan_actor(actor, contract)
    if plan.status != PlanStatus.CURRENT:
        _fail("plan", _("只能调整执行中的计划。"))
    if expert.provider_id != contract.provider_id:
        _fail("expert", _("该专家不属于本合同的服务机构。"))
    if from_date.year != plan.year:
        _fail("from_date", _("不可用起始日期应在 {year} 年内。").format(year=plan.year))
    rows = list(plan.visits.prefetch_related("team").order_by("pk"))
    on_plan = {m.pk for row in rows for m in row.team.all()}
    problem = _plan_problem(contract, plan.year, extra_expert_ids=on_plan | {expert.pk})
    gone_from = {expert.pk}
    active = set(contract.provider.experts.filter(active=True).values_list("pk", flat=True))
    gone_from |= {x.id for x in problem.experts if x.id not in active}
    away = frozenset(d for d in problem.working_days if d >= from_date)
    problem.experts = [
        dataclasses.replace(x, unavailable_days=x.unavailable_days | away) if x.id in gone_from else x
        for x in problem.experts
    ]
    frozen = {
        row.pk
        for row in rows
        if row.status in (VisitStatus.DONE, VisitStatus.CANCELLED) or row.day < from_date
    }
    visits = [_visit_of(row, completed=row.pk in frozen) for row in rows]
    problem.fixed = [v for v in visits if v.completed]
    started = time.perf_counter()
    result = solver.solve(
        problem, Plan(visits), seconds_per_month=seconds_per_month or solver_seconds_per_month()
    )
    if result.status != "ok":
        raise PlanningInfeasible({"plan": [d.message for d in result.diagnostics]})
    seconds = round(time.perf_counter() - started, 2)
    figures = _judge(problem, result.plan)
    return _apply_replan(
        plan,
        rows,
        frozen,
        result.plan,
        actor=actor,
        expert=expert,
        from_date=from_date,
        seconds=seconds,
        figures=figures,
    )


@transaction.atomic
def _apply_replan(
    plan, rows, frozen, new_plan, *, actor, expert, from_date, seconds, figures
) -> InspectionPlan:
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.CURRENT:
        _fail("plan", _("计划已被替代，请刷新后重试。"))
    now = {(v.enterprise_id, v.index): v for v in new_plan.visits}
    changed = 0
    for row in rows:
        if row.pk in frozen:
            continue
        got = now[(row.enterprise_id, row.index)]
        team = sorted(m.pk for m in row.team.all())
        if got.day != row.day or list(got.team) != team:
            changed += 1
            PlannedVisit.objects.filter(pk=row.pk).update(day=got.day, month=got.day.month)
            row.team.set(got.team)
    plan.revision += 1
    plan.changed_visits = changed
    plan.solve_seconds = seconds
    for name, value in figures.items():
        if value is not None:  # a re-plan has no greedy baseline of its own: keep the first
            setattr(plan, name, value)
    plan.note = _("{when:%Y-%m-%d} 起专家{name}不可用，重排改动 {n} 次检查。").format(
        when=from_date, name=expert.name, n=changed
    )
    plan.save()
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=plan,
        data={
            "contract": plan.contract.number,
            "event": "replan",
            "expert": expert.pk,
            "from": from_date.isoformat(),
            "changed": changed,
            "revision": plan.revision,
        },
    )
    return plan


@transaction.atomic
def mark_visit_done(visit: PlannedVisit, *, actor) -> PlannedVisit:
    """Mark a planned visit done (the inspections module will call this when its record is
    filed). Precondition: actor as for planning; the visit is planned. Effects: status done, an
    audit row."""
    visit = PlannedVisit.objects.select_for_update().select_related("plan__contract").get(pk=visit.pk)
    _check_plan_actor(actor, visit.plan.contract)
    if not can_proceed(visit.done):
        _fail("status", _("该检查{status}。").format(status=visit.get_status_display()))
    visit.done()
    visit.save(update_fields=["status"])
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=visit,
        data={
            "plan": visit.plan_id,
            "event": "done",
            "enterprise": visit.enterprise_id,
            "day": visit.day.isoformat(),
        },
    )
    return visit


# --- background planning jobs -------------------------------------------------------------------


@transaction.atomic
def start_planning_job(
    contract: ServiceContract, year: int, *, actor, kind: str = "solve", params=None
) -> PlanningJob:
    """Queue a solve or re-plan. Precondition: actor as for planning; no job of the contract is
    still running. Effects: a pending PlanningJob (the caller runs or enqueues it), an audit row."""
    _check_plan_actor(actor, contract)
    contract = _locked_contract(contract)
    if contract.planning_jobs.filter(
        status__in=[PlanningJobStatus.PENDING, PlanningJobStatus.RUNNING]
    ).exists():
        _fail("plan", _("该合同已有计划正在编制，请稍后。"))
    job = PlanningJob.objects.create(
        contract=contract, year=year, kind=kind, params=dict(params or {}), actor=actor
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=job,
        data={"contract": contract.number, "kind": kind, "year": year},
    )
    return job


def run_planning_job(job: PlanningJob) -> PlanningJob:
    """Run a pending job (inline or from the task worker): running → done with the plan, or
    failed with the planner's diagnosis."""
    from hazardloop.registry.models import Expert

    updated = PlanningJob.objects.filter(pk=job.pk, status=PlanningJobStatus.PENDING).update(
        status=PlanningJobStatus.RUNNING
    )
    job = PlanningJob.objects.select_related("contract", "actor").get(pk=job.pk)
    if not updated:
        return job
    try:
        if job.kind == "replan":
            plan = InspectionPlan.objects.get(pk=job.params["plan"])
            plan = replan_for_unavailable_expert(
                plan,
                Expert.objects.get(pk=job.params["expert"]),
                dt.date.fromisoformat(job.params["from_date"]),
                actor=job.actor,
            )
        else:
            plan = solve_contract_plan(
                job.contract, job.year, actor=job.actor, method=job.params.get("method", PlanMethod.SOLVER)
            )
    except ProcurementError as exc:  # a refusal of the actor too (ProcurementPermissionDenied)
        PlanningJob.objects.filter(pk=job.pk).update(
            status=PlanningJobStatus.FAILED, message=exc.text, finished_at=timezone.now()
        )
    else:
        PlanningJob.objects.filter(pk=job.pk).update(
            status=PlanningJobStatus.DONE, plan=plan, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job
