"""Procurement API: scoped list/detail for tenders, bids, contracts, plans and planning jobs, and
the same actions as the pages, each calling procurement.services (400 with the Chinese message
for bad input, 403 for another township's or firm's record it can see, 404 out of scope)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from hazardloop.accounts import scoping
from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet

from .. import services, tasks
from ..filters import AwardFilter, BreachFilter, ContractFilter, MilestoneFilter, PlanFilter, TenderFilter
from ..models import (
    Award,
    AwardFormula,
    Bid,
    ComplianceBreach,
    InspectionPlan,
    PaymentMilestone,
    PlanningJob,
    ServiceContract,
    Tender,
)
from ..services import awards
from ..views.plans import INLINE_MAX_VISITS
from . import serializers


def _call(request, capability, call, serializer=None, code=status.HTTP_200_OK):
    """Run a service for the API; a refusal is answered by the project's DRF handler
    (core.api.errors: 400/403/404 with the Chinese message and the field errors)."""
    scoping.require(request.user, capability, _("您无权执行此操作。"))
    result = call()
    return Response(serializer(result).data if serializer else {}, status=code)


class TenderViewSet(ScopedReadOnlyViewSet):
    """招标项目. Actions: publish, close, cancel (reason), bid (price, technical_summary),
    score ({"scores": {bid id: {criterion id: score}}}), award (bid)."""

    queryset = (
        Tender.objects.select_related("township").prefetch_related("criteria").order_by("-created_at", "pk")
    )
    serializer_class = serializers.TenderSerializer
    filterset_class = TenderFilter
    read_capability = "procurement.view_tenders"

    def _tender(self, pk):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.get_queryset(), pk=pk)

    @action(detail=True, methods=["get"])
    def bids(self, request, pk=None):
        tender = self._tender(pk)
        rows = Bid.objects.visible_to(request.user).filter(tender=tender).select_related("provider")
        return Response(serializers.BidSerializer(rows, many=True).data)

    @action(detail=True, methods=["post"], url_path=r"(?P<verb>publish|close|cancel)")
    def transition(self, request, pk=None, verb=None):
        tender = self._tender(pk)
        calls = {
            "publish": lambda: services.publish_tender(tender, actor=request.user),
            "close": lambda: services.close_tender(tender, actor=request.user),
            "cancel": lambda: services.cancel_tender(
                tender, actor=request.user, reason=str(request.data.get("reason", ""))
            ),
        }
        return _call(request, "procurement.manage_tenders", calls[verb], self.get_serializer_class())

    @action(detail=True, methods=["post"])
    def bid(self, request, pk=None):
        tender = self._tender(pk)
        return _call(
            request,
            "procurement.bid",
            lambda: services.submit_bid(
                tender,
                actor=request.user,
                provider=request.user.provider,
                price=str(request.data.get("price", "")),
                technical_summary=str(request.data.get("technical_summary", "")),
            ),
            serializers.BidSerializer,
            status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        tender = self._tender(pk)
        scores = request.data.get("scores") or {}
        if not isinstance(scores, dict):
            return Response({"detail": _("scores 应为 {投标id: {评分项id: 分数}}。")}, status=400)
        return _call(
            request,
            "procurement.manage_tenders",
            lambda: services.score_bids(tender, actor=request.user, scores=scores),
            lambda ranked: serializers.BidSerializer(ranked, many=True),
        )

    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        tender = self._tender(pk)
        try:
            bid = tender.bids.get(pk=int(request.data.get("bid", 0)))
        except (Bid.DoesNotExist, TypeError, ValueError) as exc:
            raise NotFound(_("没有这份投标。")) from exc
        return _call(
            request,
            "procurement.manage_tenders",
            lambda: services.award_tender(tender, bid, actor=request.user),
            serializers.ContractSerializer,
            status.HTTP_201_CREATED,
        )


class BidViewSet(ScopedReadOnlyViewSet):
    queryset = Bid.objects.select_related("provider").order_by("tender", "pk")
    serializer_class = serializers.BidSerializer
    read_capability = "procurement.view_tenders"


class ContractViewSet(ScopedReadOnlyViewSet):
    """服务合同. Actions: publish, amend ({"reason", "changes": {field: value}}), milestones
    (name, due_date, share or amount), plan (year, method) — a small plan is solved at once, a big
    one queued (see planning-jobs)."""

    queryset = ServiceContract.objects.select_related("township", "provider").order_by(
        "-start_date", "number", "pk"
    )
    serializer_class = serializers.ContractSerializer
    filterset_class = ContractFilter
    read_capability = "procurement.view_contracts"

    def get_serializer_class(self):
        return (
            serializers.ContractDetailSerializer
            if self.action == "retrieve"
            else serializers.ContractSerializer
        )

    def _contract(self, pk):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(self.get_queryset(), pk=pk)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        contract = self._contract(pk)
        return _call(
            request,
            "procurement.manage_contracts",
            lambda: services.publish_contract(contract, actor=request.user),
            serializers.ContractSerializer,
        )

    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        contract = self._contract(pk)
        changes = request.data.get("changes") or {}
        if not isinstance(changes, dict):
            return Response({"detail": _("changes 应为 {字段: 新值}。")}, status=400)
        return _call(
            request,
            "procurement.manage_contracts",
            lambda: services.amend_contract(
                contract, actor=request.user, reason=str(request.data.get("reason", "")), changes=changes
            ),
            serializers.AmendmentSerializer,
            status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def milestones(self, request, pk=None):
        contract = self._contract(pk)
        try:
            due = dt.date.fromisoformat(str(request.data.get("due_date", "")))
        except ValueError:
            return Response({"due_date": [_("日期格式应为 YYYY-MM-DD。")]}, status=400)
        return _call(
            request,
            "procurement.manage_contracts",
            lambda: services.add_payment_milestone(
                contract,
                actor=request.user,
                name=str(request.data.get("name", "")),
                due_date=due,
                share=request.data.get("share"),
                amount=request.data.get("amount"),
            ),
            serializers.MilestoneSerializer,
            status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        contract = self._contract(pk)
        try:
            year = int(request.data.get("year", contract.start_date.year))
        except (TypeError, ValueError):
            return Response({"year": [_("年度应为数字。")]}, status=400)
        method = str(request.data.get("method", "cpsat"))
        response = _call(
            request,
            "procurement.manage_plans",
            lambda: services.start_planning_job(
                contract, year, actor=request.user, params={"method": method}
            ),
            serializers.PlanningJobSerializer,
            status.HTTP_202_ACCEPTED,
        )
        if response.status_code == status.HTTP_202_ACCEPTED:
            job = PlanningJob.objects.get(pk=response.data["id"])
            if services.plan_size(contract) <= INLINE_MAX_VISITS:
                job = services.run_planning_job(job)
                return Response(serializers.PlanningJobSerializer(job).data, status=status.HTTP_201_CREATED)
            transaction.on_commit(lambda: tasks.run_planning.enqueue(job.pk))
        return response


class MilestoneViewSet(ScopedReadOnlyViewSet):
    """付款节点 across contracts (filters: township, provider, status, overdue, due_from, due_to).
    Action: pay (note)."""

    queryset = PaymentMilestone.objects.select_related("contract").order_by("contract", "due_date", "pk")
    serializer_class = serializers.MilestoneSerializer
    filterset_class = MilestoneFilter
    read_capability = "procurement.view_contracts"
    write_capability = "procurement.manage_contracts"

    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        milestone = self.get_object()
        return _call(
            request,
            "procurement.manage_contracts",
            lambda: services.record_payment(
                milestone, actor=request.user, note=str(request.data.get("note", ""))
            ),
            serializers.MilestoneSerializer,
        )


class PlanViewSet(ScopedReadOnlyViewSet):
    """排查计划 with their visits. Action: replan (expert, from_date)."""

    queryset = InspectionPlan.objects.select_related("contract").order_by("-year", "pk")
    serializer_class = serializers.PlanSerializer
    filterset_class = PlanFilter
    read_capability = "procurement.view_plans"

    def get_serializer_class(self):
        return serializers.PlanDetailSerializer if self.action == "retrieve" else serializers.PlanSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("visits__team", "visits__enterprise")
        return qs

    @action(detail=True, methods=["post"])
    def replan(self, request, pk=None):
        from django.shortcuts import get_object_or_404

        plan = get_object_or_404(self.get_queryset(), pk=pk)
        expert = plan.contract.provider.experts.filter(pk=request.data.get("expert") or 0).first()
        if expert is None:
            return Response({"expert": [_("请选择本合同服务机构的专家。")]}, status=400)
        try:
            from_date = dt.date.fromisoformat(str(request.data.get("from_date", "")))
        except ValueError:
            return Response({"from_date": [_("日期格式应为 YYYY-MM-DD。")]}, status=400)
        return _call(
            request,
            "procurement.manage_plans",
            lambda: services.replan_for_unavailable_expert(plan, expert, from_date, actor=request.user),
            serializers.PlanSerializer,
        )


class PlanningJobViewSet(ScopedReadOnlyViewSet):
    queryset = PlanningJob.objects.order_by("-created_at", "pk")
    serializer_class = serializers.PlanningJobSerializer
    read_capability = "procurement.view_plans"


class BreachViewSet(ScopedReadOnlyViewSet):
    """履约偏差 found by the compliance check (filters: contract, provider, township, kind, open,
    detected_from, detected_to, q). Scoped by their contract: a provider reads its own, a township
    its contracts'."""

    queryset = ComplianceBreach.objects.select_related("contract").order_by("-detected_at", "pk")
    serializer_class = serializers.BreachSerializer
    filterset_class = BreachFilter
    read_capability = "procurement.view_contracts"


class AwardFormulaViewSet(ScopedReadOnlyViewSet):
    """以奖代补办法 versions of the caller's district. POST publishes a new version of a year's
    formula (year, pool, base_share, coverage_weight, closure_weight, punctuality_weight, note)."""

    queryset = AwardFormula.objects.select_related("district").order_by("-year", "-version", "pk")
    serializer_class = serializers.AwardFormulaSerializer
    read_capability = "procurement.view_awards"
    write_capability = "procurement.manage_awards"

    @extend_schema(
        request=serializers.AwardFormulaSerializer, responses={201: serializers.AwardFormulaSerializer}
    )
    def create(self, request):
        form = serializers.AwardFormulaSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        district = _district(request)
        data = dict(form.validated_data)
        year = data.pop("year")
        return _call(
            request,
            "procurement.manage_awards",
            lambda: awards.publish_award_formula(district, year, actor=request.user, **data),
            serializers.AwardFormulaSerializer,
            status.HTTP_201_CREATED,
        )


def _district(request):
    district = awards.district_of(request.user)
    if district is None:
        from hazardloop.registry.choices import RegionLevel
        from hazardloop.registry.models import Region

        code = str(request.data.get("district", "") or request.query_params.get("district", ""))
        district = Region.objects.filter(level=RegionLevel.DISTRICT, code=code).first()
    if district is None:
        raise NotFound(_("请指定区县（district）。"))
    return district


class AwardViewSet(ScopedReadOnlyViewSet):
    """以奖代补 awards with every input behind each figure (filters: year, township, status). A
    township reads its own; providers none. Actions: compute ({year}: the district's drafts from
    the latest formula), confirm ({year}: freeze them)."""

    queryset = Award.objects.select_related("township", "formula").order_by("-year", "township__code", "pk")
    serializer_class = serializers.AwardSerializer
    filterset_class = AwardFilter
    read_capability = "procurement.view_awards"
    # The wider of the two action capabilities; each action checks its own in _call.
    write_capability = "procurement.confirm_awards"

    def _year_call(self, request, capability, call, serializer):
        form = serializers.AwardYearSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        district = _district(request) if scoping.can(request.user, capability) else None
        return _call(
            request,
            capability,
            lambda: call(district, form.validated_data["year"]),
            serializer,
            status.HTTP_200_OK,
        )

    @extend_schema(request=serializers.AwardYearSerializer, responses=serializers.AwardSerializer(many=True))
    @action(detail=False, methods=["post"])
    def compute(self, request):
        return self._year_call(
            request,
            "procurement.manage_awards",
            lambda district, year: awards.compute_awards(district, year, actor=request.user),
            lambda rows: serializers.AwardSerializer(rows, many=True),
        )

    @extend_schema(request=serializers.AwardYearSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"])
    def confirm(self, request):
        return self._year_call(
            request,
            "procurement.confirm_awards",
            lambda district, year: awards.confirm_awards(district, year, actor=request.user),
            lambda n: SimpleNamespace(data={"confirmed": n}),
        )

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="年度，默认今年")],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"], url_path="cost-effectiveness")
    def cost_effectiveness(self, request):
        """Contract spend per township beside the staff cost of the posts it replaces (the same
        figures as the procurement cost page and the dashboard)."""
        from ..views.money import _year, cost_figures

        scoping.require(request.user, "procurement.view_cost", _("您无权执行此操作。"))
        figures = cost_figures(request.user, _year(request._request))
        return Response(figures)
