from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def scope_actions(qs, user):
    """Who sees which enforcement records:
    - administrator: all; district bureau and leader: their district; township: its enterprises';
    - member unit: its own actions, and actions on hazards routed to it;
    - enterprise: its own;
    - provider and expert: none (enforcement is not theirs to buy or see).
    """
    from hazardloop.accounts import scoping
    from hazardloop.accounts.choices import Role
    from hazardloop.hazards.models import Hazard
    from hazardloop.registry.models import Enterprise

    from .models import EnforcementAction

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.ENTERPRISE}:
        condition = scoping.enterprise_filter(user)
        return qs.filter(enterprise_id__in=Enterprise.objects.filter(condition).values("pk"))
    if role == Role.MEMBER_UNIT:
        routed = EnforcementAction.hazards.through.objects.filter(
            hazard_id__in=Hazard.objects.filter(member_unit_id=user.member_unit_id).values("pk")
        ).values("enforcementaction_id")
        return qs.filter(Q(member_unit_id=user.member_unit_id) | Q(pk__in=routed))
    return qs.none()


class EnforcementConfig(AppConfig):
    name = "hazardloop.enforcement"
    label = "enforcement"
    verbose_name = _("执法处理")

    def ready(self):
        from hazardloop.accounts import scoping

        from . import choices

        scoping.register_capabilities(choices.CAPABILITIES)
        scoping.register("enforcement.enforcementaction", scope_actions)
