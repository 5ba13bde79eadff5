"""Forms of the evaluation pages; the services decide, the forms only collect."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.models import Provider

from .choices import PeriodKind


class ComputeForm(BootstrapFormMixin, forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), label=_("服务机构"))
    contract = forms.ModelChoiceField(
        queryset=ServiceContract.objects.none(),
        label=_("服务合同"),
        required=False,
        help_text=_("不选则考核该机构全部在履行合同（仅区安监局）。"),
    )
    period_kind = forms.ChoiceField(
        choices=PeriodKind.choices, label=_("考核周期"), initial=PeriodKind.QUARTER
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    index = forms.IntegerField(
        label=_("月份/季度"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("月度填1–12，季度填1–4，年度填1。"),
    )

    def __init__(self, *args, providers, contracts, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["contract"].queryset = contracts


class RatingForm(BootstrapFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        choices=[(n, f"{n} 分") for n in range(5, 0, -1)],
        coerce=int,
        label=_("评分"),
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见（可选）"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class PaymentRuleForm(BootstrapFormMixin, forms.Form):
    full_score = forms.DecimalField(label=_("全额支付分数线"), max_digits=5, decimal_places=2)
    deduct_per_point = forms.DecimalField(label=_("每低一分扣减（%）"), max_digits=5, decimal_places=2)
    floor_score = forms.DecimalField(label=_("保底分数线"), max_digits=5, decimal_places=2)
    floor_share = forms.DecimalField(label=_("低于保底线支付比例（%）"), max_digits=5, decimal_places=2)
