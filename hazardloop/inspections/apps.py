from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "hazardloop.inspections"
    label = "inspections"
    verbose_name = _("隐患排查")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
