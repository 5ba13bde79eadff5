from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazardloop.hazards"
    label = "hazards"
    verbose_name = _("隐患闭环")

    def ready(self):
        from hazardloop.core import access as core_access

        from . import access

        # The loop's scopers, capabilities and row-level rules join core.access at start-up.
        core_access.register_app(access)
