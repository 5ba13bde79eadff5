"""Who may see and do what in the registry: capabilities, scopers and row-level predicates.

Registered with `core.access` by `RegistryConfig.ready()`. Services enforce through these
(`access.require`, `access.require_may`); forms, serializers and templates offer through the
same functions, so what a page offers and what a service accepts cannot drift apart.

Visibility of enterprises by role (DESIGN.md):
- admin: everything; district bureau, district leader, township: their region (code prefix);
- member unit: enterprises in its district whose industry falls under one of its duties;
- provider: enterprises covered by its active or completed service contracts;
- expert: the provider's contract enterprises, less those the expert must not inspect;
- enterprise: itself only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hazardloop.accounts.choices import Role

DISTRICT_WIDE = {Role.BUREAU, Role.LEADER}
GOVERNMENT = {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP}

CAPABILITIES: dict[str, set[str]] = {
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
    # The bureau (and the administrator) decides the high-risk list; a township registers and
    # edits its enterprises but may not override the flag the rules derive.
    "registry.override_high_risk": {Role.ADMIN, Role.BUREAU},
}


# --- scope ------------------------------------------------------------------------------------


def region_prefix(user) -> str | None:
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
        prefix = region_prefix(user)
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


# Which enterprises a provider serves, and which providers serve an enterprise, is procurement's
# rule (its contracts in force). Procurement sits above the registry, so it hands the two
# functions over at start-up (procurement/apps.py) and this module never imports it; until then no
# provider serves anything (closed, like a model without a scoper).
_CONTRACT_LINKS: dict = {}


def register_contract_links(*, enterprises_of_provider, providers_of_enterprise) -> None:
    _CONTRACT_LINKS["enterprises_of_provider"] = enterprises_of_provider
    _CONTRACT_LINKS["providers_of_enterprise"] = providers_of_enterprise


def _contract_enterprise_ids(provider_id):
    link = _CONTRACT_LINKS.get("enterprises_of_provider")
    return link(provider_id) if link else []


def scope_enterprises(qs: QuerySet, user) -> QuerySet:
    condition = enterprise_filter(user)
    return qs if condition is None else qs.filter(condition)


def scope_providers(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role in GOVERNMENT:
        return qs
    if role == Role.PROVIDER:
        return qs.filter(pk=user.provider_id)
    if role == Role.EXPERT:
        return qs.filter(pk=user.expert.provider_id)
    if role == Role.ENTERPRISE:
        link = _CONTRACT_LINKS.get("providers_of_enterprise")
        return qs.filter(pk__in=link(user.enterprise_id)) if link else qs.none()
    return qs.none()


def scope_experts(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role in {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.TOWNSHIP}:
        return qs
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    if role == Role.EXPERT:
        return qs.filter(pk=user.expert_id)
    return qs.none()


def scope_member_units(qs: QuerySet, user) -> QuerySet:
    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in DISTRICT_WIDE or role == Role.TOWNSHIP:
        return qs.filter(district__code=user.region.code[:6])
    if role == Role.MEMBER_UNIT:
        return qs.filter(district_id=user.member_unit.district_id)
    return qs.none()


def scope_reference_data(qs: QuerySet, user) -> QuerySet:
    # Region names and codes (GB/T 2260) and GB/T 4754 industries are public reference data.
    return qs


def scope_import_jobs(qs: QuerySet, user) -> QuerySet:
    # An upload may hold rows outside the uploader's scope (they are rejected, but listed with
    # their values), so only its uploader and the administrator may read it.
    return qs if user.role == Role.ADMIN else qs.filter(actor_id=user.pk)


SCOPERS = {
    "registry.enterprise": scope_enterprises,
    "registry.provider": scope_providers,
    "registry.expert": scope_experts,
    "registry.memberunit": scope_member_units,
    "registry.region": scope_reference_data,
    "registry.industry": scope_reference_data,
    "registry.importjob": scope_import_jobs,
}


# --- may this user act on this row --------------------------------------------------------------


def township_filter(user) -> Q | None:
    """A Q over Region: the townships in which `user` may register or edit enterprises. None
    means every township (administrator); a user without a region gets none."""
    if user.role == Role.ADMIN:
        return None
    return Q(code__startswith=user.region.code) if user.region is not None else Q(pk__in=[])


def may_keep_enterprises_in(user, township) -> bool:
    """An enterprise in `township` may be registered, edited or imported by this user: the
    administrator anywhere, everyone else only under their own region's code."""
    if township_filter(user) is None:
        return True
    return user.region is not None and township.code.startswith(user.region.code)


def may_override_high_risk(user, enterprise=None) -> bool:
    """The manual high-risk decision is the bureau's (and the administrator's)."""
    return str(user.role) in CAPABILITIES["registry.override_high_risk"]


def may_maintain_experts_of(user, provider_id) -> bool:
    """A provider user maintains only its own firm's experts; the bureau any firm's."""
    if user.role == Role.PROVIDER:
        return user.provider_id == provider_id
    return str(user.role) in CAPABILITIES["registry.edit_expert"]


PREDICATES = {
    "registry.keep_enterprises_in": may_keep_enterprises_in,
    "registry.override_high_risk": may_override_high_risk,
    "registry.maintain_experts_of": may_maintain_experts_of,
}
