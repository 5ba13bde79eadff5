from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "hazardloop.registry"
    label = "registry"
    verbose_name = _("基础档案")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
