"""Who may see and do what in procurement: capabilities, scopers and row-level predicates.

Registered with `core.access` from `ProcurementConfig.ready()`. Services enforce through the
predicates (`require_may`), pages and the API offer a button through the same ones (`may`), so
the two cannot drift.

Visibility by role (DESIGN.md):
- contracts: administrator all; bureau, leader and township their region's (division-code
  prefix); provider its own contracts; everyone else none. Amendments, milestones, plans,
  planning jobs and breaches follow their contract, visits their plan's contract;
- tenders: government their region's; providers every published one (a call for bids is
  public), never drafts; bids: the provider its own, government those on tenders it sees;
- award formulas: the district's government; awards: bureau and leader the district's, a
  township its own.

The enterprises a provider serves (contracts in force) are also procurement's rule; it is
handed to `accounts.scoping` as a hook so that the base app need not import procurement.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hazardloop.accounts.choices import Role
from hazardloop.core import access

GOVERNMENT_READERS = {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP}

CAPABILITIES = {
    "procurement.view_contracts": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.PROVIDER},
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
    """Division-code prefix of the user's region: 6 digits for a district, 9 for a township."""
    region = user.region
    if region is None:
        return None
    return region.code[:9] if len(region.code) >= 9 else region.code


# --- scopers ---------------------------------------------------------------------------------


def _by_purchaser(qs: QuerySet, user) -> QuerySet | None:
    """The government's share of rows bought by a township (`township` field): administrator all;
    bureau and leader their district's; a township its own. None for other roles."""
    if user.role == Role.ADMIN:
        return qs
    if user.role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP}:
        prefix = _prefix(user)
        return qs.filter(township__code__startswith=prefix) if prefix else qs.none()
    return None


def scope_contracts(qs: QuerySet, user) -> QuerySet:
    """Government by purchaser; a provider its own contracts."""
    government = _by_purchaser(qs, user)
    if government is not None:
        return government
    if user.role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    return qs.none()


def scope_tenders(qs: QuerySet, user) -> QuerySet:
    """Government by purchaser. Provider: every tender that has been published (a call for bids
    is public), never drafts."""
    from .models import TenderStatus

    government = _by_purchaser(qs, user)
    if government is not None:
        return government
    if user.role == Role.PROVIDER:
        return qs.exclude(status=TenderStatus.DRAFT)
    return qs.none()


def _visible_tenders(user):
    from .models import Tender

    return scope_tenders(Tender.objects.all(), user).values("pk")


def scope_bids(qs: QuerySet, user) -> QuerySet:
    """Government: the bids on tenders it sees; provider: its own bids only."""
    role = user.role
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    if role in GOVERNMENT_READERS:
        return qs.filter(tender_id__in=_visible_tenders(user))
    return qs.none()


def _through_tender(qs: QuerySet, user) -> QuerySet:
    return qs.filter(tender_id__in=_visible_tenders(user))


def _visible_contracts(user):
    from .models import ServiceContract

    return scope_contracts(ServiceContract.objects.all(), user).values("pk")


def _through_contract(qs: QuerySet, user) -> QuerySet:
    return qs.filter(contract_id__in=_visible_contracts(user))


def _through_plan(qs: QuerySet, user) -> QuerySet:
    return qs.filter(plan__contract_id__in=_visible_contracts(user))


def scope_award_formulas(qs: QuerySet, user) -> QuerySet:
    """Published formulas are public to the district's government: the bureau, the leader and
    every township of the district."""
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP} and user.region is not None:
        return qs.filter(district__code=user.region.code[:6])
    return qs.none()


def scope_awards(qs: QuerySet, user) -> QuerySet:
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
    "procurement.servicecontract": scope_contracts,
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


# --- the enterprises a provider serves (a hook for accounts.scoping) ---------------------------


def contract_enterprise_ids(provider_id):
    """Enterprises under the provider's contracts in force (active or completed)."""
    from .models import ContractStatus, ServiceContract

    return ServiceContract.enterprises.through.objects.filter(
        servicecontract__provider_id=provider_id,
        servicecontract__status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED],
    ).values("enterprise_id")


def enterprise_provider_ids(enterprise_id):
    """Providers holding any contract over the enterprise (whom the enterprise may look up)."""
    from .models import ServiceContract

    return ServiceContract.objects.filter(enterprises=enterprise_id).values("provider_id")


# --- row-level predicates ------------------------------------------------------------------
# Each takes the user first. `None` (the system: demo data, tasks) is let through by the services
# before they ask, never here: `core.access.may` answers False for no user.


def acts_for_township(user, township) -> bool:
    """The township that buys (购买主体) acts; the district bureau and the administrator may act
    on its behalf."""
    if user.role in {Role.ADMIN, Role.BUREAU}:
        return True
    return user.role == Role.TOWNSHIP and user.region_id == township.pk


def may_manage_tender(user, tender) -> bool:
    """Publish, close, score, award or cancel this tender."""
    return access.can(user, "procurement.manage_tenders") and acts_for_township(user, tender.township)


def may_bid(user, tender, provider=None) -> bool:
    """Bid on this tender in the provider's name (by default the user's own). Whether the
    tender still takes bids is the workflow's question, not this one."""
    if user.role == Role.ADMIN:
        return True
    provider_id = provider.pk if provider is not None else user.provider_id
    return access.can(user, "procurement.bid") and provider_id is not None and user.provider_id == provider_id


def may_manage_contract(user, contract) -> bool:
    """Publish or amend this contract, add its milestones, record its payments."""
    return access.can(user, "procurement.manage_contracts") and acts_for_township(user, contract.township)


def may_plan(user, contract) -> bool:
    """Solve or re-plan this contract's year, mark its visits done: the buying township (or the
    bureau, the administrator) and the contract's own provider."""
    if not access.can(user, "procurement.manage_plans"):
        return False
    if user.role in {Role.ADMIN, Role.BUREAU}:
        return True
    if user.role == Role.TOWNSHIP:
        return user.region_id == contract.township_id
    if user.role == Role.PROVIDER:
        return user.provider_id == contract.provider_id
    return False


def _in_district(user, district) -> bool:
    if user.role == Role.ADMIN:
        return True
    return user.region is not None and user.region.code[:6] == district.code


def may_manage_awards(user, district) -> bool:
    """Publish the year's award formula and compute the awards of this district."""
    return access.can(user, "procurement.manage_awards") and _in_district(user, district)


def may_confirm_awards(user, district) -> bool:
    """Confirm (freeze) this district's awards."""
    return access.can(user, "procurement.confirm_awards") and _in_district(user, district)


PREDICATES = {
    "procurement.acts_for_township": acts_for_township,
    "procurement.manage_tender": may_manage_tender,
    "procurement.bid_for": may_bid,
    "procurement.manage_contract": may_manage_contract,
    "procurement.plan": may_plan,
    "procurement.manage_awards": may_manage_awards,
    "procurement.confirm_awards": may_confirm_awards,
}
