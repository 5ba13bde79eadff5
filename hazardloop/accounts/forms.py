"""Sign-in and password forms in the house style."""

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
