from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Installed only so Django finds the management commands; it has no models."""

    name = "hazardloop.demo"
    label = "demo"
    verbose_name = _("演示数据")
