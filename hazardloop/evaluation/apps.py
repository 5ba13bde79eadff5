from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "hazardloop.evaluation"
    label = "evaluation"
    verbose_name = _("服务质量评价")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
