"""The filters of the dashboard and the statistics pages (shared with the API and exports).

An invalid value (a township outside the scope, a year out of range) is reported in Chinese
and the page falls back to the defaults; nothing is ever written."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.core.forms import BootstrapFormMixin

from . import queries
from .choices import LEVELS_BY_ROLE, StatisticsLevel
from .rules import Period

YEARS_BACK = 10


def year_choices() -> list[tuple[int, str]]:
    this_year = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this_year, this_year - YEARS_BACK - 1, -1)]


class _ScopedTownshipForm(BootstrapFormMixin, forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇街道"),
        queryset=None,
        required=False,
        empty_label=_("全部"),
        error_messages={"invalid_choice": _("所选乡镇街道不存在或不在您的权限范围内。")},
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["township"].queryset = queries.visible_townships(user)


class DashboardForm(_ScopedTownshipForm):
    year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("请选择列出的年度。")},
    )
    field_order = ["year", "township"]

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["year"].choices = year_choices()

    def to_filter(self) -> queries.DashboardFilter:
        """The filter from valid input, or the defaults (this year, every township)."""
        data = self.cleaned_data if self.is_valid() else {}
        return queries.DashboardFilter(
            year=data.get("year") or timezone.localdate().year, township=data.get("township")
        )


QUARTER_CHOICES = [
    ("", _("全年")),
    ("1", _("第一季度")),
    ("2", _("第二季度")),
    ("3", _("第三季度")),
    ("4", _("第四季度")),
]


def default_period() -> Period:
    """The last quarter that has ended: the one a table is being prepared for."""
    today = timezone.localdate()
    return Period(today.year, (today.month - 1) // 3 + 1).previous()


class StatisticsForm(_ScopedTownshipForm):
    year = forms.TypedChoiceField(
        label=_("年度"),
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("请选择列出的年度。")},
    )
    quarter = forms.ChoiceField(
        label=_("统计期"),
        choices=QUARTER_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("统计期只能是全年或某一季度。")},
    )
    level = forms.ChoiceField(
        label=_("统计层级"),
        required=False,
        error_messages={"invalid_choice": _("该统计层级超出您的权限范围。")},
    )
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    field_order = ["year", "quarter", "level", "township", "q"]

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["year"].choices = year_choices()
        self.levels = LEVELS_BY_ROLE.get(user.role, ())
        self.fields["level"].choices = [(v, StatisticsLevel(v).label) for v in self.levels]

    def values(self) -> dict:
        """period, level, township and q from valid input, or the defaults."""
        data = self.cleaned_data if self.is_valid() else {}
        fallback = default_period()
        year = data.get("year")
        if year:
            quarter = data.get("quarter")
            period = Period(year, int(quarter) if quarter else None)
        else:
            period = fallback
        level = data.get("level") or self.default_level()
        return {
            "period": period,
            "level": level,
            "township": data.get("township"),
            "q": (data.get("q") or "").strip(),
        }

    def default_level(self) -> str:
        if StatisticsLevel.TOWNSHIP in self.levels:
            return StatisticsLevel.TOWNSHIP
        return self.levels[0] if self.levels else StatisticsLevel.ENTERPRISE

    def initial_for(self, values: dict) -> dict:
        period = values["period"]
        return {
            "year": period.year,
            "quarter": "" if period.quarter is None else str(period.quarter),
            "level": values["level"],
        }
