from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def scope_hazards(qs, user):
    """Who sees which hazards:
    - administrator: all; district bureau and leader: their district; township: its enterprises';
    - member unit: the hazards routed to it (not merely those of enterprises it oversees);
    - provider: the hazards it reported, and those of its contract enterprises;
    - expert: those they reported, and their firm's at the enterprises they may see;
    - enterprise: its own.
    """
    from hazardloop.accounts import scoping
    from hazardloop.accounts.choices import Role
    from hazardloop.registry.models import Enterprise

    def at_visible_enterprises():
        condition = scoping.enterprise_filter(user)
        if condition is None:
            return qs.filter()
        return qs.filter(enterprise_id__in=Enterprise.objects.filter(condition).values("pk"))

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.ENTERPRISE}:
        return at_visible_enterprises()
    if role == Role.MEMBER_UNIT:
        return qs.filter(member_unit_id=user.member_unit_id)
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id) | at_visible_enterprises()
    if role == Role.EXPERT:
        return qs.filter(reporter_id=user.pk) | at_visible_enterprises().filter(
            provider_id=user.expert.provider_id
        )
    return qs.none()


def _through_hazard(qs, user):
    from .models import Hazard

    return qs.filter(hazard_id__in=scope_hazards(Hazard.objects.all(), user).values("pk"))


def _scope_notices(qs, user):
    from .models import Hazard, RectificationNotice

    visible = scope_hazards(Hazard.objects.all(), user).values("pk")
    through = RectificationNotice.hazards.through.objects.filter(hazard_id__in=visible)
    return qs.filter(pk__in=through.values("rectificationnotice_id"))


def _scope_reference(qs, user):
    return qs


def _scope_routing_rules(qs, user):
    from hazardloop.accounts.choices import Role

    return qs if user.role in {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT} else qs.none()


def _scope_notifications(qs, user):
    return qs.filter(recipient_id=user.pk)


SCOPERS = {
    "hazards.hazard": scope_hazards,
    "hazards.hazardevent": _through_hazard,
    "hazards.hazardattachment": _through_hazard,
    "hazards.governanceplan": _through_hazard,
    "hazards.rectification": _through_hazard,
    "hazards.extensionrequest": _through_hazard,
    "hazards.reinspection": _through_hazard,
    "hazards.resumptionreview": _through_hazard,
    "hazards.rectificationnotice": _scope_notices,
    "hazards.hazardlevel": _scope_reference,
    "hazards.workdayoverride": _scope_reference,
    "hazards.routingrule": _scope_routing_rules,
    "hazards.notification": _scope_notifications,
}


class HazardsConfig(AppConfig):
    name = "hazardloop.hazards"
    label = "hazards"
    verbose_name = _("隐患闭环")

    def ready(self):
        from hazardloop.accounts import scoping

        from . import choices

        # The loop's rules join the one scoping module at start-up, as every later app's do.
        scoping.register_capabilities(choices.CAPABILITIES)
        for label, scoper in SCOPERS.items():
            scoping.register(label, scoper)
