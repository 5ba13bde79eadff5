"""Registry forms: they collect and normalise what a clerk types; services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.core import access
from hazardloop.core.actions import ServiceErrorsMixin
from hazardloop.core.forms import BootstrapFormMixin

from . import rules
from .access import township_filter
from .choices import EnterpriseStatus, RegionLevel
from .models import Enterprise, Industry, Region
from .types import EnterpriseData

OVERRIDE_CHOICES = [
    ("", _("自动认定（按行业和特殊作业）")),
    ("true", _("人工认定为高危企业")),
    ("false", _("人工认定为非高危企业")),
]


class IndustryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Indent by depth so that the 4-level GB/T 4754 tree reads as a tree in a flat select.
        depth = 0 if not obj.code[:1].isdigit() else len(obj.code) - 1
        return f"{'　' * depth}{obj.code} {obj.name}"


class EnterpriseForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
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

    # The version the clerk's copy was read at; the service refuses a save from an older copy.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, user, instance: Enterprise | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {**initial_from(instance), "version": instance.version}
        super().__init__(*args, **kwargs)
        if instance is not None:
            # Each field also carries the value the clerk's copy had (Django's hidden initial),
            # so that after a conflict the page can tell whose change is whose (`merge_conflict`).
            for name in self.data_field_names():
                self.fields[name].show_hidden_initial = True
        townships = Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")
        # Offer only the townships the service would accept from this user (the same rule,
        # `registry.keep_enterprises_in`, which the service checks again).
        allowed = township_filter(user)
        self.fields["township"].queryset = townships if allowed is None else townships.filter(allowed)
        if not access.may(user, "registry.override_high_risk"):
            self.fields["high_risk_override"].disabled = True
            self.fields["high_risk_override"].help_text = _("高危人工认定由区应急管理局办理")

    def data_field_names(self) -> list[str]:
        return [name for name in self.fields if name in EnterpriseData.__dataclass_fields__]

    def loaded_value(self, name: str):
        """The value the field had when the clerk opened the page (its hidden initial)."""
        field = self.fields[name]
        raw = field.hidden_widget().value_from_datadict(self.data, self.files, self.add_initial_prefix(name))
        try:
            return field.to_python(raw)
        except forms.ValidationError:
            return raw

    def merge_conflict(self, current: Enterprise) -> tuple[dict, list[str], list[str]]:
        """After a save refused because `current` changed meanwhile: the form data to show again,
        with the other person's changes taken into the fields the clerk left alone, and the
        labels of the fields the other person changed (taken) and of those both changed (the
        clerk's value kept, to be checked before saving again)."""
        data = self.data.copy()
        now = initial_from(current)
        taken, both = [], []
        for name in self.data_field_names():
            field = self.fields[name]
            if field.disabled:
                continue
            loaded = self.loaded_value(name)
            if not field.has_changed(loaded, now[name]):
                continue  # nobody else changed it
            mine_changed = field.has_changed(
                loaded, field.widget.value_from_datadict(self.data, self.files, name)
            )
            label = str(field.label)
            if mine_changed:
                both.append(label)
            else:
                taken.append(label)
                _put(data, name, field, now[name])
            _put(data, self.add_initial_prefix(name), field, now[name])
        data["version"] = str(current.version)
        return data, taken, both

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


def _put(data, key: str, field, value) -> None:
    """Write `value` into form data as the browser would have posted it."""
    if isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    else:
        data[key] = "" if value is None else str(value)


def initial_from(enterprise: Enterprise) -> dict:
    initial = {name: getattr(enterprise, name) for name in EnterpriseData.__dataclass_fields__}
    initial["township"] = enterprise.township_id
    initial["industry"] = enterprise.industry_id
    override = enterprise.high_risk_override
    initial["high_risk_override"] = "" if override is None else ("true" if override else "false")
    return initial
