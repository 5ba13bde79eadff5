from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
    from hazardloop.inspections.apps import scope_inspections
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


class EvaluationConfig(AppConfig):
    name = "hazardloop.evaluation"
    label = "evaluation"
    verbose_name = _("服务质量评价")

    def ready(self):
        from hazardloop.accounts import scoping

        from . import choices

        scoping.register_capabilities(choices.CAPABILITIES)
        for label, scoper in SCOPERS.items():
            scoping.register(label, scoper)
