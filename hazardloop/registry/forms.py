"""Registry forms: they collect and normalise what a clerk types; services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role
from hazardloop.core.forms import BootstrapFormMixin

from . import rules
from .choices import EnterpriseStatus, RegionLevel
from .models import Enterprise, Industry, Region
from .services import EnterpriseData, RegistryError

OVERRIDE_CHOICES = [
    ("", _("自动认定（按行业和特殊作业）")),
    ("true", _("人工认定为高危企业")),
    ("false", _("人工认定为非高危企业")),
]

# The bureau (and the administrator) decides the high-risk list; a township may not override it.
OVERRIDE_ROLES = {Role.ADMIN, Role.BUREAU}


class IndustryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth so that the 4-level GB/T 4754 tree reads as a tree in a flat select.
        depth = 0 if not obj.code[:1].isdigit() else len(obj.code) - 1
        return f"{'　' * depth}{obj.code} {obj.name}"


class EnterpriseForm(BootstrapFormMixin, forms.Form):
    """The fields of services.EnterpriseData. Size and the effective high-risk flag are derived
    by the service, so they are shown on the file page, not asked for here."""

    name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, help_text=_("18位，全角字符和空格会自动转换")
    )
    township = forms.ModelChoiceField(label=_("所属乡镇街道"), queryset=Region.objects.none())
    industry = IndustryChoiceField(label=_("行业（GB/T 4754）"), queryset=Industry.objects.order_by("code"))
    status = forms.ChoiceField(
        label=_("状态"), choices=EnterpriseStatus.choices, initial=EnterpriseStatus.ACTIVE
    )
    employees = forms.IntegerField(label=_("从业人员"), min_value=0, initial=0)
    revenue_10k = forms.IntegerField(label=_("营业收入（万元）"), min_value=0, initial=0)
    established = forms.DateField(
        label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(label=_("地址"), max_length=255, required=False)
    longitude = forms.DecimalField(
        label=_("经度"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    latitude = forms.DecimalField(
        label=_("纬度"), required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90
    )
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=64, required=False)
    principal = forms.CharField(label=_("主要负责人"), max_length=64, required=False)
    safety_contact = forms.CharField(label=_("安全管理联系人"), max_length=64, required=False)
    safety_contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    hazchem_licence = forms.BooleanField(label=_("持有危化品许可"), required=False)
    dust_explosion = forms.BooleanField(label=_("涉爆粉尘"), required=False)
    ammonia_refrigeration = forms.BooleanField(label=_("涉氨制冷"), required=False)
    confined_space = forms.BooleanField(label=_("有限空间作业"), required=False)
    molten_metal = forms.BooleanField(label=_("涉高温熔融金属"), required=False)
    high_risk_override = forms.TypedChoiceField(
        label=_("高危认定"),
        choices=OVERRIDE_CHOICES,
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )

    SECTIONS = (
        (_("基本信息"), ("name", "credit_code", "township", "industry", "status", "established", "address")),
        (_("规模"), ("employees", "revenue_10k")),
        (_("安全联系人"), ("legal_representative", "principal", "safety_contact", "safety_contact_phone")),
        (
            _("特殊作业与高危认定"),
            (
                "hazchem_licence",
                "dust_explosion",
                "ammonia_refrigeration",
                "confined_space",
                "molten_metal",
                "high_risk_override",
            ),
        ),
        (_("位置"), ("longitude", "latitude")),
    )

    def __init__(self, *args, user, instance: Enterprise | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from(instance)
        super().__init__(*args, **kwargs)
        townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")
        # Offer only the townships the service would accept from this user (it checks again).
        if user.role != Role.ADMIN and user.region_id is not None:
            townships = townships.filter(code__startswith=user.region.code)
        self.fields["township"].queryset = townships
        if user.role not in OVERRIDE_ROLES:
            self.fields["high_risk_override"].disabled = True
            self.fields["high_risk_override"].help_text = _("高危人工认定由区安监局办理")

    def sections(self):
        for title, names in self.SECTIONS:
            yield title, [self[name] for name in names]

    def clean_name(self):
        return rules.normalise_text(self.cleaned_data["name"])

    def clean_credit_code(self):
        return rules.normalise_uscc(self.cleaned_data["credit_code"])

    def to_data(self) -> EnterpriseData:
        data = {k: v for k, v in self.cleaned_data.items() if k in EnterpriseData.__dataclass_fields__}
        for text_field in ("address", "legal_representative", "principal", "safety_contact"):
            data[text_field] = rules.normalise_text(data.get(text_field))
        data["safety_contact_phone"] = rules.normalise_text(data.get("safety_contact_phone")).replace(" ", "")
        if self.fields["high_risk_override"].disabled:
            data["high_risk_override"] = self.instance.high_risk_override if self.instance else None
        return EnterpriseData(**data)

    def add_registry_error(self, error: RegistryError) -> None:
        """Put each service message on its field; messages about other fields go on top."""
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


def initial_from(enterprise: Enterprise) -> dict:
    initial = {name: getattr(enterprise, name) for name in EnterpriseData.__dataclass_fields__}
    initial["township"] = enterprise.township_id
    initial["industry"] = enterprise.industry_id
    override = enterprise.high_risk_override
    initial["high_risk_override"] = "" if override is None else ("true" if override else "false")
    return initial
