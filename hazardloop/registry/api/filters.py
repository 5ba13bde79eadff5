"""FilterSets for the reference-data endpoints, which have no page of their own. The
enterprise, provider and expert endpoints use registry/filters.py, shared with pages and exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import RegionLevel
from ..models import Industry, Region


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("层级"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级区划代码"))

    class Meta:
        model = Region
        fields = ["level", "parent"]


class IndustryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("行业代码前缀或名称"))
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级行业代码"))

    class Meta:
        model = Industry
        fields = ["q", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__startswith=value.upper()) | Q(name__icontains=value))
