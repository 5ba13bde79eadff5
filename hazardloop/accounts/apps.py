from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hazardloop.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self):
        from hazardloop.core import personal_data

        from . import scoping

        scoping.register_capabilities(personal_data.CAPABILITIES)
