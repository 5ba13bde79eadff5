"""Filters shared by the meeting list, its Excel export and the API list, so all three agree."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import MeetingStatus
from .models import Meeting


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号/地点/召集人"))
    year = django_filters.NumberFilter(label=_("年度"))
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices, label=_("状态"))
    ordering = django_filters.OrderingFilter(
        fields=(("scheduled_at", "scheduled"), ("year", "year"), ("month", "month"), ("status", "status")),
        label=_("排序"),
    )

    class Meta:
        model = Meeting
        fields = ["q", "year", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(place__icontains=value) | Q(convener_name__icontains=value)
        )
