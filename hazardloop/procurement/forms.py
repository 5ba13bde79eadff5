"""Procurement forms: plain input; every rule is checked again by the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.registry.models import Enterprise

from .models import AMENDABLE_FIELDS, PlanMethod, ServiceContract

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenderForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label=_("招标编号"), max_length=64)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    township = forms.ModelChoiceField(label=_("购买主体"), queryset=None)
    enterprises = forms.ModelMultipleChoiceField(
        label=_("服务企业"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("不选则覆盖该乡镇街道全部在营企业。"),
    )
    budget = forms.DecimalField(label=_("预算金额（元）"), min_value=0, decimal_places=2)
    requirements = forms.CharField(
        label=_("采购需求"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    service_start = forms.DateField(label=_("服务开始"), widget=DATE)
    service_end = forms.DateField(label=_("服务结束"), widget=DATE)
    stable_service = forms.BooleanField(label=_("稳定持续服务（期限最长三年）"), required=False)
    closing_date = forms.DateField(label=_("投标截止"), widget=DATE)
    price_weight = forms.DecimalField(label=_("价格分权重"), initial=30, min_value=1, max_value=99)
    technical_weight = forms.DecimalField(label=_("技术方案权重"), initial=40, min_value=1, max_value=99)
    staff_weight = forms.DecimalField(label=_("人员与装备权重"), initial=30, min_value=1, max_value=99)

    def __init__(self, *args, townships, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        self.fields["enterprises"].queryset = enterprises
        self.fields["enterprises"].widget.attrs["size"] = 8


class BidForm(BootstrapFormMixin, forms.Form):
    price = forms.DecimalField(label=_("投标报价（元）"), min_value=0, decimal_places=2)
    technical_summary = forms.CharField(label=_("技术方案摘要"), widget=forms.Textarea(attrs={"rows": 4}))


class AmendForm(BootstrapFormMixin, forms.ModelForm):
    reason = forms.CharField(label=_("变更理由"), widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = ServiceContract
        fields = list(AMENDABLE_FIELDS)
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            **{
                f: forms.Textarea(attrs={"rows": 2})
                for f in (
                    "content",
                    "quantity",
                    "quality_requirements",
                    "settlement_method",
                    "rights_and_duties",
                    "breach_liability",
                    "equipment",
                )
            },
        }

    def changes(self, original: ServiceContract) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in AMENDABLE_FIELDS
            if name in self.cleaned_data and self.cleaned_data[name] != getattr(original, name)
        }


class MilestoneForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("节点"), max_length=100)
    due_date = forms.DateField(label=_("应付日期"), widget=DATE)
    share = forms.DecimalField(label=_("比例（%）"), required=False, decimal_places=2)
    amount = forms.DecimalField(label=_("或金额（元）"), required=False, decimal_places=2)


class SolveForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    method = forms.ChoiceField(label=_("方法"), choices=PlanMethod.choices, initial=PlanMethod.SOLVER)


class ReplanForm(BootstrapFormMixin, forms.Form):
    expert = forms.ModelChoiceField(label=_("不可用专家"), queryset=None)
    from_date = forms.DateField(label=_("自何日起不可用"), widget=DATE, initial=dt.date.today)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts


class AwardFormulaForm(BootstrapFormMixin, forms.Form):
    """A new version of the year's 以奖代补 formula; `awards.publish_award_formula` checks it."""

    pool = forms.DecimalField(label=_("奖补资金总额（元）"), min_value=0, decimal_places=2, max_digits=12)
    base_share = forms.DecimalField(
        label=_("基础部分占比（%）"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("按各乡镇年度合同金额分配的部分；其余按合同金额×绩效得分分配。"),
    )
    coverage_weight = forms.DecimalField(
        label=_("排查覆盖率权重"), min_value=0, max_value=100, decimal_places=2
    )
    closure_weight = forms.DecimalField(
        label=_("隐患销号率权重"), min_value=0, max_value=100, decimal_places=2
    )
    punctuality_weight = forms.DecimalField(
        label=_("按期整改率权重"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("三项绩效权重合计 100；按期整改率 = 1 − 逾期率。"),
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
