"""Procurement pages: tenders and bids, contracts (standards, milestones, amendments) and year
inspection plans (calendar, per-expert schedule, re-plan).

Every list starts from `visible_to(user)` and the FilterSet the API and exports share; every
detail goes through `scoping.get_visible_or_404`; writes go through procurement.services only."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core import exports
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, apply_ordering, paginate
from hazardloop.registry.choices import EnterpriseStatus, RegionLevel
from hazardloop.registry.models import Enterprise, Expert, Provider, Region

from . import awards, compliance, rules, services, tasks
from .filters import AwardFilter, BreachFilter, ContractFilter, MilestoneFilter, PlanFilter, TenderFilter
from .forms import AmendForm, AwardFormulaForm, BidForm, MilestoneForm, ReplanForm, SolveForm, TenderForm
from .models import (
    Award,
    AwardFormula,
    AwardStatus,
    Bid,
    BidStatus,
    ComplianceBreach,
    InspectionPlan,
    MilestoneStatus,
    PaymentMilestone,
    PlannedVisit,
    PlanningJob,
    ServiceContract,
    Tender,
    TenderStatus,
)

# A solve of at most this many visits runs in the request; bigger ones go to the task worker.
INLINE_MAX_VISITS = 200
JOB_PROGRESS_ID = "planning-progress"


def _require(user, capability: str) -> None:
    if not scoping.can(user, capability):
        raise PermissionDenied


def _prepare(filterset, placeholder: str) -> None:
    form = filterset.form
    style_widgets(form)
    if "q" in form.fields:
        form.fields["q"].widget.attrs.update({"placeholder": placeholder, "type": "search"})
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["data-autosubmit"] = ""
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
                field.widget.choices = field.choices
        if isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(
                choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
                attrs={"class": "form-select", "data-autosubmit": ""},
            )


def _townships(user, visible_regions_of):
    return Region.objects.filter(level=RegionLevel.TOWNSHIP, pk__in=visible_regions_of).order_by("code")


def _error(request, exc: services.ProcurementError) -> None:
    messages.error(request, exc.text)


def _act(request, call, success: str, back: str):
    """Run a service call from a POST: success message, or its Chinese error, or 403."""
    try:
        result = call()
    except services.ProcurementPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except services.ProcurementError as exc:
        _error(request, exc)
        return redirect(back), None
    messages.success(request, success)
    return redirect(back), result


def _list_context(request, filterset, queryset):
    result = paginate(request, queryset)
    return {
        "filter": filterset,
        "result": result,
        "page_sizes": PAGE_SIZES,
        "export_query": request.GET.urlencode(),
    }


# --- tenders ------------------------------------------------------------------------------------


def _tender_rows(request):
    user = request.user
    visible = Tender.objects.visible_to(user)
    filterset = TenderFilter(
        request.GET,
        queryset=visible.select_related("township", "contract", "awarded_bid__provider").annotate(
            bid_count=Count("bids", distinct=True), enterprise_count=Count("enterprises", distinct=True)
        ),
        request=request,
    )
    filterset.form.fields["township"].queryset = _townships(user, visible.values("township_id"))
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return filterset, queryset


@login_required
def tender_list(request):
    _require(request.user, "procurement.view_tenders")
    filterset, queryset = _tender_rows(request)
    _prepare(filterset, _("招标编号或项目名称"))
    queryset = apply_ordering(
        request,
        queryset,
        {"number": "number", "closing": "closing_date", "budget": "budget", "status": "status"},
    )
    context = _list_context(request, filterset, queryset)
    context["can_manage"] = scoping.can(request.user, "procurement.manage_tenders")
    return render(request, "procurement/tender_list.html", context)


TENDER_COLUMNS = [
    exports.Column(_("招标编号"), "number", 18),
    exports.Column(_("项目名称"), "title", 36),
    exports.Column(_("购买主体"), "township.name", 14),
    exports.Column(_("服务企业（家）"), "enterprise_count", 10),
    exports.Column(_("预算金额（元）"), "budget", 14, "#,##0.00"),
    exports.Column(_("服务开始"), "service_start", 12),
    exports.Column(_("服务结束"), "service_end", 12),
    exports.Column(_("投标截止"), "closing_date", 12),
    exports.Column(_("投标数"), "bid_count", 8),
    exports.Column(_("状态"), "get_status_display", 10),
    exports.Column(_("中标机构"), lambda t: t.awarded_bid.provider.name if t.awarded_bid else "", 30),
    exports.Column(_("发布时间"), "published_at", 18),
    exports.Column(_("定标时间"), "awarded_at", 18),
]


@login_required
def tender_export(request):
    _require(request.user, "procurement.view_tenders")
    _filterset, queryset = _tender_rows(request)
    return exports.xlsx_response(queryset, TENDER_COLUMNS, filename_stem=_("招标项目"))


def _actable_townships(user):
    if user.role == Role.TOWNSHIP:
        return Region.objects.filter(pk=user.region_id)
    visible = Enterprise.objects.visible_to(user).values("township_id")
    return _townships(user, visible)


@login_required
def tender_create(request):
    user = request.user
    _require(user, "procurement.manage_tenders")
    townships = _actable_townships(user)
    enterprises = (
        Enterprise.objects.visible_to(user)
        .filter(status=EnterpriseStatus.ACTIVE, township__in=townships)
        .select_related("township")
        .order_by("township__code", "name")
    )
    today = timezone.localdate()
    initial = {
        "service_start": dt.date(today.year + 1, 1, 1),
        "service_end": dt.date(today.year + 1, 12, 31),
        "closing_date": today + dt.timedelta(days=20),
        "township": townships.first() if user.role == Role.TOWNSHIP else None,
    }
    form = TenderForm(request.POST or None, townships=townships, enterprises=enterprises, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        township = data["township"]
        covered = list(data["enterprises"]) or list(enterprises.filter(township=township))
        criteria = [
            ("price", _("投标报价"), data["price_weight"]),
            ("technical", _("技术方案（排查方案、质量保证、报告）"), data["technical_weight"]),
            ("technical", _("人员与装备（专职工程师、检测装备）"), data["staff_weight"]),
        ]
        try:
            tender = services.create_tender(
                actor=user,
                number=data["number"],
                title=data["title"],
                township=township,
                enterprises=covered,
                budget=data["budget"],
                requirements=data["requirements"],
                service_start=data["service_start"],
                service_end=data["service_end"],
                closing_date=data["closing_date"],
                stable_service=data["stable_service"],
                criteria=criteria,
            )
        except services.ProcurementPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.ProcurementError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("招标项目已创建（草稿），请核对后发布。"))
            return redirect("procurement:tender_detail", pk=tender.pk)
    return render(request, "procurement/tender_form.html", {"form": form})


@login_required
def tender_detail(request, pk: int):
    user = request.user
    _require(user, "procurement.view_tenders")
    tender = scoping.get_visible_or_404(
        Tender.objects.select_related("township", "contract", "created_by", "published_by", "awarded_by"),
        user,
        pk=pk,
    )
    criteria = list(tender.criteria.all())
    bids = list(
        Bid.objects.visible_to(user)
        .filter(tender=tender)
        .select_related("provider", "submitted_by", "scored_by")
        .order_by(F("total").desc(nulls_last=True), "price", "pk")
    )
    for bid in bids:
        bid.cells = [(c, bid.scores.get(str(c.pk), "")) for c in criteria]
    can_manage = scoping.can(user, "procurement.manage_tenders") and services._acts_for_township(
        user, tender.township
    )
    own_bid = None
    can_bid = False
    if user.role == Role.PROVIDER and scoping.can(user, "procurement.bid"):
        own_bid = next((b for b in bids if b.provider_id == user.provider_id), None)
        can_bid = tender.status == TenderStatus.PUBLISHED and own_bid is None
    context = {
        "tender": tender,
        "criteria": criteria,
        "technical": [c for c in criteria if c.kind == "technical"],
        "bids": bids,
        "valid_bids": [b for b in bids if b.status != BidStatus.REFUSED],
        "enterprises": tender.enterprises.select_related("industry").order_by("name"),
        "can_manage": can_manage,
        "can_bid": can_bid,
        "own_bid": own_bid,
        "bid_form": BidForm() if can_bid else None,
        "entry_failures": services.check_entry_conditions(user.provider) if can_bid else [],
        "can_view_contracts": scoping.can(user, "procurement.view_contracts"),
    }
    return render(request, "procurement/tender_detail.html", context)


def _managed_tender(request, pk):
    tender = scoping.get_visible_or_404(Tender.objects.select_related("township"), request.user, pk=pk)
    _require(request.user, "procurement.manage_tenders")
    return tender


@login_required
@require_POST
def tender_action(request, pk: int, action: str):
    tender = _managed_tender(request, pk)
    back = reverse("procurement:tender_detail", args=[tender.pk])
    user = request.user
    calls = {
        "publish": (lambda: services.publish_tender(tender, actor=user), _("招标已发布。")),
        "close": (lambda: services.close_tender(tender, actor=user), _("投标已截止，可以评分。")),
        "cancel": (
            lambda: services.cancel_tender(tender, actor=user, reason=request.POST.get("reason", "")),
            _("招标已取消。"),
        ),
    }
    if action not in calls:
        raise Http404
    call, success = calls[action]
    response, _result = _act(request, call, success, back)
    return response


@login_required
@require_POST
def bid_submit(request, pk: int):
    user = request.user
    tender = scoping.get_visible_or_404(Tender.objects.all(), user, pk=pk)
    _require(user, "procurement.bid")
    back = reverse("procurement:tender_detail", args=[tender.pk])
    form = BidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    response, bid = _act(
        request,
        lambda: services.submit_bid(
            tender,
            actor=user,
            provider=user.provider,
            price=form.cleaned_data["price"],
            technical_summary=form.cleaned_data["technical_summary"],
        ),
        _("投标已提交。"),
        back,
    )
    if bid is not None and bid.status == BidStatus.REFUSED:
        # Replace the success note: the bid is on record, but refused, with the reasons.
        list(messages.get_messages(request))
        messages.error(request, _("投标未通过资格审查：") + " ".join(bid.refusal_lines()))
    return response


@login_required
@require_POST
def tender_score(request, pk: int):
    tender = _managed_tender(request, pk)
    scores: dict[int, dict[int, str]] = defaultdict(dict)
    for key, value in request.POST.items():
        if key.startswith("score_"):
            try:
                _prefix, bid_id, criterion_id = key.split("_")
                scores[int(bid_id)][int(criterion_id)] = value
            except ValueError:
                continue
    back = reverse("procurement:tender_detail", args=[tender.pk])
    response, _ranked = _act(
        request,
        lambda: services.score_bids(tender, actor=request.user, scores=scores),
        _("评分已保存。"),
        back,
    )
    return response


@login_required
@require_POST
def tender_award(request, pk: int):
    tender = _managed_tender(request, pk)
    back = reverse("procurement:tender_detail", args=[tender.pk])
    try:
        bid = tender.bids.get(pk=int(request.POST.get("bid", "0")))
    except (Bid.DoesNotExist, ValueError):
        messages.error(request, _("请选择中标投标。"))
        return redirect(back)
    response, contract = _act(
        request,
        lambda: services.award_tender(tender, bid, actor=request.user),
        _("已定标，服务合同已生成（草稿），请补全条款后公开。"),
        back,
    )
    if contract is not None:
        return redirect("procurement:contract_detail", pk=contract.pk)
    return response


# --- contracts ----------------------------------------------------------------------------------


def _contract_rows(request):
    user = request.user
    visible = ServiceContract.objects.visible_to(user)
    filterset = ContractFilter(
        request.GET,
        queryset=visible.select_related("township", "provider").annotate(
            enterprise_count=Count("enterprises")
        ),
        request=request,
    )
    filterset.form.fields["township"].queryset = _townships(user, visible.values("township_id"))
    filterset.form.fields["provider"].queryset = Provider.objects.filter(
        pk__in=visible.values("provider_id")
    ).only("pk", "name")
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return filterset, queryset


@login_required
def contract_list(request):
    _require(request.user, "procurement.view_contracts")
    filterset, queryset = _contract_rows(request)
    _prepare(filterset, _("合同编号或名称"))
    queryset = apply_ordering(
        request,
        queryset,
        {
            "number": "number",
            "start": "start_date",
            "price": "price",
            "status": "status",
            "enterprises": "enterprise_count",
        },
    )
    context = _list_context(request, filterset, queryset)
    if scoping.can(request.user, "procurement.view_cost"):
        year = filterset.form.cleaned_data.get("year") if filterset.is_valid() else None
        context["cost"] = cost_figures(request.user, int(year or timezone.localdate().year))
    return render(request, "procurement/contract_list.html", context)


CONTRACT_COLUMNS = [
    exports.Column(_("合同编号"), "number", 16),
    exports.Column(_("合同名称"), "title", 36),
    exports.Column(_("购买主体"), "township.name", 14),
    exports.Column(_("承接主体"), "provider.name", 30),
    exports.Column(_("服务开始"), "start_date", 12),
    exports.Column(_("服务结束"), "end_date", 12),
    exports.Column(_("合同金额（元）"), "price", 14, "#,##0.00"),
    exports.Column(_("服务企业（家）"), "enterprise_count", 10),
    exports.Column(_("状态"), "get_status_display", 10),
    exports.Column(_("版本"), "version", 6),
    exports.Column(_("公开时间"), "published_at", 18),
    exports.Column(_("高危企业每年排查"), "visits_high_risk", 10),
    exports.Column(_("大中型企业每年排查"), "visits_large_medium", 10),
    exports.Column(_("一般企业每年排查"), "visits_ordinary", 10),
    exports.Column(
        _("高危企业专家人数"), lambda c: f"{c.team_high_risk_min}–{c.team_high_risk_max or ''}", 10
    ),
    exports.Column(_("大中型企业专家人数"), lambda c: f"≥{c.team_large_medium_min}", 10),
    exports.Column(_("一般企业专家人数"), lambda c: f"≥{c.team_ordinary_min}", 10),
    exports.Column(_("报告时限（天）"), "report_days", 10),
    exports.Column(_("复查时限（工作日）"), "reinspection_working_days", 10),
]


@login_required
def contract_export(request):
    _require(request.user, "procurement.view_contracts")
    _filterset, queryset = _contract_rows(request)
    return exports.xlsx_response(queryset, CONTRACT_COLUMNS, filename_stem=_("服务合同"))


def _standard_rows(contract):
    def team(low, high):
        return f"{low}–{high} 人" if high else f"≥{low} 人"

    return [
        (
            _("高危企业"),
            contract.visits_high_risk,
            team(contract.team_high_risk_min, contract.team_high_risk_max),
        ),
        (
            _("大中型企业"),
            contract.visits_large_medium,
            team(contract.team_large_medium_min, contract.team_large_medium_max),
        ),
        (
            _("一般企业"),
            contract.visits_ordinary,
            team(contract.team_ordinary_min, contract.team_ordinary_max),
        ),
    ]


@login_required
def contract_detail(request, pk: int):
    user = request.user
    _require(user, "procurement.view_contracts")
    contract = scoping.get_visible_or_404(
        ServiceContract.objects.select_related("township", "provider", "published_by"), user, pk=pk
    )
    can_manage = scoping.can(user, "procurement.manage_contracts") and services._acts_for_township(
        user, contract.township
    )
    can_plan = scoping.can(user, "procurement.manage_plans")
    enterprises = contract.enterprises.select_related("industry").order_by("-high_risk", "name")
    rows = []
    for ent in enterprises:
        rows.append((ent, contract.visits_required(ent), contract.team_requirement(ent)))
    milestones = list(contract.milestones.select_related("paid_by"))
    paid = sum((m.amount for m in milestones if m.status == "paid"), Decimal(0))
    context = {
        "contract": contract,
        "standard_rows": _standard_rows(contract),
        "enterprise_rows": rows,
        "milestones": milestones,
        "paid_total": paid,
        "amendments": contract.amendments.select_related("actor").order_by("-version"),
        "plans": InspectionPlan.objects.visible_to(user)
        .filter(contract=contract)
        .order_by("-year", "-pk")[:5],
        "jobs": PlanningJob.objects.visible_to(user).filter(contract=contract)[:3],
        "tender": Tender.objects.visible_to(user).filter(contract=contract).first()
        if scoping.can(user, "procurement.view_tenders")
        else None,
        "fulfilment": compliance.contract_fulfilment(contract),
        "can_manage": can_manage,
        "can_plan": can_plan,
        "milestone_form": MilestoneForm() if can_manage else None,
        "solve_form": SolveForm(initial={"year": contract.start_date.year}) if can_plan else None,
    }
    return render(request, "procurement/contract_detail.html", context)


def _managed_contract(request, pk):
    contract = scoping.get_visible_or_404(
        ServiceContract.objects.select_related("township"), request.user, pk=pk
    )
    _require(request.user, "procurement.manage_contracts")
    return contract


@login_required
@require_POST
def contract_publish(request, pk: int):
    contract = _managed_contract(request, pk)
    back = reverse("procurement:contract_detail", args=[contract.pk])
    response, _c = _act(
        request, lambda: services.publish_contract(contract, actor=request.user), _("合同已公开。"), back
    )
    return response


@login_required
def contract_amend(request, pk: int):
    contract = _managed_contract(request, pk)
    original = ServiceContract.objects.get(pk=contract.pk)
    form = AmendForm(request.POST or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amend_contract(
                original,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                changes=form.changes(original),
            )
        except services.ProcurementPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.ProcurementError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("合同已变更为第 %(v)s 版。") % {"v": amendment.version})
            return redirect("procurement:contract_detail", pk=contract.pk)
    return render(request, "procurement/contract_amend.html", {"form": form, "contract": original})


@login_required
@require_POST
def milestone_add(request, pk: int):
    contract = _managed_contract(request, pk)
    back = reverse("procurement:contract_detail", args=[contract.pk])
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    data = form.cleaned_data
    response, _m = _act(
        request,
        lambda: services.add_payment_milestone(
            contract,
            actor=request.user,
            name=data["name"],
            due_date=data["due_date"],
            share=data["share"],
            amount=data["amount"],
        ),
        _("付款节点已添加。"),
        back,
    )
    return response


@login_required
@require_POST
def milestone_pay(request, pk: int):
    milestone = scoping.get_visible_or_404(
        PaymentMilestone.objects.select_related("contract"), request.user, pk=pk
    )
    _require(request.user, "procurement.manage_contracts")
    back = reverse("procurement:contract_detail", args=[milestone.contract_id])
    response, _m = _act(
        request,
        lambda: services.record_payment(milestone, actor=request.user, note=request.POST.get("note", "")),
        _("已登记支付。"),
        back,
    )
    return response


def _launch(job: PlanningJob, contract: ServiceContract) -> None:
    if services.plan_size(contract) <= INLINE_MAX_VISITS:
        services.run_planning_job(job)
    else:
        # After commit, so a worker never picks up a job whose row it cannot yet see.
        transaction.on_commit(partial(tasks.run_planning.enqueue, job.pk))


@login_required
@require_POST
def contract_solve(request, pk: int):
    user = request.user
    contract = scoping.get_visible_or_404(ServiceContract.objects.select_related("township"), user, pk=pk)
    _require(user, "procurement.manage_plans")
    form = SolveForm(request.POST)
    back = reverse("procurement:contract_detail", args=[contract.pk])
    if not form.is_valid():
        messages.error(request, _("请填写年度。"))
        return redirect(back)
    response, job = _act(
        request,
        lambda: services.start_planning_job(
            contract, form.cleaned_data["year"], actor=user, params={"method": form.cleaned_data["method"]}
        ),
        _("已提交编制。"),
        back,
    )
    if job is None:
        return response
    list(messages.get_messages(request))
    _launch(job, contract)
    return redirect("procurement:planning_job", pk=job.pk)


@login_required
def planning_job(request, pk: int):
    """A solve's progress while it runs (HTMX polls the #progress partial), then its plan or the
    planner's diagnosis."""
    _require(request.user, "procurement.view_plans")
    job = scoping.get_visible_or_404(
        PlanningJob.objects.select_related("contract", "actor", "plan"), request.user, pk=pk
    )
    template = "procurement/planning_job.html"
    if request.htmx and request.htmx.target == JOB_PROGRESS_ID:
        template += "#progress"
    response = render(request, template, {"job": job, "progress_id": JOB_PROGRESS_ID})
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# --- plans --------------------------------------------------------------------------------------


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
    _require(request.user, "procurement.view_plans")
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
    _require(request.user, "procurement.view_plans")
    _filterset, queryset = _plan_rows(request)
    return exports.xlsx_response(queryset, PLAN_COLUMNS, filename_stem=_("排查计划"))


def _plan(request, pk):
    _require(request.user, "procurement.view_plans")
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
    can_replan = scoping.can(user, "procurement.manage_plans") and plan.status == "current"
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
    _require(request.user, "procurement.manage_plans")
    back = reverse("procurement:plan_detail", args=[plan.pk])
    form = ReplanForm(request.POST, experts=plan.contract.provider.experts.all())
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    response, job = _act(
        request,
        lambda: services.start_planning_job(
            plan.contract,
            plan.year,
            actor=request.user,
            kind="replan",
            params={
                "plan": plan.pk,
                "expert": form.cleaned_data["expert"].pk,
                "from_date": form.cleaned_data["from_date"].isoformat(),
            },
        ),
        _("已提交重排。"),
        back,
    )
    if job is None:
        return response
    list(messages.get_messages(request))
    _launch(job, plan.contract)
    return redirect("procurement:planning_job", pk=job.pk)


@login_required
@require_POST
def visit_done(request, pk: int):
    visit = scoping.get_visible_or_404(PlannedVisit.objects.select_related("plan"), request.user, pk=pk)
    _require(request.user, "procurement.manage_plans")
    back = reverse("procurement:plan_detail", args=[visit.plan_id]) + f"?month={visit.month}"
    response, _v = _act(
        request, lambda: services.mark_visit_done(visit, actor=request.user), _("已标记完成。"), back
    )
    return response


# --- compliance breaches --------------------------------------------------------------------------


def _breach_rows(request):
    user = request.user
    visible = ComplianceBreach.objects.visible_to(user)
    contracts = ServiceContract.objects.visible_to(user)
    filterset = BreachFilter(
        request.GET,
        queryset=visible.select_related(
            "contract__township", "contract__provider", "enterprise", "inspection", "hazard"
        ),
        request=request,
    )
    form = filterset.form
    form.fields["contract"].queryset = contracts.only("pk", "number", "title").order_by("number")
    form.fields["township"].queryset = _townships(user, contracts.values("township_id"))
    form.fields["provider"].queryset = Provider.objects.filter(pk__in=contracts.values("provider_id")).only(
        "pk", "name"
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return filterset, queryset


def _date_inputs(filterset, *names):
    for name in names:
        filterset.form.fields[name].widget.input_type = "date"


@login_required
def breach_list(request):
    _require(request.user, "procurement.view_contracts")
    filterset, queryset = _breach_rows(request)
    _prepare(filterset, _("合同编号、企业或说明"))
    _date_inputs(filterset, "detected_from", "detected_to")
    queryset = apply_ordering(
        request,
        queryset,
        {
            "detected": "detected_at",
            "kind": "kind",
            "contract": "contract__number",
            "resolved": "resolved_at",
        },
    )
    context = _list_context(request, filterset, queryset)
    context["page_obj"] = context["result"].page
    context["open_count"] = queryset.filter(resolved_at__isnull=True).count()
    return render(request, "procurement/breach_list.html", context)


def _breach_subject(b: ComplianceBreach) -> str:
    if b.inspection_id:
        return b.inspection.report_number or str(b.inspection)
    if b.hazard_id:
        return b.hazard.number
    return ""


BREACH_COLUMNS = [
    exports.Column(_("类别"), "get_kind_display", 14),
    exports.Column(_("合同编号"), "contract.number", 16),
    exports.Column(_("购买主体"), "contract.township.name", 14),
    exports.Column(_("承接主体"), "contract.provider.name", 30),
    exports.Column(_("企业"), lambda b: b.enterprise.name if b.enterprise_id else "", 30),
    exports.Column(_("检查记录/隐患"), _breach_subject, 22),
    exports.Column(_("合同要求"), "expected", 20),
    exports.Column(_("实际"), "actual", 20),
    exports.Column(_("说明"), "note", 40),
    exports.Column(_("发现时间"), "detected_at", 18),
    exports.Column(_("消除时间"), "resolved_at", 18),
]


@login_required
def breach_export(request):
    _require(request.user, "procurement.view_contracts")
    _filterset, queryset = _breach_rows(request)
    return exports.xlsx_response(queryset, BREACH_COLUMNS, filename_stem=_("履约偏差"))


# --- payment milestones across contracts ----------------------------------------------------------


def _milestone_rows(request):
    user = request.user
    visible = PaymentMilestone.objects.visible_to(user)
    contracts = ServiceContract.objects.visible_to(user)
    filterset = MilestoneFilter(
        request.GET,
        queryset=visible.select_related("contract__township", "contract__provider", "paid_by"),
        request=request,
    )
    form = filterset.form
    form.fields["township"].queryset = _townships(user, contracts.values("township_id"))
    form.fields["provider"].queryset = Provider.objects.filter(pk__in=contracts.values("provider_id")).only(
        "pk", "name"
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return filterset, queryset


@login_required
def milestone_list(request):
    _require(request.user, "procurement.view_contracts")
    filterset, queryset = _milestone_rows(request)
    _prepare(filterset, _("合同编号、名称或节点"))
    _date_inputs(filterset, "due_from", "due_to")
    queryset = apply_ordering(
        request,
        queryset,
        {"due": "due_date", "amount": "amount", "status": "status", "contract": "contract__number"},
    )
    context = _list_context(request, filterset, queryset)
    context["page_obj"] = context["result"].page
    context["totals"] = queryset.order_by().aggregate(
        due=Sum("amount", filter=Q(status=MilestoneStatus.PENDING)),
        paid=Sum("amount", filter=Q(status=MilestoneStatus.PAID)),
    )
    context["today"] = timezone.localdate()
    return render(request, "procurement/milestone_list.html", context)


MILESTONE_COLUMNS = [
    exports.Column(_("合同编号"), "contract.number", 16),
    exports.Column(_("合同名称"), "contract.title", 30),
    exports.Column(_("购买主体"), "contract.township.name", 14),
    exports.Column(_("承接主体"), "contract.provider.name", 30),
    exports.Column(_("节点"), "name", 24),
    exports.Column(_("应付日期"), "due_date", 12),
    exports.Column(_("比例（%）"), "share", 8, "0.00"),
    exports.Column(_("金额（元）"), "amount", 14, "#,##0.00"),
    exports.Column(_("状态"), "get_status_display", 8),
    exports.Column(_("支付时间"), "paid_at", 18),
    exports.Column(_("经办人"), lambda m: str(m.paid_by) if m.paid_by_id else "", 12),
    exports.Column(_("备注"), "note", 24),
]


@login_required
def milestone_export(request):
    _require(request.user, "procurement.view_contracts")
    _filterset, queryset = _milestone_rows(request)
    return exports.xlsx_response(queryset, MILESTONE_COLUMNS, filename_stem=_("付款节点"))


# --- cost-effectiveness -------------------------------------------------------------------------


def _year(request, default: int | None = None, *, data=None) -> int:
    try:
        year = int((request.GET if data is None else data).get("year", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2999 else (default or timezone.localdate().year)


def _posted_year(request) -> int:
    return _year(request, _year(request), data=request.POST)


def cost_figures(user, year: int, township=None) -> dict:
    """analytics' cost-effectiveness for the user's scope and the year (one source of the figure)."""
    from hazardloop.analytics import conf as analytics_conf
    from hazardloop.analytics.queries import DashboardFilter, cost_effectiveness

    figures = cost_effectiveness(user, DashboardFilter(year, township))
    figures["total_saving"] = figures["total_staff_cost"] - figures["total_spend"]
    figures["total_enterprises"] = sum(r["enterprises"] for r in figures["rows"])
    # From the enterprise total, not the sum of the rows' rounded posts (which drifts by tenths).
    figures["total_posts"] = (figures["total_enterprises"] * analytics_conf.posts_per_enterprise()).quantize(
        Decimal("0.1")
    )
    figures["total_contracts"] = sum(r["contracts"] for r in figures["rows"])
    figures["year"] = year
    return figures


@login_required
def cost_summary(request):
    _require(request.user, "procurement.view_cost")
    year = _year(request)
    context = {"cost": cost_figures(request.user, year), "year": year, "years": range(year - 3, year + 2)}
    return render(request, "procurement/cost.html", context)


COST_COLUMNS = [
    exports.Column(_("乡镇（街道）"), "name", 16),
    exports.Column(_("合同数"), "contracts", 8),
    exports.Column(_("合同金额（元）"), "spend", 14, "#,##0.00"),
    exports.Column(_("在营企业（家）"), "enterprises", 10),
    exports.Column(_("折合岗位（个）"), "posts", 10, "0.0"),
    exports.Column(_("替代岗位成本（元）"), "staff_cost", 16, "#,##0"),
    exports.Column(_("节约（元）"), "saving", 14, "#,##0.00"),
]


@login_required
def cost_export(request):
    _require(request.user, "procurement.view_cost")
    figures = cost_figures(request.user, _year(request))
    rows = [*figures["rows"]]
    rows.append(
        {
            "name": _("合计"),
            "contracts": figures["total_contracts"],
            "spend": figures["total_spend"],
            "enterprises": figures["total_enterprises"],
            "posts": figures["total_posts"],
            "staff_cost": figures["total_staff_cost"],
            "saving": figures["total_saving"],
        }
    )
    columns = [
        exports.Column(c.header, (lambda key: lambda row: row[key])(c.accessor), c.width, c.number_format)
        for c in COST_COLUMNS
    ]
    return exports.xlsx_response(rows, columns, filename_stem=_("购买服务成本效益"))


# --- 以奖代补 awards ------------------------------------------------------------------------------


def _award_district(request):
    """The district whose awards the page shows: the user's own; the administrator picks one
    (?district=<code>), by default the first that has a formula."""
    district = awards.district_of(request.user)
    if district is None and request.user.role == Role.ADMIN:
        districts = Region.objects.filter(level=RegionLevel.DISTRICT)
        code = request.GET.get("district", "")
        district = (
            districts.filter(code=code).first()
            or districts.filter(award_formulas__isnull=False).order_by("code").first()
            or districts.order_by("code").first()
        )
    if district is None:
        raise Http404
    return district


def _default_award_year(district) -> int:
    latest = AwardFormula.objects.filter(district=district).order_by("-year").values_list("year", flat=True)
    return latest.first() or timezone.localdate().year


def _award_rows(request, district, year):
    qs = (
        Award.objects.visible_to(request.user)
        .filter(year=year, township__code__startswith=district.code)
        .select_related("township", "formula", "confirmed_by")
        .order_by("township__code")
    )
    filterset = AwardFilter(request.GET, queryset=qs, request=request)
    filterset.form.fields["township"].queryset = Region.objects.filter(pk__in=qs.values("township_id"))
    return filterset, (filterset.qs if filterset.is_valid() else qs.none())


def _award_context(request):
    user = request.user
    _require(user, "procurement.view_awards")
    district = _award_district(request)
    year = _year(request, _default_award_year(district))
    formula = (
        AwardFormula.objects.visible_to(user)
        .filter(district=district, year=year)
        .select_related("published_by", "district")
        .order_by("-version")
        .first()
    )
    _filterset, rows = _award_rows(request, district, year)
    rows = list(rows)
    return {
        "district": district,
        "year": year,
        "formula": formula,
        "rows": rows,
        "total": sum((a.amount for a in rows), Decimal(0)),
        "total_spend": sum((a.spend for a in rows), Decimal(0)),
        "stale": bool(formula and any(a.formula_id != formula.pk for a in rows)),
        "confirmed": any(a.status == AwardStatus.CONFIRMED for a in rows),
        "drafts": any(a.status == AwardStatus.DRAFT for a in rows),
    }


@login_required
def award_list(request):
    context = _award_context(request)
    user = request.user
    district, year = context["district"], context["year"]
    context.update(
        {
            "years": sorted(
                {year, timezone.localdate().year}
                | set(AwardFormula.objects.filter(district=district).values_list("year", flat=True))
            ),
            "versions": AwardFormula.objects.visible_to(user)
            .filter(district=district, year=year)
            .select_related("published_by"),
            "can_manage": scoping.can(user, "procurement.manage_awards"),
            "can_confirm": scoping.can(user, "procurement.confirm_awards"),
            "page_obj": None,
        }
    )
    return render(request, "procurement/award_list.html", context)


AWARD_COLUMNS = [
    exports.Column(_("年度"), "year", 6),
    exports.Column(_("乡镇（街道）"), "township.name", 16),
    exports.Column(_("办法版本"), "formula.version", 8),
    exports.Column(_("合同数"), "contracts", 8),
    exports.Column(_("年度合同金额（元）"), "spend", 16, "#,##0.00"),
    exports.Column(_("合同服务企业"), "enterprises", 10),
    exports.Column(_("年内已排查企业"), "inspected", 10),
    exports.Column(_("排查覆盖率（%）"), "coverage_rate", 10, "0.00"),
    exports.Column(_("年内发现隐患"), "found", 10),
    exports.Column(_("已销号"), "closed", 8),
    exports.Column(_("销号率（%）"), "closure_rate", 10, "0.00"),
    exports.Column(_("逾期未整改"), "overdue", 8),
    exports.Column(_("逾期率（%）"), "overdue_rate", 10, "0.00"),
    exports.Column(_("绩效得分"), "score", 8, "0.00"),
    exports.Column(_("基础奖补（元）"), "base_amount", 14, "#,##0.00"),
    exports.Column(_("绩效奖补（元）"), "results_amount", 14, "#,##0.00"),
    exports.Column(_("奖补金额（元）"), "amount", 14, "#,##0.00"),
    exports.Column(_("状态"), "get_status_display", 8),
    exports.Column(_("数据截至"), "as_of", 12),
    exports.Column(_("确认时间"), "confirmed_at", 18),
]


@login_required
def award_export(request):
    context = _award_context(request)
    return exports.xlsx_response(
        context["rows"], AWARD_COLUMNS, filename_stem=_("%(y)s年以奖代补") % {"y": context["year"]}
    )


@login_required
def award_pdf(request):
    from hazardloop.core.pdf import pdf_response, render_pdf

    context = _award_context(request)
    if context["formula"] is None:
        raise Http404
    context["printed_at"] = timezone.localtime()
    content = render_pdf("procurement/pdf/awards.html", context, request=request)
    return pdf_response(content, f"{context['district'].name}{context['year']}年以奖代补.pdf")


@login_required
def award_detail(request, pk: int):
    user = request.user
    _require(user, "procurement.view_awards")
    award = scoping.get_visible_or_404(
        Award.objects.select_related("township", "formula__district", "computed_by", "confirmed_by"),
        user,
        pk=pk,
    )
    context = {
        "award": award,
        "formula": award.formula,
        "contracts": ServiceContract.objects.visible_to(user)
        .in_force()
        .filter(
            township=award.township,
            start_date__lte=dt.date(award.year, 12, 31),
            end_date__gte=dt.date(award.year, 1, 1),
        )
        .select_related("provider"),
        "cost": cost_figures(user, award.year, award.township)
        if scoping.can(user, "procurement.view_cost")
        else None,
    }
    return render(request, "procurement/award_detail.html", context)


def _managed_award_district(request, capability):
    _require(request.user, capability)
    return _award_district(request)


@login_required
def award_formula(request):
    district = _managed_award_district(request, "procurement.manage_awards")
    year = _year(request, _default_award_year(district))
    current = awards.latest_formula(district, year)
    initial = (
        {f: getattr(current, f) for f in ("pool", "base_share", *rules.AWARD_WEIGHT_FIELDS, "note")}
        if current
        else {"base_share": 40, "coverage_weight": 30, "closure_weight": 50, "punctuality_weight": 20}
    )
    form = AwardFormulaForm(request.POST or None, initial=initial)
    back = f"{reverse('procurement:award_list')}?year={year}"
    if request.method == "POST" and form.is_valid():
        try:
            formula = awards.publish_award_formula(district, year, actor=request.user, **form.cleaned_data)
        except services.ProcurementPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except services.ProcurementError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("已发布%(y)s年以奖代补办法第 %(v)s 版。") % {"y": year, "v": formula.version}
            )
            return redirect(back)
    return render(
        request,
        "procurement/award_formula.html",
        {"form": form, "year": year, "current": current, "district": district, "back": back},
    )


@login_required
@require_POST
def award_compute(request):
    district = _managed_award_district(request, "procurement.manage_awards")
    year = _posted_year(request)
    response, _awards = _act(
        request,
        lambda: awards.compute_awards(district, year, actor=request.user),
        _("已按现行办法测算 %(y)s 年各乡镇奖补。") % {"y": year},
        f"{reverse('procurement:award_list')}?year={year}",
    )
    return response


@login_required
@require_POST
def award_confirm(request):
    district = _managed_award_district(request, "procurement.confirm_awards")
    year = _posted_year(request)
    response, _n = _act(
        request,
        lambda: awards.confirm_awards(district, year, actor=request.user),
        _("%(y)s 年以奖代补已确认，金额已锁定。") % {"y": year},
        f"{reverse('procurement:award_list')}?year={year}",
    )
    return response
