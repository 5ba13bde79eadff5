"""Who may see and do what with enforcement records (处理): capabilities, scope and the
row-level predicates that both the services (to refuse) and the pages (to offer) ask.

Registered at start-up (`EnforcementConfig.ready` → `core.access.register_app`).
"""

from __future__ import annotations

from django.db.models import Q

from hazardloop.accounts.choices import Role
from hazardloop.core.access import can

# Providers and experts never appear: 政府购买服务管理办法 Art. 10 keeps enforcement with
# government. Leaders and townships read; enterprises read their own.
CAPABILITIES: dict[str, frozenset[str]] = {
    "enforcement.view": frozenset(
        {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP, Role.ENTERPRISE}
    ),
    "enforcement.record": frozenset({Role.BUREAU, Role.MEMBER_UNIT}),
}


def scope_actions(qs, user):
    """Who sees which enforcement records:
    - administrator: all; district bureau and leader: their district; township: its enterprises';
    - member unit: its own actions, and actions on hazards routed to it;
    - enterprise: its own;
    - provider and expert: none (enforcement is not theirs to buy or see).
    """
    from hazardloop.accounts.scoping import enterprise_filter
    from hazardloop.hazards.models import Hazard
    from hazardloop.registry.models import Enterprise

    from .models import EnforcementAction

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.ENTERPRISE}:
        return qs.filter(enterprise_id__in=Enterprise.objects.filter(enterprise_filter(user)).values("pk"))
    if role == Role.MEMBER_UNIT:
        routed = EnforcementAction.hazards.through.objects.filter(
            hazard_id__in=Hazard.objects.filter(member_unit_id=user.member_unit_id).values("pk")
        ).values("enforcementaction_id")
        return qs.filter(Q(member_unit_id=user.member_unit_id) | Q(pk__in=routed))
    return qs.none()


SCOPERS = {"enforcement.enforcementaction": scope_actions}


def may_record_for(user, member_unit) -> bool:
    """A member unit records decisions in its own name only; the bureau for the units of its
    district (that the unit is the bureau's to see is the scope's question, answered 404)."""
    if not can(user, "enforcement.record"):
        return False
    return user.role != Role.MEMBER_UNIT or user.member_unit_id == member_unit.pk


def may_act(user, action) -> bool:
    """Fulfil, revoke, conclude: the unit that made the decision, or the district bureau."""
    if not can(user, "enforcement.record"):
        return False
    return user.role != Role.MEMBER_UNIT or user.member_unit_id == action.member_unit_id


PREDICATES = {
    "enforcement.may_record_for": may_record_for,
    "enforcement.may_act": may_act,
}
