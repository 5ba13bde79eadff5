"""Tender and bid pages: list, export, create, detail, publish/close/cancel, bid, score, award."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core import exports
from hazardloop.core.actions import run_page_action
from hazardloop.core.tables import apply_ordering
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.models import Enterprise, Region

from .. import services
from ..filters import TenderFilter
from ..forms import BidForm, TenderForm
from ..models import (
    Bid,
    BidStatus,
    Tender,
)
from .common import _list_context, _prepare, _townships


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
    scoping.require(request.user, "procurement.view_tenders")
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
    scoping.require(request.user, "procurement.view_tenders")
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
    scoping.require(user, "procurement.manage_tenders")
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

    def rerender(form):
        return render(request, "procurement/tender_form.html", {"form": form})

    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        township = data["township"]
        covered = list(data["enterprises"]) or list(enterprises.filter(township=township))
        criteria = [
            ("price", _("投标报价"), data["price_weight"]),
            ("technical", _("技术方案（排查方案、质量保证、报告）"), data["technical_weight"]),
            ("technical", _("人员与装备（专职工程师、检测装备）"), data["staff_weight"]),
        ]
        return run_page_action(
            request,
            lambda: services.create_tender(
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
            ),
            success=_("招标项目已创建（草稿），请核对后发布。"),
            redirect_to=lambda tender: ("procurement:tender_detail", tender.pk),
            form=form,
            rerender=rerender,
        )
    return rerender(form)


@login_required
def tender_detail(request, pk: int):
    user = request.user
    scoping.require(user, "procurement.view_tenders")
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
    # What is offered: the moves the tender's workflow allows now (Tender's @transition methods),
    # to the users the row-level rule lets act (procurement.access), as the services enforce.
    can_manage = scoping.may(user, "procurement.manage_tender", tender)
    moves = {t.name for t in tender.get_available_status_transitions()}
    offers = moves if can_manage else set()
    for bid in bids:
        bid.cells = [(c, bid.scores.get(str(c.pk), "")) for c in criteria]
        bid.can_win = "award" in offers and can_proceed(bid.win)
    own_bid = None
    can_bid = False
    if user.role == Role.PROVIDER and scoping.may(user, "procurement.bid_for", tender):
        own_bid = next((b for b in bids if b.provider_id == user.provider_id), None)
        can_bid = "take_bid" in moves and own_bid is None
    context = {
        "tender": tender,
        "criteria": criteria,
        "technical": [c for c in criteria if c.kind == "technical"],
        "bids": bids,
        "valid_bids": [b for b in bids if b.status != BidStatus.REFUSED],
        "enterprises": tender.enterprises.select_related("industry").order_by("name"),
        "can_manage": can_manage,
        "offers": offers,
        "can_bid": can_bid,
        "own_bid": own_bid,
        "bid_form": BidForm() if can_bid else None,
        "entry_failures": services.check_entry_conditions(user.provider) if can_bid else [],
        "can_view_contracts": scoping.can(user, "procurement.view_contracts"),
    }
    return render(request, "procurement/tender_detail.html", context)


def _managed_tender(request, pk):
    tender = scoping.get_visible_or_404(Tender.objects.select_related("township"), request.user, pk=pk)
    scoping.require(request.user, "procurement.manage_tenders")
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
    return run_page_action(request, call, success=success, redirect_to=back)


@login_required
@require_POST
def bid_submit(request, pk: int):
    user = request.user
    tender = scoping.get_visible_or_404(Tender.objects.all(), user, pk=pk)
    scoping.require(user, "procurement.bid")
    back = reverse("procurement:tender_detail", args=[tender.pk])
    form = BidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)

    def submit():
        bid = services.submit_bid(
            tender,
            actor=user,
            provider=user.provider,
            price=form.cleaned_data["price"],
            technical_summary=form.cleaned_data["technical_summary"],
        )
        if bid.status == BidStatus.REFUSED:
            # The bid is on record, but refused, with the reasons: an error, not a success.
            messages.error(request, _("投标未通过资格审查：") + " ".join(bid.refusal_lines()))
        else:
            messages.success(request, _("投标已提交。"))
        return bid

    return run_page_action(request, submit, success=None, redirect_to=back)


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
    return run_page_action(
        request,
        lambda: services.score_bids(tender, actor=request.user, scores=scores),
        success=_("评分已保存。"),
        redirect_to=back,
    )


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
    return run_page_action(
        request,
        lambda: services.award_tender(tender, bid, actor=request.user),
        success=_("已定标，服务合同已生成（草稿），请补全条款后公开。"),
        redirect_to=lambda contract: ("procurement:contract_detail", contract.pk) if contract else back,
    )
