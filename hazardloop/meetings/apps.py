from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "hazardloop.meetings"
    label = "meetings"
    verbose_name = _("联席会议")

    def ready(self):
        from hazardloop.core.access import register_app

        from . import access

        register_app(access)
