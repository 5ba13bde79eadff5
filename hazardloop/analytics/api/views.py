"""Analytics API: each dashboard chart's data and the statutory statistics as JSON, with the
same filters (and the same scope) as the pages. Bad filter values answer 400 with Chinese
messages per field."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from hazardloop.accounts import scoping

from .. import queries
from ..forms import DashboardForm, StatisticsForm

YEAR = OpenApiParameter("year", int, description="年度（默认本年）")
TOWNSHIP = OpenApiParameter("township", int, description="乡镇街道 id（须在权限范围内）")


class _AnalyticsView(APIView):
    capability = "analytics.view_dashboard"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not scoping.can(request.user, self.capability):
            raise PermissionDenied

    def dashboard_filter(self, request) -> queries.DashboardFilter:
        form = DashboardForm(request.query_params or None, user=request.user)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        return form.to_filter()


class DashboardView(_AnalyticsView):
    """Every chart of the dashboard at once."""

    @extend_schema(parameters=[YEAR, TOWNSHIP], responses={200: dict})
    def get(self, request):
        return Response(queries.dashboard(request.user, self.dashboard_filter(request)))


class ChartView(_AnalyticsView):
    """One chart's data: funnel, trend, townships, industries, providers, overdue, closure,
    baseline or cost."""

    @extend_schema(parameters=[YEAR, TOWNSHIP], responses={200: dict})
    def get(self, request, chart: str):
        fn = queries.CHARTS.get(chart)
        if fn is None:
            raise Http404
        return Response({"chart": chart, "data": fn(request.user, self.dashboard_filter(request))})


class StatisticsView(_AnalyticsView):
    """The hidden-hazard statistics table (rows and totals) of a period at a level."""

    capability = "analytics.view_statistics"

    @extend_schema(
        parameters=[
            YEAR,
            OpenApiParameter("quarter", int, description="季度 1–4；留空为全年"),
            OpenApiParameter("level", str, description="enterprise / township / district"),
            TOWNSHIP,
            OpenApiParameter("q", str, description="名称搜索"),
        ],
        responses={200: dict},
    )
    def get(self, request):
        form = StatisticsForm(request.query_params or None, user=request.user)
        if request.query_params and not form.is_valid():
            raise ValidationError(form.errors)
        values = form.values()
        table = queries.statistics(
            request.user, values["period"], values["level"], township=values["township"], q=values["q"]
        )
        return Response(
            {
                "period": table.period.key,
                "label": table.period.label,
                "level": table.level,
                "due": table.due,
                "rows": table.rows,
                "totals": table.totals,
            }
        )
