from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "hazardloop.procurement"
    label = "procurement"
    verbose_name = _("政府购买服务")
