from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role

CAPABILITIES = {
    "procurement.view_tenders": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.PROVIDER},
    # Draft, publish, close, score, award and cancel tenders (the purchasing township; the bureau
    # on its behalf).
    "procurement.manage_tenders": {Role.ADMIN, Role.BUREAU, Role.TOWNSHIP},
    "procurement.bid": {Role.PROVIDER},
    # Amend and publish contracts, add milestones, record payments.
    "procurement.manage_contracts": {Role.ADMIN, Role.BUREAU, Role.TOWNSHIP},
    "procurement.view_plans": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.PROVIDER},
    # Solve and re-plan a contract's year (the provider plans its experts; the township and the
    # bureau may too).
    "procurement.manage_plans": {Role.ADMIN, Role.BUREAU, Role.TOWNSHIP, Role.PROVIDER},
    # 以奖代补: the government sees the formula and awards (a township only its own award);
    # the bureau publishes the formula and computes; the bureau or the leader confirms.
    "procurement.view_awards": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP},
    "procurement.manage_awards": {Role.ADMIN, Role.BUREAU},
    "procurement.confirm_awards": {Role.ADMIN, Role.BUREAU, Role.LEADER},
    # Contract spend beside the staff cost it replaces: a government figure.
    "procurement.view_cost": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP},
}


def _prefix(user) -> str | None:
    region = user.region
    if region is None:
        return None
    return region.code[:9] if len(region.code) >= 9 else region.code


def scope_tenders(qs, user):
    """Administrator: all. Bureau and leader: their district's; township: its own. Provider:
    every tender that has been published (a call for bids is public), never drafts."""
    from .models import TenderStatus

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP}:
        prefix = _prefix(user)
        return qs.filter(township__code__startswith=prefix) if prefix else qs.none()
    if role == Role.PROVIDER:
        return qs.exclude(status=TenderStatus.DRAFT)
    return qs.none()


def scope_bids(qs, user):
    """Government: the bids on tenders it sees; provider: its own bids only."""
    from .models import Tender

    role = user.role
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    if role in {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP}:
        return qs.filter(tender_id__in=scope_tenders(Tender.objects.all(), user).values("pk"))
    return qs.none()


def _through_tender(qs, user):
    from .models import Tender

    return qs.filter(tender_id__in=scope_tenders(Tender.objects.all(), user).values("pk"))


def _visible_contracts(user):
    from hazardloop.accounts import scoping

    from .models import ServiceContract

    return scoping.scope(ServiceContract.objects.all(), user).values("pk")


def _through_contract(qs, user):
    return qs.filter(contract_id__in=_visible_contracts(user))


def _through_plan(qs, user):
    return qs.filter(plan__contract_id__in=_visible_contracts(user))


def scope_award_formulas(qs, user):
    """Published formulas are public to the district's government: the bureau, the leader and
    every township of the district."""
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP} and user.region is not None:
        return qs.filter(district__code=user.region.code[:6])
    return qs.none()


def scope_awards(qs, user):
    """Bureau and leader: every township of their district; a township: its own award only;
    everyone else (providers included): none."""
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER}:
        prefix = _prefix(user)
        return qs.filter(township__code__startswith=prefix) if prefix else qs.none()
    if role == Role.TOWNSHIP:
        return qs.filter(township_id=user.region_id) if user.region_id else qs.none()
    return qs.none()


SCOPERS = {
    "procurement.tender": scope_tenders,
    "procurement.tendercriterion": _through_tender,
    "procurement.bid": scope_bids,
    "procurement.contractamendment": _through_contract,
    "procurement.paymentmilestone": _through_contract,
    "procurement.inspectionplan": _through_contract,
    "procurement.planningjob": _through_contract,
    "procurement.plannedvisit": _through_plan,
    "procurement.compliancebreach": _through_contract,
    "procurement.awardformula": scope_award_formulas,
    "procurement.award": scope_awards,
}


class ProcurementConfig(AppConfig):
    name = "hazardloop.procurement"
    label = "procurement"
    verbose_name = _("政府购买服务")

    def ready(self):
        from hazardloop.accounts import scoping

        # Contracts keep the rule in accounts/scoping.py (_scope_contracts); everything hanging
        # off a contract (amendments, milestones, plans) follows it.
        scoping.register_capabilities(CAPABILITIES)
        for label, scoper in SCOPERS.items():
            scoping.register(label, scoper)
