"""The one place that decides what each user may see and do.

Every page, API view, export and background job reaches data through `scope(queryset, user)`
(usually via `Model.objects.visible_to(user)`), and asks `can(user, capability)` before acting.
A record outside the scope is answered with 404, never 403, so that ids reveal nothing.

Visibility by role (DESIGN.md):
- admin, district bureau, district leader: everything under their region (code prefix);
- member unit: enterprises in its district whose industry falls under one of its duties;
- township: the enterprises in its own township or street office;
- provider: enterprises covered by its service contracts;
- expert: the provider's contract enterprises, less those the expert must not inspect
  (narrowed to the expert's own visits once planning assigns them);
- enterprise: itself only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hazardloop.core import access
from hazardloop.core.access import (  # noqa: F401  (the one place callers ask, re-exported)
    can,
    get_visible_or_404,
    may,
    register_capabilities,
    register_predicates,
    require,
    require_may,
    scope,
)

from .choices import Role

DISTRICT_WIDE = {Role.BUREAU, Role.LEADER}
GOVERNMENT = {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP}

# Capabilities: what a role may do, independent of which record. Record-level scope is `scope`.
# The registry itself is `core.access.CAPABILITIES`; these are the base apps' entries.
CAPABILITIES = access.CAPABILITIES
_BASE_CAPABILITIES: dict[str, set[str]] = {
    "registry.view_enterprises": {r.value for r in Role},
    "registry.edit_enterprise": {Role.ADMIN, Role.BUREAU, Role.TOWNSHIP},
    "registry.import_enterprises": {Role.ADMIN, Role.BUREAU},
    "registry.export": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP, Role.PROVIDER},
    "registry.view_providers": {
        Role.ADMIN,
        Role.BUREAU,
        Role.LEADER,
        Role.MEMBER_UNIT,
        Role.TOWNSHIP,
        Role.PROVIDER,
        Role.EXPERT,
    },
    "registry.view_experts": {
        Role.ADMIN,
        Role.BUREAU,
        Role.LEADER,
        Role.TOWNSHIP,
        Role.PROVIDER,
        Role.EXPERT,
    },
    "registry.edit_provider": {Role.ADMIN, Role.BUREAU},
    "registry.edit_expert": {Role.ADMIN, Role.BUREAU, Role.PROVIDER},
    "registry.import_experts": {Role.ADMIN, Role.BUREAU, Role.PROVIDER},
    "registry.view_member_units": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP},
    "procurement.view_contracts": {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.PROVIDER},
}


def _prefix(user) -> str | None:
    """Division-code prefix of the user's region: 6 digits for a district, 9 for a township."""
    region = user.region
    if region is None:
        return None
    return region.code[:9] if len(region.code) >= 9 else region.code


def enterprise_filter(user) -> Q | None:
    """A Q over Enterprise for the user's scope; None means everything."""
    role = user.role
    if role == Role.ADMIN:
        return None
    if role in DISTRICT_WIDE or role == Role.TOWNSHIP:
        prefix = _prefix(user)
        return Q(township__code__startswith=prefix) if prefix else Q(pk__in=[])
    if role == Role.MEMBER_UNIT:
        unit = user.member_unit
        duty_clause = Q(pk__in=[])
        for duty in unit.duties.all():
            duty_clause |= Q(industry__code__startswith=duty.industry_prefix)
        return Q(township__code__startswith=unit.district.code) & duty_clause
    if role == Role.PROVIDER:
        return Q(pk__in=_contract_enterprise_ids(provider_id=user.provider_id))
    if role == Role.EXPERT:
        expert = user.expert
        return Q(pk__in=_contract_enterprise_ids(provider_id=expert.provider_id)) & ~Q(
            pk__in=expert.conflict_rows.values("enterprise_id")
        )
    if role == Role.ENTERPRISE:
        return Q(pk=user.enterprise_id)
    return Q(pk__in=[])


def _contract_enterprise_ids(provider_id):
    from hazardloop.procurement.models import ContractStatus, ServiceContract

    return ServiceContract.enterprises.through.objects.filter(
        servicecontract__provider_id=provider_id,
        servicecontract__status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED],
    ).values("enterprise_id")


def _scope_enterprises(qs: QuerySet, user) -> QuerySet:
    condition = enterprise_filter(user)
    return qs if condition is None else qs.filter(condition)


def _scope_providers(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role in GOVERNMENT:
        return qs
    if role == Role.PROVIDER:
        return qs.filter(pk=user.provider_id)
    if role == Role.EXPERT:
        return qs.filter(pk=user.expert.provider_id)
    if role == Role.ENTERPRISE:
        from hazardloop.procurement.models import ServiceContract

        return qs.filter(
            pk__in=ServiceContract.objects.filter(enterprises=user.enterprise_id).values("provider_id")
        )
    return qs.none()


def _scope_experts(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role in {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP}:
        return qs
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    if role == Role.EXPERT:
        return qs.filter(pk=user.expert_id)
    return qs.none()


def _scope_member_units(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in DISTRICT_WIDE or role == Role.TOWNSHIP:
        return qs.filter(district__code=user.region.code[:6])
    if role == Role.MEMBER_UNIT:
        return qs.filter(district_id=user.member_unit.district_id)
    return qs.none()


def _scope_regions(qs: QuerySet, user) -> QuerySet:
    # Region names and codes are public reference data.
    return qs


def _scope_contracts(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in DISTRICT_WIDE or role == Role.TOWNSHIP:
        return qs.filter(township__code__startswith=_prefix(user))
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    return qs.none()


def _scope_import_jobs(qs: QuerySet, user) -> QuerySet:
    # An upload may hold rows outside the uploader's scope (they are rejected, but listed with
    # their values), so only its uploader and the administrator may read it.
    return qs if user.role == Role.ADMIN else qs.filter(actor_id=user.pk)


def _scope_users(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.ADMIN else qs.filter(pk=user.pk)


_SCOPERS = {
    "registry.enterprise": _scope_enterprises,
    "registry.provider": _scope_providers,
    "registry.expert": _scope_experts,
    "registry.memberunit": _scope_member_units,
    "registry.region": _scope_regions,
    "registry.industry": _scope_regions,  # GB/T 4754 is public reference data, like regions
    "registry.importjob": _scope_import_jobs,
    "procurement.servicecontract": _scope_contracts,
    "accounts.user": _scope_users,
}


def register(label: str, scoper) -> None:
    """Later apps (hazards, meetings, …) add their models' rules here at start-up."""
    access.register_scoper(label, scoper)


register_capabilities(_BASE_CAPABILITIES)
for _label, _scoper in _SCOPERS.items():
    register(_label, _scoper)
