"""Forms of the inspection pages. They only shape input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.hazards.choices import HazardForm
from hazardloop.hazards.models import HazardLevel
from hazardloop.registry.choices import HazardCategory
from hazardloop.registry.models import Enterprise, Expert

from .models import ChecklistItem


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class InspectionForm(BootstrapFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("被检查企业"))
    experts = forms.ModelMultipleChoiceField(
        queryset=Expert.objects.none(),
        label=_("检查组成员"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl 多选。人数和专业要求按企业规模、是否高危和行业确定。"),
    )
    leader = forms.ModelChoiceField(queryset=Expert.objects.none(), label=_("组长"))
    started_at = forms.DateTimeField(label=_("检查开始"), widget=DateTimeInput())
    ended_at = forms.DateTimeField(label=_("检查结束"), widget=DateTimeInput(), required=False)
    officer_name = forms.CharField(label=_("陪同人员"), max_length=64, required=False)
    officer_unit = forms.CharField(label=_("陪同人员单位"), max_length=100, required=False)
    deviation_reason = forms.CharField(
        label=_("人数不足原因"),
        max_length=200,
        required=False,
        help_text=_("仅在允许人数偏离且检查组人数不足时填写，将记入服务机构考核。"),
    )

    def __init__(self, *args, enterprises, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["experts"].queryset = experts
        self.fields["leader"].queryset = experts


class FindingForm(BootstrapFormMixin, forms.Form):
    item = forms.ModelChoiceField(
        queryset=ChecklistItem.objects.none(), label=_("对应检查项"), required=False
    )
    level = forms.ModelChoiceField(queryset=HazardLevel.objects.filter(active=True), label=_("隐患等级"))
    category = forms.ChoiceField(choices=HazardCategory.choices, label=_("隐患类别"))
    form = forms.ChoiceField(choices=HazardForm.choices, label=_("隐患形态"))
    title = forms.CharField(label=_("隐患名称"), max_length=200)
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    legal_basis_law = forms.CharField(label=_("依据法规标准"), max_length=200, required=False)
    legal_basis_article = forms.CharField(label=_("条款"), max_length=32, required=False)
    suggested_measure = forms.CharField(
        label=_("整改建议"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    deadline = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空则按隐患等级的默认期限。"),
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = version.items.all()
        self.fields["item"].label_from_instance = lambda i: f"{i.section}：{i.text[:40]}"


class ChecklistItemForm(BootstrapFormMixin, forms.Form):
    section = forms.CharField(label=_("检查类别"), max_length=100)
    order = forms.IntegerField(label=_("序号"), min_value=0, required=False)
    text = forms.CharField(label=_("检查内容"), widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.CharField(label=_("依据法规标准"), max_length=200)
    article = forms.CharField(label=_("条款"), max_length=64, required=False)
    major_criterion = forms.BooleanField(label=_("重大隐患判定项"), required=False)
    hazard_category = forms.ChoiceField(choices=HazardCategory.choices, label=_("隐患类别"))
    hazard_form = forms.ChoiceField(choices=HazardForm.choices, label=_("隐患形态"))
