"""User administration: each account carries one role and exactly the organisation link it needs."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from .choices import LINK_FIELDS, ROLE_LINK, Role
from .models import User

admin.site.site_header = _("隐患闭环管理系统 · 系统管理")
admin.site.site_title = _("隐患闭环管理系统")
admin.site.index_title = _("基础数据与账号")
admin.site.site_url = "/"


class RoleLinkFormMixin:
    """Checks the role/link pairing before the database constraint would refuse it, and says in
    words which organisation the role needs."""

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        needed = ROLE_LINK.get(Role(role))
        for field in LINK_FIELDS:
            if field not in self.fields:
                continue
            value = cleaned.get(field)
            if field == needed and value is None:
                self.add_error(
                    field,
                    _("角色“%(role)s”必须填写%(field)s。")
                    % {"role": Role(role).label, "field": User._meta.get_field(field).verbose_name},
                )
            elif field != needed and value is not None:
                self.add_error(
                    field,
                    _("角色“%(role)s”不应填写%(field)s。")
                    % {"role": Role(role).label, "field": User._meta.get_field(field).verbose_name},
                )
        return cleaned


class HazardLoopUserChangeForm(RoleLinkFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class HazardLoopUserCreationForm(RoleLinkFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "role", *LINK_FIELDS)


ORGANISATION_HELP = _(
    "每个角色只填写其对应的一项：区安监局、区分管领导、乡镇街道填“所属区划”；成员单位、服务机构、专家、企业各填对应项。"
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = HazardLoopUserChangeForm
    add_form = HazardLoopUserCreationForm
    list_display = ("username", "display_name", "role", "organisation_display", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "display_name", "phone", "email")
    list_select_related = ("region", "member_unit", "provider", "expert", "enterprise")
    autocomplete_fields = LINK_FIELDS
    ordering = ("role", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "phone", "email")}),
        (_("角色与所属单位"), {"fields": ("role", *LINK_FIELDS), "description": ORGANISATION_HELP}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser"), "classes": ("collapse",)},
        ),
        (_("时间"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "password1", "password2"),
            },
        ),
        (_("角色与所属单位"), {"fields": ("role", *LINK_FIELDS), "description": ORGANISATION_HELP}),
    )
    readonly_fields = ("last_login", "date_joined", "password_changed_at")

    @admin.display(description=_("所属单位"))
    def organisation_display(self, obj):
        return obj.organisation_name


# django-otp's own admin shows every user's TOTP secret and QR code to any administrator, who
# could then copy a colleague's second factor. Devices are managed only by their owner (the
# enrolment page) and reset with `hazardloop reset_two_factor`.
def _hide_totp_devices():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)


_hide_totp_devices()
