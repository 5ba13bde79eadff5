"""Who may see and do what in the closed loop: the hazards app's scopers, capabilities and
row-level predicates, registered with `core.access` at start-up (apps.py).

Capabilities say what a role may do at all (`choices.CAPABILITIES`); the predicates below say
whether a user may act on one hazard. Services enforce a predicate with `access.require_may` and
the page and API offer the action through `access.may` with the same name, so a button is never
shown for an act the service would refuse.
"""

from __future__ import annotations

from hazardloop.accounts.choices import Role

from .choices import CAPABILITIES


def scope_hazards(qs, user):
    """Who sees which hazards:
    - administrator: all; district bureau and leader: their district; township: its enterprises';
    - member unit: the hazards routed to it (not merely those of enterprises it oversees);
    - provider: the hazards it reported, and those of its contract enterprises;
    - expert: those they reported, and their firm's at the enterprises they may see;
    - enterprise: its own.
    """
    from hazardloop.accounts import scoping
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
    "hazards.majorhazardlisting": _through_hazard,
    "hazards.acceptance": _through_hazard,
    "hazards.rectificationnotice": _scope_notices,
    "hazards.hazardlevel": _scope_reference,
    "hazards.workdayoverride": _scope_reference,
    "hazards.routingrule": _scope_routing_rules,
    "hazards.notification": _scope_notifications,
}


# --- row-level predicates -------------------------------------------------------------------


def actor_provider_id(user) -> int | None:
    """The inspection firm a provider account or an expert acts for; None for everyone else."""
    if user.role == Role.PROVIDER:
        return user.provider_id
    if user.role == Role.EXPERT:
        return user.expert.provider_id
    return None


def may_reinspect(user, hazard) -> bool:
    """Re-inspection is bought from the provider that found the hazard; government verifies only
    what no provider covers."""
    if user.role in {Role.EXPERT, Role.PROVIDER}:
        return hazard.provider_id is None or hazard.provider_id == actor_provider_id(user)
    return hazard.provider_id is None


def may_close_on_the_spot(user, hazard) -> bool:
    """立查立改 is the act of the inspector who found the hazard during the visit."""
    return hazard.reporter_id == user.pk


def may_accept(user, hazard) -> bool:
    """验收 of a listed major hazard is the listing's supervising unit's (or the bureau's); of an
    unlisted one, the unit that holds it (scope) or the bureau."""
    if user.role == Role.BUREAU:
        return True
    if user.role != Role.MEMBER_UNIT:
        return False
    listing = hazard.listings.filter(delisted_at__isnull=True).only("supervising_unit_id").first()
    if listing is not None:
        return listing.supervising_unit_id == user.member_unit_id
    return hazard.member_unit_id == user.member_unit_id


PREDICATES = {
    "hazards.may_reinspect": may_reinspect,
    "hazards.may_close_on_the_spot": may_close_on_the_spot,
    "hazards.may_accept": may_accept,
}

__all__ = ["CAPABILITIES", "PREDICATES", "SCOPERS", "actor_provider_id", "scope_hazards"]
