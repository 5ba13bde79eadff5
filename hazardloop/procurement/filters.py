"""Filters shared by the procurement list pages, the API and the Excel exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Provider, Region

from .models import (
    ContractStatus,
    InspectionPlan,
    PlanMethod,
    PlanStatus,
    ServiceContract,
    Tender,
    TenderStatus,
)


class TenderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/名称"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP), label=_("购买主体")
    )
    status = django_filters.ChoiceFilter(choices=TenderStatus.choices, label=_("状态"))

    class Meta:
        model = Tender
        fields = ["q", "township", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value)) if value else queryset


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/名称"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP), label=_("购买主体")
    )
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all(), label=_("承接主体"))
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, label=_("状态"))
    published = django_filters.BooleanFilter(
        field_name="published_at", lookup_expr="isnull", exclude=True, label=_("已公开")
    )
    year = django_filters.NumberFilter(method="in_year", label=_("年度"), min_value=1900, max_value=2999)

    class Meta:
        model = ServiceContract
        fields = ["q", "township", "provider", "status", "published", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value)) if value else queryset

    def in_year(self, queryset, name, value):
        return queryset.filter(start_date__year__lte=value, end_date__year__gte=value) if value else queryset


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("合同编号/名称"))
    year = django_filters.NumberFilter(label=_("年度"), min_value=1900, max_value=2999)
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("状态"))
    method = django_filters.ChoiceFilter(choices=PlanMethod.choices, label=_("方法"))

    class Meta:
        model = InspectionPlan
        fields = ["q", "year", "status", "method"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(contract__number__icontains=value) | Q(contract__title__icontains=value))
            if value
            else queryset
        )
