"""Filters shared by the hazard board and the API, so both agree."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import MemberUnit, Region

from .choices import OWNER_OF_STATE, STAGE_OF_STATE, HazardStatus, LegalLevel, Party, Stage
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
    mine = django_filters.BooleanFilter(method="only_mine", label=_("待我处理"))
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

    def only_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(awaiting_move_of(user))


# The party each role acts for (choices.OWNER_OF_STATE names whose move each state waits for).
PARTY_OF_ROLE = {
    Role.BUREAU: Party.BUREAU,
    Role.MEMBER_UNIT: Party.MEMBER_UNIT,
    Role.ENTERPRISE: Party.ENTERPRISE,
    Role.PROVIDER: Party.PROVIDER,
    Role.EXPERT: Party.PROVIDER,
}


def awaiting_move_of(user) -> Q:
    """Hazards whose current state waits for a move by the user's party (待我处理). Within the
    user's scope this is their own: the enterprise's hazards, the unit's routed ones. A
    re-inspection no provider covers falls to the member unit, as the services decide."""
    party = PARTY_OF_ROLE.get(user.role)
    if party is None:
        return Q(pk__in=[])
    states = [state for state, owner in OWNER_OF_STATE.items() if owner == party]
    condition = Q(status__in=states)
    reinspection = Q(status=HazardStatus.AWAITING_REINSPECTION)
    if party == Party.PROVIDER:
        condition &= ~reinspection | Q(provider__isnull=False)
    if party == Party.MEMBER_UNIT:
        condition |= reinspection & Q(provider__isnull=True)
    return condition
