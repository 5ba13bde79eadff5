from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hazardloop.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self):
        from django.db.models.signals import post_save

        from hazardloop.core import access as core_access
        from hazardloop.core import personal_data

        from . import access, scoping, tokens

        scoping.register_capabilities(personal_data.CAPABILITIES)
        core_access.register_app(access)
        post_save.connect(tokens.on_user_saved, sender=self.get_model("User"), dispatch_uid="tokens-user")
