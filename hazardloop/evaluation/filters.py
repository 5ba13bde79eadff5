"""Filters shared by the scorecard and rating lists, their Excel exports and the API lists."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Provider, Region

from .choices import PeriodKind, RatingKind, ScorecardStatus
from .models import Rating, Scorecard


class ScorecardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("服务机构/合同"))
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all(), label=_("服务机构"))
    contract = django_filters.ModelChoiceFilter(queryset=ServiceContract.objects.all(), label=_("服务合同"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        field_name="contract__township",
        label=_("购买主体"),
    )
    subject = django_filters.ChoiceFilter(
        choices=[("contract", _("单个合同")), ("provider", _("机构全部合同"))],
        method="by_subject",
        label=_("考核对象"),
    )
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("考核周期"))
    year = django_filters.NumberFilter(field_name="period_start__year", label=_("年度"))
    status = django_filters.ChoiceFilter(choices=ScorecardStatus.choices, label=_("状态"))
    ordering = django_filters.OrderingFilter(
        fields=(("period_start", "period"), ("total", "total"), ("provider__name", "provider")),
        label=_("排序"),
    )

    class Meta:
        model = Scorecard
        fields = ["q", "provider", "contract", "township", "subject", "period_kind", "year", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(provider__name__icontains=value)
            | Q(contract__number__icontains=value)
            | Q(contract__title__icontains=value)
        )

    def by_subject(self, queryset, name, value):
        if value == "contract":
            return queryset.filter(contract__isnull=False)
        if value == "provider":
            return queryset.filter(contract__isnull=True)
        return queryset


class RatingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RatingKind.choices, label=_("评价类别"))
    provider = django_filters.ModelChoiceFilter(
        queryset=Provider.objects.all(), field_name="inspection__provider", label=_("服务机构")
    )
    contract = django_filters.ModelChoiceFilter(
        queryset=ServiceContract.objects.all(), field_name="inspection__contract", label=_("服务合同")
    )
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        field_name="inspection__enterprise__township",
        label=_("乡镇街道"),
    )
    score = django_filters.NumberFilter(label=_("评分"))
    inspection = django_filters.NumberFilter(field_name="inspection_id", label=_("检查记录"))
    date_from = django_filters.DateFilter(
        field_name="inspection__started_at__date", lookup_expr="gte", label=_("检查日期起")
    )
    date_to = django_filters.DateFilter(
        field_name="inspection__started_at__date", lookup_expr="lte", label=_("检查日期止")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("rated_at", "rated"), ("score", "score"), ("inspection__started_at", "visit")),
        label=_("排序"),
    )

    class Meta:
        model = Rating
        fields = ["kind", "provider", "contract", "township", "score", "inspection", "date_from", "date_to"]
