"""Evaluation pages: scorecards (list with filters and Excel, the card with drill-downs, PDF and
Excel, compute, confirm, apply to a payment), the KPI standard, ratings and contracts' payment
rules. Reads go through the scoping module (out of scope: 404); writes call the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core import exports
from hazardloop.core.access import require
from hazardloop.core.actions import add_service_errors, run_page_action
from hazardloop.core.forms import style_widgets
from hazardloop.core.pdf import pdf_response
from hazardloop.core.tables import PAGE_SIZES, paginate
from hazardloop.core.workflows import offered
from hazardloop.hazards.models import Hazard
from hazardloop.inspections.models import Inspection
from hazardloop.procurement.models import ComplianceBreach, PaymentMilestone, PlannedVisit, ServiceContract
from hazardloop.registry.models import Provider

from . import display, documents, rules, services
from .choices import EnterpriseClass, ScorecardStatus
from .filters import RatingFilter, ScorecardFilter
from .forms import ComputeForm, PaymentRuleForm, RatingForm
from .models import FindingsExpectation, Kpi, Rating, Scorecard


def _visible_cards(user):
    return Scorecard.objects.visible_to(user).select_related("provider", "contract__township")


def _card_or_404(user, pk: int) -> Scorecard:
    require(user, "evaluation.view")
    return scoping.get_visible_or_404(_visible_cards(user), user, pk=pk)


def _narrow_choices(filterset, user) -> None:
    """Offer only the providers and contracts the user may see in the filter drop-downs, and
    name the empty choice 全部."""
    fields = filterset.form.fields
    for name in ("subject", "period_kind", "status", "kind", "provider", "contract", "township"):
        if name in fields:
            fields[name].empty_label = _("全部")
            if hasattr(fields[name], "choices") and not hasattr(fields[name], "queryset"):
                fields[name].widget.choices = fields[name].choices
    if "provider" in fields:
        fields["provider"].queryset = Provider.objects.visible_to(user).order_by("name")
    if "contract" in fields:
        fields["contract"].queryset = ServiceContract.objects.visible_to(user).order_by("number")


def _filtered_cards(request):
    visible = _visible_cards(request.user)
    filterset = ScorecardFilter(request.GET, queryset=visible, request=request)
    _narrow_choices(filterset, request.user)
    return filterset, (filterset.qs if filterset.is_valid() else visible.none())


@login_required
def scorecard_list(request):
    user = request.user
    require(user, "evaluation.view")
    filterset, queryset = _filtered_cards(request)
    style_widgets(filterset.form)
    result = paginate(request, queryset)
    return render(
        request,
        "evaluation/scorecard_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
            "can_manage": scoping.can(user, "evaluation.manage"),
        },
    )


@login_required
def scorecard_export(request):
    require(request.user, "evaluation.view")
    _filterset, queryset = _filtered_cards(request)
    columns = [
        exports.Column(_("服务机构"), "provider.name", width=30),
        exports.Column(_("考核对象"), "subject", width=18),
        exports.Column(_("购买主体"), lambda c: c.contract.township.name if c.contract_id else "", width=16),
        exports.Column(_("考核周期"), lambda c: c.period.label, width=18),
        exports.Column(_("综合得分"), "total", width=10),
        exports.Column(_("状态"), "get_status_display", width=10),
        exports.Column(_("计算时间"), "computed_at", width=20),
        exports.Column(_("确认时间"), "confirmed_at", width=20),
    ]
    return exports.xlsx_response(
        queryset, columns, filename_stem=_("服务质量考核"), sheet_title=_("服务质量考核")
    )


@login_required
def scorecard_compute(request):
    user = request.user
    require(user, "evaluation.manage")
    contracts = (
        ServiceContract.objects.visible_to(user).in_force().select_related("provider").order_by("number")
    )
    providers = Provider.objects.filter(pk__in=contracts.values("provider_id")).order_by("name")
    form = ComputeForm(request.POST or None, providers=providers, contracts=contracts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = rules.Period(data["period_kind"], data["year"], data["index"])
        except ValueError:
            form.add_error("index", _("月份或季度超出范围。"))
        else:
            try:
                card = services.compute_scorecard(
                    actor=user, provider=data["provider"], contract=data["contract"], period=period
                )
            except services.EvaluationError as exc:
                # Here a refusal (a provider-wide card asked by a township) is shown on the form
                # too: the user chose the subject, the form is where to choose again.
                add_service_errors(form, exc)
            else:
                messages.success(request, _("考核表已计算（草稿），请核对后确认。"))
                return redirect("evaluation:scorecard_detail", pk=card.pk)
    return render(request, "evaluation/scorecard_compute.html", {"form": form})


@login_required
def scorecard_detail(request, pk: int):
    user = request.user
    card = _card_or_404(user, pk)
    context = documents.context(card)
    # The card's steps open in its state that this user may take (declared on Scorecard).
    steps = offered(card, user)
    milestones = []
    if "apply_payment" in steps and card.contract_id:
        milestones = list(services.pending_milestones(card.contract))
    rule = services.payment_rule_for(card.contract) if card.contract_id else None
    context.update(
        {
            "steps": steps,
            "period_over": card.period_end < timezone.localdate(),
            "milestones": milestones,
            "rule": rule,
            "preview_share": rules.payment_share(card.total, rule)
            if rule and card.total is not None
            else None,
            "can_configure": scoping.can(user, "evaluation.configure"),
        }
    )
    return render(request, "evaluation/scorecard_detail.html", context)


def _records(kind: str, ids: list[int], user):
    """The records of one drill-down list that the user may see, in a stable order."""
    if kind == "inspection":
        return (
            Inspection.objects.visible_to(user)
            .filter(pk__in=ids)
            .select_related("enterprise")
            .order_by("started_at", "pk")
        )
    if kind == "hazard":
        return (
            Hazard.objects.visible_to(user)
            .filter(pk__in=ids)
            .select_related("enterprise")
            .order_by("found_at", "pk")
        )
    if kind == "breach":
        return (
            ComplianceBreach.objects.visible_to(user)
            .filter(pk__in=ids)
            .select_related("enterprise", "inspection", "hazard")
            .order_by("kind", "pk")
        )
    if kind == "visit":
        return (
            PlannedVisit.objects.visible_to(user)
            .filter(pk__in=ids)
            .select_related("enterprise", "plan")
            .order_by("day", "pk")
        )
    if kind == "rating":
        return (
            Rating.objects.visible_to(user)
            .filter(pk__in=ids)
            .select_related("inspection__enterprise", "rated_by")
            .order_by("rated_at", "pk")
        )
    raise Http404


@login_required
def scorecard_records(request, pk: int):
    """The records behind one figure of the scorecard, as frozen when it was computed."""
    user = request.user
    card = _card_or_404(user, pk)
    rows = {r.code: r for r in card.kpis.all()}
    code = request.GET.get("kpi") or next(iter(rows), "")
    row = rows.get(code)
    if row is None:
        raise Http404
    recorded = row.inputs.get("records", {})
    key = request.GET.get("list") or display.SHAPES[code].denominator_records or next(iter(recorded), "")
    if key not in recorded or key not in display.RECORD_LISTS:
        raise Http404
    kind, heading = display.RECORD_LISTS[key]
    ids = recorded[key]
    records = list(_records(kind, ids, user))
    lists = [
        (k, display.RECORD_LISTS[k][1], len(v)) for k, v in recorded.items() if k in display.RECORD_LISTS
    ]
    return render(
        request,
        "evaluation/scorecard_records.html",
        {
            "card": card,
            "row": row,
            "code": code,
            "key": key,
            "kind": kind,
            "heading": heading,
            "records": records,
            "counted": len(ids),
            "hidden": len(set(ids)) - len(records),
            "lists": lists,
        },
    )


@login_required
def scorecard_pdf(request, pk: int):
    card = _card_or_404(request.user, pk)
    return pdf_response(documents.scorecard_pdf(card), documents.filename(card, "pdf"))


@login_required
def scorecard_xlsx(request, pk: int):
    card = _card_or_404(request.user, pk)
    return documents.scorecard_xlsx(card)


@login_required
@require_POST
def scorecard_recompute(request, pk: int):
    card = _card_or_404(request.user, pk)
    return run_page_action(
        request,
        lambda: services.recompute_scorecard(card, actor=request.user),
        success=_("考核表已按最新记录重新计算。"),
        redirect_to=("evaluation:scorecard_detail", card.pk),
    )


@login_required
@require_POST
def scorecard_confirm(request, pk: int):
    card = _card_or_404(request.user, pk)
    return run_page_action(
        request,
        lambda: services.confirm_scorecard(card, actor=request.user),
        success=_("考核表已确认，数据已冻结。"),
        redirect_to=("evaluation:scorecard_detail", card.pk),
    )


@login_required
@require_POST
def scorecard_apply(request, pk: int):
    user = request.user
    card = _card_or_404(user, pk)
    require(user, "evaluation.adjust_payment")
    try:
        milestone_id = int(request.POST.get("milestone", ""))
    except ValueError:
        messages.error(request, _("请选择付款节点。"))
        return redirect("evaluation:scorecard_detail", pk=card.pk)
    if not PaymentMilestone.objects.visible_to(user).filter(pk=milestone_id).exists():
        raise Http404
    return run_page_action(
        request,
        lambda: services.apply_payment_adjustment(card, milestone_id, actor=user),
        success=lambda adjustment: (
            _("已按考核得分 %(score)s 调整付款：支付 %(share)s%%，%(amount)s 元。")
            % {"score": adjustment.score, "share": adjustment.share, "amount": adjustment.adjusted_amount}
        ),
        redirect_to=("evaluation:scorecard_detail", card.pk),
    )


@login_required
def kpi_config(request):
    user = request.user
    require(user, "evaluation.view")
    kpis = list(Kpi.objects.order_by("order", "code"))
    expectations = list(FindingsExpectation.objects.order_by("enterprise_class"))
    can_configure = scoping.can(user, "evaluation.configure")
    errors: dict[str, list[str]] = {}
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        require(user, "evaluation.configure")
        values = {
            k.code: {name: posted.get(f"{k.code}-{name}", "") for name in ("weight", "target", "zero_at")}
            for k in kpis
        }
        expect = {cls: posted.get(f"expect-{cls}", "") for cls in EnterpriseClass.values}
        try:
            services.configure_kpis(actor=user, kpis=values, expectations=expect)
        except services.EvaluationError as exc:
            # Per-KPI messages sit on the table's rows, not on a Django form.
            errors = exc.errors
            messages.error(request, exc.text)
        else:
            messages.success(request, _("考核指标已保存；已计算的考核表保留原权重。"))
            return redirect("evaluation:kpi_config")
    rows = []
    for k in kpis:
        rows.append(
            {
                "kpi": k,
                "weight": posted.get(f"{k.code}-weight") if posted else display.fmt_number(k.weight),
                "target": posted.get(f"{k.code}-target") if posted else display.fmt_number(k.target),
                "zero_at": posted.get(f"{k.code}-zero_at") if posted else display.fmt_number(k.zero_at),
                "errors": [m for key, msgs in errors.items() if key.startswith(k.code) for m in msgs],
                "anchors": f"{display.fmt_value(k.code, k.target)} → 100，{display.fmt_value(k.code, k.zero_at)} → 0",
            }
        )
    expect_rows = [
        {
            "row": e,
            "value": posted.get(f"expect-{e.enterprise_class}")
            if posted
            else display.fmt_number(e.per_visit),
        }
        for e in expectations
    ]
    return render(
        request,
        "evaluation/kpi_config.html",
        {
            "rows": rows,
            "expect_rows": expect_rows,
            "can_configure": can_configure,
            "weight_errors": errors.get("weight", []),
            "total_weight": display.fmt_number(sum(k.weight for k in kpis)),
            "default_rule": services.default_payment_rule(),
        },
    )


def _filtered_ratings(request):
    visible = Rating.objects.visible_to(request.user).select_related(
        "inspection__enterprise__township", "inspection__provider", "rated_by"
    )
    filterset = RatingFilter(request.GET, queryset=visible, request=request)
    _narrow_choices(filterset, request.user)
    return filterset, (filterset.qs if filterset.is_valid() else visible.none())


@login_required
def rating_list(request):
    require(request.user, "evaluation.view_ratings")
    filterset, queryset = _filtered_ratings(request)
    style_widgets(filterset.form)
    result = paginate(request, queryset)
    return render(
        request,
        "evaluation/rating_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
        },
    )


@login_required
def rating_export(request):
    require(request.user, "evaluation.view_ratings")
    _filterset, queryset = _filtered_ratings(request)
    columns = [
        exports.Column(_("检查报告"), "inspection.report_number", width=22),
        exports.Column(_("企业"), "inspection.enterprise.name", width=30),
        exports.Column(_("服务机构"), "inspection.provider.name", width=30),
        exports.Column(_("检查日期"), lambda r: r.inspection.started_at.date(), width=12),
        exports.Column(_("评价类别"), "get_kind_display", width=14),
        exports.Column(_("评分"), "score", width=8),
        exports.Column(_("评价意见"), "comment", width=40),
        exports.Column(_("评价时间"), "rated_at", width=20),
    ]
    return exports.xlsx_response(queryset, columns, filename_stem=_("服务评价"), sheet_title=_("服务评价"))


@login_required
@require_POST
def rate_inspection(request, pk: int):
    user = request.user
    if not Inspection.objects.visible_to(user).filter(pk=pk).exists():
        raise Http404
    require(user, "evaluation.rate")
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择1到5分。"))
        return redirect("inspections:detail", pk=pk)
    return run_page_action(
        request,
        lambda: services.rate_inspection(
            pk, actor=user, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"]
        ),
        success=_("感谢您的评价。"),
        redirect_to=("inspections:detail", pk),
    )


@login_required
def payment_rule(request, pk: int):
    user = request.user
    require(user, "evaluation.view")
    contract = scoping.get_visible_or_404(
        ServiceContract.objects.select_related("township", "provider"), user, pk=pk
    )
    rule = services.payment_rule_for(contract)
    own = hasattr(contract, "payment_rule")
    form = PaymentRuleForm(request.POST or None, initial=rule.as_dict())
    if request.method == "POST":
        require(user, "evaluation.configure")
        if form.is_valid():
            try:
                services.set_payment_rule(contract, actor=user, **form.cleaned_data)
            except services.EvaluationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("考核付款规则已保存。"))
                return redirect("evaluation:payment_rule", pk=contract.pk)
    examples = [(score, rules.payment_share(score, rule)) for score in (100, 90, 85, 75, 60, 59)]
    return render(
        request,
        "evaluation/payment_rule.html",
        {
            "contract": contract,
            "rule": rule,
            "own": own,
            "form": form,
            "examples": examples,
            "can_configure": scoping.can(user, "evaluation.configure"),
            "status_confirmed": ScorecardStatus.CONFIRMED,
        },
    )
