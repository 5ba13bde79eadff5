"""Who may see and do what in service-quality evaluation: capabilities, scopes and the
row-level predicates that services (to refuse) and pages (to offer) both ask.

Registered at start-up (`EvaluationConfig.ready` → `core.access.register_app`).
"""

from __future__ import annotations

from hazardloop.accounts.choices import Role
from hazardloop.core.access import can

from .choices import RATING_ROLE

CAPABILITIES: dict[str, frozenset[str]] = {
    # Scorecards: the bureau and leader all, a township its contracts', a provider its own.
    "evaluation.view": frozenset({Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.PROVIDER}),
    # Compute, recompute and confirm scorecards (a township only for its own contracts).
    "evaluation.manage": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    # KPI weights, anchors, findings expectations and contracts' payment rules.
    "evaluation.configure": frozenset({Role.ADMIN, Role.BUREAU}),
    # Apply a confirmed scorecard to a payment milestone (the purchaser pays).
    "evaluation.adjust_payment": frozenset({Role.BUREAU, Role.TOWNSHIP}),
    "evaluation.view_ratings": frozenset(
        {
            Role.ADMIN,
            Role.BUREAU,
            Role.LEADER,
            Role.TOWNSHIP,
            Role.MEMBER_UNIT,
            Role.PROVIDER,
            Role.ENTERPRISE,
        }
    ),
    "evaluation.rate": frozenset(RATING_ROLE),
}


# --- scope ----------------------------------------------------------------------------------


def _prefix(user) -> str | None:
    region = user.region
    if region is None:
        return None
    return region.code[:9] if len(region.code) >= 9 else region.code


def scope_scorecards(qs, user):
    """Who sees which scorecards:
    - administrator: all;
    - district bureau and leader: every provider-wide scorecard and those of the contracts of
      townships under their region;
    - township: those of its own contracts (never a provider-wide one, which mixes townships);
    - provider: its own;
    - member units, experts and enterprises: none.
    """
    from hazardloop.accounts.choices import Role

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER}:
        prefix = _prefix(user)
        if not prefix:
            return qs.none()
        return qs.filter(contract__isnull=True) | qs.filter(contract__township__code__startswith=prefix)
    if role == Role.TOWNSHIP:
        prefix = _prefix(user)
        return qs.filter(contract__township__code__startswith=prefix) if prefix else qs.none()
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    return qs.none()


def scope_ratings(qs, user):
    """Ratings follow their inspection's scope, except that an enterprise sees only the
    ratings it gave itself and an expert none (the firm reads them)."""
    from hazardloop.accounts.choices import Role
    from hazardloop.inspections.access import scope_inspections
    from hazardloop.inspections.models import Inspection

    from .choices import RatingKind

    if user.role == Role.EXPERT:
        return qs.none()
    visible = qs.filter(inspection_id__in=scope_inspections(Inspection.objects.all(), user).values("pk"))
    if user.role == Role.ENTERPRISE:
        return visible.filter(kind=RatingKind.ENTERPRISE)
    return visible


def _through_scorecard(qs, user):
    from .models import Scorecard

    return qs.filter(scorecard_id__in=scope_scorecards(Scorecard.objects.all(), user).values("pk"))


def _visible_contracts(user):
    from hazardloop.accounts import scoping
    from hazardloop.procurement.models import ServiceContract

    return scoping.scope(ServiceContract.objects.all(), user).values("pk")


def _through_contract(qs, user):
    return qs.filter(contract_id__in=_visible_contracts(user))


def _through_milestone(qs, user):
    return qs.filter(milestone__contract_id__in=_visible_contracts(user))


def _reference(qs, user):
    # The KPIs and their weights are the published standard every party is measured by.
    return qs


SCOPERS = {
    "evaluation.kpi": _reference,
    "evaluation.findingsexpectation": _reference,
    "evaluation.rating": scope_ratings,
    "evaluation.scorecard": scope_scorecards,
    "evaluation.scorecardkpi": _through_scorecard,
    "evaluation.paymentrule": _through_contract,
    "evaluation.paymentadjustment": _through_milestone,
}


# --- may act on this row ---------------------------------------------------------------------


def may_manage(user, card) -> bool:
    """Recompute or confirm a scorecard: evaluation.manage; one over all the provider's
    contracts mixes townships, so only the district bureau handles it."""
    if not can(user, "evaluation.manage"):
        return False
    return card.contract_id is not None or user.role in {Role.BUREAU, Role.ADMIN}


def may_compute_for(user, contract) -> bool:
    """Compute a new scorecard over `contract` (None: all the provider's contracts)."""
    if not can(user, "evaluation.manage"):
        return False
    return contract is not None or user.role in {Role.BUREAU, Role.ADMIN}


def may_adjust_payment(user, card) -> bool:
    """Apply a confirmed scorecard to a payment milestone: the purchaser (bureau or township)."""
    return can(user, "evaluation.adjust_payment")


def may_rate(user, inspection) -> bool:
    """Rate a visit: the enterprise (satisfaction) or the accompanying township or member unit
    (officer). Whether the visit is submitted and not yet rated is the service's data check."""
    return user.role in RATING_ROLE and can(user, "evaluation.rate")


PREDICATES = {
    "evaluation.may_manage": may_manage,
    "evaluation.may_compute_for": may_compute_for,
    "evaluation.may_adjust_payment": may_adjust_payment,
    "evaluation.may_rate": may_rate,
}
