"""Choice sets of the analytics app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role


class StatisticsLevel(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    TOWNSHIP = "township", _("乡镇街道")
    DISTRICT = "district", _("区县")


# The levels each role may aggregate at (its own scope, never wider).
LEVELS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.ADMIN: tuple(StatisticsLevel.values),
    Role.BUREAU: tuple(StatisticsLevel.values),
    Role.LEADER: tuple(StatisticsLevel.values),
    Role.TOWNSHIP: (StatisticsLevel.ENTERPRISE, StatisticsLevel.TOWNSHIP),
    Role.ENTERPRISE: (StatisticsLevel.ENTERPRISE,),
}

# Dashboards: every role, each within its scope. Statistics: those who file or receive the
# statutory tables (enterprises file; townships and the district aggregate).
CAPABILITIES: dict[str, set[str]] = {
    "analytics.view_dashboard": {r.value for r in Role},
    "analytics.view_statistics": set(LEVELS_BY_ROLE),
}
