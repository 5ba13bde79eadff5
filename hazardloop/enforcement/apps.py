from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "hazardloop.enforcement"
    label = "enforcement"
    verbose_name = _("执法处理")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
