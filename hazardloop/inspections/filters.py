"""Filters shared by the inspection list, its Excel export and the API, so all three agree."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Provider, Region

from .choices import InspectionStatus
from .models import Inspection


class InspectionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("报告编号/企业"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        field_name="enterprise__township",
        label=_("乡镇街道"),
    )
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all(), label=_("服务机构"))
    status = django_filters.ChoiceFilter(choices=InspectionStatus.choices, label=_("状态"))
    date_from = django_filters.DateFilter(
        field_name="started_at__date", lookup_expr="gte", label=_("检查日期起")
    )
    date_to = django_filters.DateFilter(
        field_name="started_at__date", lookup_expr="lte", label=_("检查日期止")
    )
    team_deviation = django_filters.BooleanFilter(label=_("人数不足"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("started_at", "started"),
            ("enterprise__name", "enterprise"),
            ("report_number", "number"),
            ("status", "status"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Inspection
        fields = ["q", "township", "provider", "status", "date_from", "date_to", "team_deviation"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(report_number__icontains=value) | Q(enterprise__name__icontains=value))
