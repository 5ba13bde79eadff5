"""Filters shared by the enforcement list, its Excel export and the API, so all three agree."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import MemberUnit, Region

from . import services
from .choices import ActionKind, ActionStatus
from .models import EnforcementAction


class EnforcementActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("企业/文书编号"))
    kind = django_filters.ChoiceFilter(choices=ActionKind.choices, label=_("处理类型"))
    member_unit = django_filters.ModelChoiceFilter(queryset=MemberUnit.objects.all(), label=_("执法单位"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        field_name="enterprise__township",
        label=_("乡镇街道"),
    )
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, label=_("状态"))
    decided_from = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="gte", label=_("决定日期自")
    )
    decided_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte", label=_("决定日期至"))
    art113 = django_filters.BooleanFilter(method="by_art113", label=_("达第一百一十三条情形"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("decided_on", "decided"),
            ("document_number", "number"),
            ("enterprise__name", "enterprise"),
            ("kind", "kind"),
            ("status", "status"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = EnforcementAction
        fields = ["q", "kind", "member_unit", "township", "status", "decided_from", "decided_to", "art113"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(document_number__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(enterprise__credit_code__icontains=value)
        )

    def by_art113(self, queryset, name, value):
        if value is None:
            return queryset
        flagged = services.flagged_enterprise_ids(queryset.values("enterprise_id"))
        if value:
            return queryset.filter(enterprise_id__in=flagged)
        return queryset.exclude(enterprise_id__in=flagged)
