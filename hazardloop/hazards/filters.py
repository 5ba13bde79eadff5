"""Filters shared by the hazard board and the API, so both agree."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import MemberUnit, Region

from .choices import STAGE_OF_STATE, HazardStatus, LegalLevel, Stage
from .models import Hazard


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/名称/企业"))
    status = django_filters.ChoiceFilter(choices=HazardStatus.choices, label=_("状态"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, method="by_stage", label=_("阶段"))
    legal_level = django_filters.ChoiceFilter(choices=LegalLevel.choices, label=_("法定等级"))
    member_unit = django_filters.ModelChoiceFilter(queryset=MemberUnit.objects.all(), label=_("责任单位"))
    township = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.TOWNSHIP),
        field_name="enterprise__township",
        label=_("乡镇街道"),
    )
    overdue = django_filters.BooleanFilter(method="only_overdue", label=_("仅逾期"))
    listed_supervision = django_filters.BooleanFilter(label=_("挂牌督办"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("enterprise__name", "enterprise"),
            ("status", "status"),
            ("deadline", "deadline"),
            ("found_at", "found"),
        ),
        label=_("排序"),
    )

    class Meta:
        model = Hazard
        fields = ["q", "status", "stage", "legal_level", "member_unit", "township", "listed_supervision"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(title__icontains=value) | Q(enterprise__name__icontains=value)
        )

    def by_stage(self, queryset, name, value):
        states = [state for state, stage in STAGE_OF_STATE.items() if stage == value]
        return queryset.filter(status__in=states)

    def only_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.localdate()) if value else queryset
