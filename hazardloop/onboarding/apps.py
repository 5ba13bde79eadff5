from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "hazardloop.onboarding"
    label = "onboarding"
    verbose_name = _("企业开通")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
