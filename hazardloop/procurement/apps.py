from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "hazardloop.procurement"
    label = "procurement"
    verbose_name = _("政府购买服务")

    def ready(self):
        from hazardloop.core.access import register_app
        from hazardloop.registry.access import register_contract_links

        from . import access

        # Capabilities, scopers (contracts and everything hanging off them) and the row-level
        # predicates the services enforce and the pages offer by.
        register_app(access)
        # Which enterprises a provider (and its experts) may see is decided by its contracts.
        register_contract_links(
            enterprises_of_provider=access.contract_enterprise_ids,
            providers_of_enterprise=access.enterprise_provider_ids,
        )
