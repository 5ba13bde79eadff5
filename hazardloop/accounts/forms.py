"""Sign-in and password forms in the house style."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from hazardloop.core.forms import BootstrapFormMixin


class LoginForm(BootstrapFormMixin, auth_forms.AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update(
            {"placeholder": _("请输入用户名"), "autocomplete": "username"}
        )
        self.fields["password"].widget.attrs.update(
            {"placeholder": _("请输入密码"), "autocomplete": "current-password"}
        )


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("登记的电子邮箱")

    def save(self, *args, **kwargs):
        from django.db import transaction

        from hazardloop.audit.choices import EventType
        from hazardloop.audit.services import record_event

        request = kwargs.get("request")
        for user in self.get_users(self.cleaned_data["email"]):
            with transaction.atomic():
                record_event(EventType.PASSWORD_RESET_REQUESTED, actor=None, target=user, request=request)
        return super().save(*args, **kwargs)


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    pass


class OTPCodeForm(BootstrapFormMixin, forms.Form):
    """The six digits an authenticator app shows; spaces are allowed and ignored."""

    code = forms.CharField(
        label=_("动态验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "placeholder": _("6位数字"),
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("请输入认证器应用显示的6位数字。"))
        return code


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("用途"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：数据对接脚本")}),
    )
