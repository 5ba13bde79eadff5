"""Filters shared by the procurement list pages, the API and the Excel exports."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Provider, Region

from .models import (
    Award,
    AwardStatus,
    BreachKind,
    ComplianceBreach,
    ContractStatus,
    InspectionPlan,
    MilestoneStatus,
    PaymentMilestone,
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


class BreachFilter(django_filters.FilterSet):
    """履约偏差: by contract, provider, township, kind, open/resolved and the period detected."""

    q = django_filters.CharFilter(method="search", label=_("合同/企业/说明"))
    contract = django_filters.ModelChoiceFilter(queryset=ServiceContract.objects.all(), label=_("服务合同"))
    provider = django_filters.ModelChoiceFilter(
        field_name="contract__provider", queryset=Provider.objects.all(), label=_("承接主体")
    )
    township = django_filters.ModelChoiceFilter(
        field_name="contract__township",
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        label=_("购买主体"),
    )
    kind = django_filters.ChoiceFilter(choices=BreachKind.choices, label=_("类别"))
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label=_("未消除"))
    detected_from = django_filters.DateFilter(
        field_name="detected_at", lookup_expr="date__gte", label=_("发现日期起")
    )
    detected_to = django_filters.DateFilter(
        field_name="detected_at", lookup_expr="date__lte", label=_("发现日期止")
    )

    class Meta:
        model = ComplianceBreach
        fields = ["q", "contract", "provider", "township", "kind", "open", "detected_from", "detected_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(contract__number__icontains=value)
            | Q(contract__title__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(note__icontains=value)
            | Q(key__icontains=value)
        )


class MilestoneFilter(django_filters.FilterSet):
    """付款节点 across contracts: due in a period, pending/paid, overdue (pending past due)."""

    q = django_filters.CharFilter(method="search", label=_("合同/节点"))
    township = django_filters.ModelChoiceFilter(
        field_name="contract__township",
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        label=_("购买主体"),
    )
    provider = django_filters.ModelChoiceFilter(
        field_name="contract__provider", queryset=Provider.objects.all(), label=_("承接主体")
    )
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices, label=_("状态"))
    overdue = django_filters.BooleanFilter(method="past_due", label=_("逾期未付"))
    due_from = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("应付日期起"))
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("应付日期止"))

    class Meta:
        model = PaymentMilestone
        fields = ["q", "township", "provider", "status", "overdue", "due_from", "due_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(contract__number__icontains=value)
            | Q(contract__title__icontains=value)
            | Q(name__icontains=value)
        )

    def past_due(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(status=MilestoneStatus.PENDING, due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class AwardFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=1900, max_value=2999)
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP), label=_("乡镇（街道）")
    )
    status = django_filters.ChoiceFilter(choices=AwardStatus.choices, label=_("状态"))

    class Meta:
        model = Award
        fields = ["year", "township", "status"]
