"""Year inspection plan pages: solve a contract's year, follow a planning job, the plan's calendar
and per-expert schedule, exports, re-plan and marking a visit done."""

from __future__ import annotations

import calendar
from collections import defaultdict
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core import exports
from hazardloop.core.actions import run_page_action
from hazardloop.core.tables import apply_ordering
from hazardloop.registry.models import Expert

from .. import services, tasks
from ..filters import PlanFilter
from ..forms import ReplanForm, SolveForm
from ..models import (
    InspectionPlan,
    PlannedVisit,
    PlanningJob,
    PlanStatus,
    ServiceContract,
)
from .common import _list_context, _prepare

# A solve of at most this many visits runs in the request; bigger ones go to the task worker.
INLINE_MAX_VISITS = 200
JOB_PROGRESS_ID = "planning-progress"


def _launch(job: PlanningJob, contract: ServiceContract) -> None:
    if services.plan_size(contract) <= INLINE_MAX_VISITS:
        services.run_planning_job(job)
    else:
        # After commit, so a worker never picks up a job whose row it cannot yet see.
        transaction.on_commit(partial(tasks.run_planning.enqueue, job.pk))


def _start_job(request, contract: ServiceContract, back: str, *, year: int, **job):
    """Start a solve or re-plan and show its job page (the plan, or progress while it runs);
    a refusal goes back to `back` with its message."""

    def start():
        started = services.start_planning_job(contract, year, actor=request.user, **job)
        _launch(started, contract)
        return started

    return run_page_action(
        request,
        start,
        success=None,
        redirect_to=lambda started: ("procurement:planning_job", started.pk) if started else back,
    )


@login_required
@require_POST
def contract_solve(request, pk: int):
    user = request.user
    contract = scoping.get_visible_or_404(ServiceContract.objects.select_related("township"), user, pk=pk)
    scoping.require(user, "procurement.manage_plans")
    form = SolveForm(request.POST)
    back = reverse("procurement:contract_detail", args=[contract.pk])
    if not form.is_valid():
        messages.error(request, _("请填写年度。"))
        return redirect(back)
    return _start_job(
        request,
        contract,
        back,
        year=form.cleaned_data["year"],
        params={"method": form.cleaned_data["method"]},
    )


@login_required
def planning_job(request, pk: int):
    """A solve's progress while it runs (HTMX polls the #progress partial), then its plan or the
    planner's diagnosis."""
    scoping.require(request.user, "procurement.view_plans")
    job = scoping.get_visible_or_404(
        PlanningJob.objects.select_related("contract", "actor", "plan"), request.user, pk=pk
    )
    template = "procurement/planning_job.html"
    if request.htmx and request.htmx.target == JOB_PROGRESS_ID:
        template += "#progress"
    response = render(request, template, {"job": job, "progress_id": JOB_PROGRESS_ID})
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _plan_rows(request):
    user = request.user
    visible = InspectionPlan.objects.visible_to(user)
    filterset = PlanFilter(
        request.GET,
        queryset=visible.select_related("contract__township", "contract__provider").annotate(
            visit_count=Count("visits")
        ),
        request=request,
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return filterset, queryset


@login_required
def plan_list(request):
    scoping.require(request.user, "procurement.view_plans")
    filterset, queryset = _plan_rows(request)
    _prepare(filterset, _("合同编号或名称"))
    queryset = apply_ordering(
        request, queryset, {"year": "year", "contract": "contract__number", "objective": "objective"}
    )
    return render(request, "procurement/plan_list.html", _list_context(request, filterset, queryset))


PLAN_COLUMNS = [
    exports.Column(_("合同编号"), "contract.number", 16),
    exports.Column(_("购买主体"), "contract.township.name", 14),
    exports.Column(_("承接主体"), "contract.provider.name", 30),
    exports.Column(_("年度"), "year", 8),
    exports.Column(_("状态"), "get_status_display", 10),
    exports.Column(_("方法"), "get_method_display", 12),
    exports.Column(_("检查次数"), "visit_count", 10),
    exports.Column(_("求解用时（秒）"), "solve_seconds", 10),
    exports.Column(_("目标值"), "objective", 10),
    exports.Column(_("下界"), "lower_bound", 10),
    exports.Column(_("贪心基线"), "greedy_objective", 10),
    exports.Column(_("约束违反"), "violations", 8),
]


@login_required
def plan_list_export(request):
    scoping.require(request.user, "procurement.view_plans")
    _filterset, queryset = _plan_rows(request)
    return exports.xlsx_response(queryset, PLAN_COLUMNS, filename_stem=_("排查计划"))


def _plan(request, pk):
    scoping.require(request.user, "procurement.view_plans")
    return scoping.get_visible_or_404(
        InspectionPlan.objects.select_related("contract__township", "contract__provider", "created_by"),
        request.user,
        pk=pk,
    )


def _visits(plan, user):
    experts = Expert.objects.visible_to(user)
    return (
        plan.visits.select_related("enterprise__township")
        .prefetch_related(Prefetch("team", queryset=experts.order_by("name")))
        .order_by("day", "enterprise__name")
    )


@login_required
def plan_detail(request, pk: int):
    """The plan: month calendar (?month=), per-expert schedule (?expert=), figures, re-plan."""
    user = request.user
    plan = _plan(request, pk)
    try:
        month = min(max(int(request.GET.get("month", "")), 1), 12)
    except ValueError:
        today = timezone.localdate()
        month = today.month if today.year == plan.year else 1
    visits = list(_visits(plan, user))
    by_day = defaultdict(list)
    for v in visits:
        if v.month == month:
            by_day[v.day].append(v)
    weeks = [
        [{"day": d, "in_month": d.month == month, "visits": by_day.get(d, [])} for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(plan.year, month)
    ]
    team_experts = sorted({m for v in visits for m in v.team.all()}, key=lambda x: x.name)
    expert = None
    schedule = []
    if request.GET.get("expert"):
        expert = next((x for x in team_experts if str(x.pk) == request.GET["expert"]), None)
        if expert is not None:
            schedule = [v for v in visits if expert in v.team.all()]
    load = defaultdict(int)
    for v in visits:
        for m in v.team.all():
            load[m] += 1
    can_replan = plan.status == PlanStatus.CURRENT and scoping.may(user, "procurement.plan", plan.contract)
    context = {
        "plan": plan,
        "month": month,
        "months": range(1, 13),
        "weekday_names": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
        "weeks": weeks,
        "visit_total": len(visits),
        "done_total": sum(1 for v in visits if v.status == "done"),
        "experts": [(x, load[x]) for x in team_experts],
        "expert": expert,
        "schedule": schedule,
        "replan_form": ReplanForm(experts=plan.contract.provider.experts.order_by("name"))
        if can_replan
        else None,
    }
    return render(request, "procurement/plan_detail.html", context)


def _team_names(visit):
    return "、".join(m.name for m in visit.team.all())


VISIT_COLUMNS = [
    exports.Column(_("日期"), "day", 12),
    exports.Column(_("月份"), "month", 6),
    exports.Column(_("企业"), "enterprise.name", 32),
    exports.Column(_("乡镇街道"), "enterprise.township.name", 14),
    exports.Column(_("年度第几次"), lambda v: v.index + 1, 10),
    exports.Column(_("检查组"), _team_names, 30),
    exports.Column(_("人数"), lambda v: len(v.team.all()), 6),
    exports.Column(_("状态"), "get_status_display", 8),
]


@login_required
def plan_export(request, pk: int):
    plan = _plan(request, pk)
    visits = _visits(plan, request.user)
    if request.GET.get("expert"):
        visits = visits.filter(team__pk=request.GET["expert"])
    return exports.xlsx_response(
        list(visits), VISIT_COLUMNS, filename_stem=f"{plan.contract.number}_{plan.year}排查计划"
    )


@login_required
@require_POST
def plan_replan(request, pk: int):
    plan = _plan(request, pk)
    scoping.require(request.user, "procurement.manage_plans")
    back = reverse("procurement:plan_detail", args=[plan.pk])
    form = ReplanForm(request.POST, experts=plan.contract.provider.experts.all())
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    return _start_job(
        request,
        plan.contract,
        back,
        year=plan.year,
        kind="replan",
        params={
            "plan": plan.pk,
            "expert": form.cleaned_data["expert"].pk,
            "from_date": form.cleaned_data["from_date"].isoformat(),
        },
    )


@login_required
@require_POST
def visit_done(request, pk: int):
    visit = scoping.get_visible_or_404(PlannedVisit.objects.select_related("plan"), request.user, pk=pk)
    scoping.require(request.user, "procurement.manage_plans")
    back = reverse("procurement:plan_detail", args=[visit.plan_id]) + f"?month={visit.month}"
    return run_page_action(
        request,
        lambda: services.mark_visit_done(visit, actor=request.user),
        success=_("已标记完成。"),
        redirect_to=back,
    )
