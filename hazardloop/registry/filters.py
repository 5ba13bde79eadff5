"""Filters shared by the list pages, the API and the Excel exports, so all three agree."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import EnterpriseStatus, RegionLevel, SizeClass, Specialty
from .models import Enterprise, Expert, Provider, Region


class EnterpriseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/信用代码/地址"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP), label=_("乡镇街道")
    )
    industry = django_filters.CharFilter(method="industry_prefix", label=_("行业代码"))
    size = django_filters.ChoiceFilter(choices=SizeClass.choices, label=_("规模"))
    high_risk = django_filters.BooleanFilter(label=_("高危企业"))
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices, label=_("状态"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("credit_code", "credit_code"),
            ("township__code", "township"),
            ("industry__code", "industry"),
            ("employees", "employees"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "name": _("名称"),
            "credit_code": _("信用代码"),
            "township__code": _("乡镇街道"),
            "industry__code": _("行业"),
            "employees": _("从业人员"),
            "updated_at": _("更新时间"),
        },
        label=_("排序"),
    )

    class Meta:
        model = Enterprise
        fields = ["q", "township", "industry", "size", "high_risk", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(credit_code__startswith=value.upper()) | Q(address__icontains=value)
        )

    def industry_prefix(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(industry__code__startswith=value) if value else queryset


class ProviderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称/信用代码"))

    class Meta:
        model = Provider
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(credit_code__startswith=value.upper()))
            if value
            else queryset
        )


class ExpertFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("姓名"))
    provider = django_filters.ModelChoiceFilter(queryset=Provider.objects.all(), label=_("所属机构"))
    specialty = django_filters.ChoiceFilter(
        field_name="specialty_rows__specialty", choices=Specialty.choices, label=_("专业"), distinct=True
    )
    active = django_filters.BooleanFilter(label=_("在岗"))

    class Meta:
        model = Expert
        fields = ["q", "provider", "specialty", "active"]
