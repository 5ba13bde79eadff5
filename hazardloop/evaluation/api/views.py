"""Evaluation API: the same FilterSets and scope as the pages; a rating is given through the same
service as the inspection page's card."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from hazardloop.inspections.models import Inspection

from .. import services
from ..filters import RatingFilter, ScorecardFilter
from ..models import Kpi, Rating, Scorecard
from . import serializers


class ScorecardViewSet(ScopedReadOnlyViewSet):
    """服务质量考核表. Out of scope → 404; a role without evaluation.view → 403."""

    queryset = Scorecard.objects.select_related("provider", "contract").order_by("-period_start", "pk")
    serializer_class = serializers.ScorecardSerializer
    filterset_class = ScorecardFilter
    read_capability = "evaluation.view"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("kpis")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ScorecardDetailSerializer
        return super().get_serializer_class()


class KpiViewSet(ScopedReadOnlyViewSet):
    """考核指标、权重和评分标准（只读；修改在页面上由区安监局进行）."""

    queryset = Kpi.objects.order_by("order", "code")
    serializer_class = serializers.KpiSerializer
    read_capability = "evaluation.view"
    pagination_class = None


class RatingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """服务评价. Listing follows the inspections' scope; POST rates a submitted visit once per
    party (the enterprise: satisfaction; the township or member unit: officer). An inspection
    out of scope → 404; a role that does not rate → 403; a second rating → 400."""

    queryset = Rating.objects.select_related("inspection__enterprise").order_by("-rated_at", "-pk")
    serializer_class = serializers.RatingSerializer
    filterset_class = RatingFilter
    read_capability = "evaluation.view_ratings"

    def get_permissions(self):
        # Reading needs view_ratings, rating needs evaluation.rate; both are decided here so
        # that a role that may rate but not list (none today) is still answered consistently.
        self.read_capability = "evaluation.rate" if self.action == "create" else "evaluation.view_ratings"
        self.write_capability = "evaluation.rate"
        return super().get_permissions()

    @extend_schema(request=serializers.RatingInputSerializer, responses={201: serializers.RatingSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.RatingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not Inspection.objects.visible_to(request.user).filter(pk=data["inspection"]).exists():
            raise NotFound("检查记录不存在或不在您的管辖范围内。")
        # A refusal is answered by the project's handler (core.api.errors): 404, 403 or 400.
        rating = services.rate_inspection(
            data["inspection"], actor=request.user, score=data["score"], comment=data["comment"]
        )
        return Response(serializers.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
