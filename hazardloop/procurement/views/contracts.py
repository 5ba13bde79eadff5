"""Service contract pages (list, export, detail, publish, amend) and the compliance breaches
found against contracts."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from hazardloop.accounts import scoping
from hazardloop.core import exports
from hazardloop.core.actions import run_page_action
from hazardloop.core.tables import apply_ordering
from hazardloop.registry.models import Provider

from .. import services
from ..filters import BreachFilter, ContractFilter
from ..forms import AmendForm, MilestoneForm, SolveForm
from ..models import (
    ComplianceBreach,
    InspectionPlan,
    PlanningJob,
    ServiceContract,
    Tender,
)
from ..services import compliance
from .common import _date_inputs, _list_context, _managed_contract, _prepare, _townships
from .money import cost_figures


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
    scoping.require(request.user, "procurement.view_contracts")
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
    scoping.require(request.user, "procurement.view_contracts")
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
    scoping.require(user, "procurement.view_contracts")
    contract = scoping.get_visible_or_404(
        ServiceContract.objects.select_related("township", "provider", "published_by"), user, pk=pk
    )
    can_manage = scoping.may(user, "procurement.manage_contract", contract)
    can_plan = scoping.may(user, "procurement.plan", contract)
    enterprises = contract.enterprises.select_related("industry").order_by("-high_risk", "name")
    rows = []
    for ent in enterprises:
        rows.append((ent, contract.visits_required(ent), contract.team_requirement(ent)))
    milestones = list(contract.milestones.select_related("paid_by"))
    for m in milestones:
        m.can_pay = can_manage and can_proceed(m.pay)
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
        # The contract's own workflow (ServiceContract.publish / amend) decides what is offered.
        "offers": {t.name for t in contract.get_available_status_transitions()} if can_manage else set(),
        "can_plan": can_plan,
        "milestone_form": MilestoneForm() if can_manage else None,
        "solve_form": SolveForm(initial={"year": contract.start_date.year}) if can_plan else None,
    }
    return render(request, "procurement/contract_detail.html", context)


@login_required
@require_POST
def contract_publish(request, pk: int):
    contract = _managed_contract(request, pk)
    back = reverse("procurement:contract_detail", args=[contract.pk])
    return run_page_action(
        request,
        lambda: services.publish_contract(contract, actor=request.user),
        success=_("合同已公开。"),
        redirect_to=back,
    )


@login_required
def contract_amend(request, pk: int):
    contract = _managed_contract(request, pk)
    original = ServiceContract.objects.get(pk=contract.pk)
    form = AmendForm(request.POST or None, instance=contract)

    def rerender(form):
        return render(request, "procurement/contract_amend.html", {"form": form, "contract": original})

    if request.method == "POST" and form.is_valid():
        return run_page_action(
            request,
            lambda: services.amend_contract(
                original,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                changes=form.changes(original),
            ),
            success=lambda amendment: _("合同已变更为第 %(v)s 版。") % {"v": amendment.version},
            redirect_to=("procurement:contract_detail", contract.pk),
            form=form,
            rerender=rerender,
        )
    return rerender(form)


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


@login_required
def breach_list(request):
    scoping.require(request.user, "procurement.view_contracts")
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
    scoping.require(request.user, "procurement.view_contracts")
    _filterset, queryset = _breach_rows(request)
    return exports.xlsx_response(queryset, BREACH_COLUMNS, filename_stem=_("履约偏差"))
