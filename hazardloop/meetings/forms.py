"""Page forms of the joint meeting. They only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import MemberUnit, Region

from .choices import DecisionKind


class ScheduleForm(BootstrapFormMixin, forms.Form):
    district = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("区县"))
    year = forms.IntegerField(label=_("报告年度"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("报告月份"), min_value=1, max_value=12)
    scheduled_at = forms.DateTimeField(
        label=_("会议时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("会议地点"), max_length=200)
    convener = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("召集人（区分管领导）"), required=False
    )
    convener_name = forms.CharField(label=_("召集人姓名"), max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = user.region.code if user.region else "-"
        self.fields["district"].queryset = Region.objects.filter(
            level=RegionLevel.DISTRICT, code__startswith=prefix
        ).order_by("code")
        self.fields["convener"].queryset = User.objects.filter(
            role=Role.LEADER, is_active=True, region__code__startswith=prefix[:6]
        ).order_by("username")


class AttendanceForm(BootstrapFormMixin, forms.Form):
    attended = forms.ModelMultipleChoiceField(
        queryset=MemberUnit.objects.none(),
        label=_("出席单位"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = meeting.member_units.order_by("name")


class ReportForm(BootstrapFormMixin, forms.Form):
    report = forms.CharField(label=_("汇报内容"), widget=forms.Textarea(attrs={"rows": 5}))


class MinutesForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label=_("纪要正文"), widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=DecisionKind.choices)
    text = forms.CharField(label=_("议定内容"), widget=forms.Textarea(attrs={"rows": 3}))
    hazard_numbers = forms.CharField(
        label=_("涉及隐患编号"), required=False, help_text=_("多个编号用逗号、空格或换行分隔")
    )
    member_unit = forms.ModelChoiceField(
        queryset=MemberUnit.objects.none(), label=_("交办/改派至"), required=False
    )
    deadline = forms.DateField(
        label=_("整改期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_unit"].queryset = MemberUnit.objects.filter(district=meeting.district).order_by(
            "name"
        )

    def numbers(self) -> list[str]:
        raw = self.cleaned_data.get("hazard_numbers") or ""
        for sep in "，,;；\n\t":
            raw = raw.replace(sep, " ")
        return [n for n in raw.split(" ") if n]
