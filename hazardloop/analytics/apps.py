from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "hazardloop.analytics"
    label = "analytics"
    verbose_name = _("统计分析")

    def ready(self):
        from hazardloop.accounts import scoping

        from .choices import CAPABILITIES

        # Read-only app: no models of its own to scope; it reads through the others' rules.
        scoping.register_capabilities(CAPABILITIES)
