from django import forms
from django.utils.translation import gettext_lazy as _

from hazardloop.core.actions import ServiceErrorsMixin


class ActivationForm(ServiceErrorsMixin, forms.Form):
    """What the safety manager types; the service checks all of it (rate limits included)."""

    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    code = forms.CharField(
        label=_("激活码"),
        max_length=16,
        help_text=_("印在整改通知书上，或短信收到的 8 位激活码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}),
    )
    display_name = forms.CharField(label=_("您的姓名"), max_length=64)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    username = forms.CharField(
        label=_("登录用户名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("设置密码"),
        strip=False,
        help_text=_("至少 10 位，含大写字母、小写字母、数字、符号中的三类。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("再次输入密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
