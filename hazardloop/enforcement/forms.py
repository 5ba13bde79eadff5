"""Forms of the enforcement pages. They only collect input; the services validate and write."""

from __future__ import annotations

import contextlib

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.core.access import may
from hazardloop.core.actions import ServiceErrorsMixin
from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.hazards.choices import EnforcementReason, HazardStatus
from hazardloop.hazards.models import Hazard
from hazardloop.registry.models import Enterprise, MemberUnit

from .choices import ActionKind
from .services import ActionData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

TERMINAL = [HazardStatus.CLOSED, HazardStatus.OVERTURNED]


class EnforcementActionForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    member_unit = forms.ModelChoiceField(queryset=MemberUnit.objects.none(), label=_("执法单位"))
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), label=_("企业"))
    kind = forms.ChoiceField(choices=ActionKind.choices, label=_("处理类型"))
    hazards = forms.ModelMultipleChoiceField(
        queryset=Hazard.objects.none(),
        required=False,
        label=_("关联隐患"),
        help_text=_("整改中或待治理方案的隐患将转入“执法处理中”。"),
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.ChoiceField(
        choices=[("", _("按整改期限自动判断"))] + list(EnforcementReason.choices),
        required=False,
        label=_("转入执法处理的原因"),
    )
    document_number = forms.CharField(label=_("文书编号"), max_length=64)
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    facts = forms.CharField(label=_("违法事实及处理内容"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis_law = forms.CharField(label=_("法律法规"), required=False, max_length=200)
    legal_basis_article = forms.CharField(label=_("条"), required=False, max_length=32)
    legal_basis_item = forms.CharField(label=_("款项"), required=False, max_length=32)
    legal_basis = forms.CharField(
        label=_("依据说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(label=_("履行期限"), required=False, widget=DATE)
    unit_fine_amount = forms.DecimalField(
        label=_("单位罚款金额（元）"), required=False, decimal_places=2, max_digits=12
    )
    individual_fine_amount = forms.DecimalField(
        label=_("个人罚款金额（元）"), required=False, decimal_places=2, max_digits=12
    )
    individual_name = forms.CharField(label=_("被处罚人"), required=False, max_length=64)
    daily_amount = forms.DecimalField(
        label=_("按日处罚每日金额（元）"), required=False, decimal_places=2, max_digits=12
    )
    daily_start = forms.DateField(label=_("按日处罚起算日"), required=False, widget=DATE)

    def __init__(self, *args, user, enterprise: Enterprise | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        units = MemberUnit.objects.visible_to(user).order_by("name")
        # Offer the units the service would accept (a member unit records in its own name only).
        self.fields["member_unit"].queryset = units.filter(
            pk__in=[u.pk for u in units if may(user, "enforcement.may_record_for", u)]
        )
        visible_hazards = Hazard.objects.visible_to(user)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            Q(pk__in=Enterprise.objects.visible_to(user).values("pk"))
            | Q(pk__in=visible_hazards.values("enterprise_id"))
        ).order_by("name")
        chosen = enterprise
        if self.is_bound:
            with contextlib.suppress(ValueError, TypeError):
                chosen = Enterprise.objects.filter(pk=int(self.data.get("enterprise") or 0)).first() or chosen
        hazards = visible_hazards.exclude(status__in=TERMINAL).order_by("-found_at")
        self.fields["hazards"].queryset = hazards.filter(enterprise=chosen) if chosen else hazards.none()

    def action_data(self) -> ActionData:
        d = self.cleaned_data
        return ActionData(
            facts=d["facts"],
            document_number=d["document_number"],
            decided_on=d["decided_on"],
            legal_basis_law=d["legal_basis_law"],
            legal_basis_article=d["legal_basis_article"],
            legal_basis_item=d["legal_basis_item"],
            legal_basis=d["legal_basis"],
            deadline=d["deadline"],
            unit_fine_amount=d["unit_fine_amount"],
            individual_fine_amount=d["individual_fine_amount"],
            individual_name=d["individual_name"],
            daily_amount=d["daily_amount"],
            daily_start=d["daily_start"],
        )


class FulfilmentForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    fulfilled_on = forms.DateField(label=_("履行日期"), widget=DATE)
    note = forms.CharField(label=_("履行情况"), widget=forms.Textarea(attrs={"rows": 3}))
    new_deadline = forms.DateField(
        label=_("新的整改期限"),
        required=False,
        widget=DATE,
        help_text=_("填写后，执法处理中的关联隐患回到整改环节。"),
    )


class RevokeForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 3}))


class ConcludeForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    new_deadline = forms.DateField(label=_("新的整改期限"), widget=DATE)
    note = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}))
