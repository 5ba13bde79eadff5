"""The money pages: payment milestones (add, pay, across contracts), the cost-effectiveness
summary and 以奖代补 awards (formula, compute, confirm, list, detail, print)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core import exports
from hazardloop.core.actions import run_page_action
from hazardloop.core.tables import apply_ordering
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Provider, Region

from .. import rules, services
from ..filters import AwardFilter, MilestoneFilter
from ..forms import AwardFormulaForm, MilestoneForm
from ..models import (
    Award,
    AwardFormula,
    AwardStatus,
    MilestoneStatus,
    PaymentMilestone,
    ServiceContract,
)
from ..services import awards
from .common import _date_inputs, _list_context, _managed_contract, _prepare, _townships


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
    return run_page_action(
        request,
        lambda: services.add_payment_milestone(
            contract,
            actor=request.user,
            name=data["name"],
            due_date=data["due_date"],
            share=data["share"],
            amount=data["amount"],
        ),
        success=_("付款节点已添加。"),
        redirect_to=back,
    )


@login_required
@require_POST
def milestone_pay(request, pk: int):
    milestone = scoping.get_visible_or_404(
        PaymentMilestone.objects.select_related("contract"), request.user, pk=pk
    )
    scoping.require(request.user, "procurement.manage_contracts")
    back = reverse("procurement:contract_detail", args=[milestone.contract_id])
    return run_page_action(
        request,
        lambda: services.record_payment(milestone, actor=request.user, note=request.POST.get("note", "")),
        success=_("已登记支付。"),
        redirect_to=back,
    )


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
    scoping.require(request.user, "procurement.view_contracts")
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
    scoping.require(request.user, "procurement.view_contracts")
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
    # The two sides are priced on different bases: contracts at the year's own prices, posts at
    # the case study's 2012 pay unless the district set its own (issue 12 item 7). Say which.
    case_pay = analytics_conf.DEFAULTS["ANALYTICS_STAFF_COST_PER_POST"]
    figures["staff_basis"] = (
        _("按案例 2012 年标准（每岗每年 ¥{pay:,.0f}），未按 {year} 年工资调整").format(
            pay=case_pay, year=year
        )
        if figures["cost_per_post"] == case_pay
        else _("按本区设定的每岗每年 ¥{pay:,.0f}").format(pay=figures["cost_per_post"])
    )
    figures["spend_basis"] = _("{year} 年合同价").format(year=year)
    return figures


@login_required
def cost_summary(request):
    scoping.require(request.user, "procurement.view_cost")
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
    scoping.require(request.user, "procurement.view_cost")
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
    # Each money column names the price basis it uses, as the page does.
    basis = {"spend": figures["spend_basis"], "staff_cost": figures["staff_basis"]}
    columns = [
        exports.Column(
            f"{c.header}（{basis[c.accessor]}）" if c.accessor in basis else c.header,
            (lambda key: lambda row: row[key])(c.accessor),
            c.width,
            c.number_format,
        )
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
    scoping.require(user, "procurement.view_awards")
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
            "can_manage": scoping.may(user, "procurement.manage_awards", district),
            "can_confirm": scoping.may(user, "procurement.confirm_awards", district),
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
    scoping.require(user, "procurement.view_awards")
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
    scoping.require(request.user, capability)
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

    def rerender(form):
        return render(
            request,
            "procurement/award_formula.html",
            {"form": form, "year": year, "current": current, "district": district, "back": back},
        )

    if request.method == "POST" and form.is_valid():
        return run_page_action(
            request,
            lambda: awards.publish_award_formula(district, year, actor=request.user, **form.cleaned_data),
            success=lambda formula: (
                _("已发布%(y)s年以奖代补办法第 %(v)s 版。") % {"y": year, "v": formula.version}
            ),
            redirect_to=back,
            form=form,
            rerender=rerender,
        )
    return rerender(form)


@login_required
@require_POST
def award_compute(request):
    district = _managed_award_district(request, "procurement.manage_awards")
    year = _posted_year(request)
    return run_page_action(
        request,
        lambda: awards.compute_awards(district, year, actor=request.user),
        success=_("已按现行办法测算 %(y)s 年各乡镇奖补。") % {"y": year},
        redirect_to=f"{reverse('procurement:award_list')}?year={year}",
    )


@login_required
@require_POST
def award_confirm(request):
    district = _managed_award_district(request, "procurement.confirm_awards")
    year = _posted_year(request)
    return run_page_action(
        request,
        lambda: awards.confirm_awards(district, year, actor=request.user),
        success=_("%(y)s 年以奖代补已确认，金额已锁定。") % {"y": year},
        redirect_to=f"{reverse('procurement:award_list')}?year={year}",
    )
