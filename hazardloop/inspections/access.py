"""Who may see and do what with inspections and checklists: capabilities, scopes and the
row-level predicates that services (to refuse) and pages (to offer) both ask.

Registered at start-up (`InspectionsConfig.ready` → `core.access.register_app`).
"""

from __future__ import annotations

from hazardloop.accounts.choices import Role
from hazardloop.core.access import can

ALL_ROLES = frozenset(r.value for r in Role)

CAPABILITIES: dict[str, frozenset[str]] = {
    "inspections.view": ALL_ROLES,
    "inspections.view_checklists": ALL_ROLES,
    "inspections.edit_checklists": frozenset({Role.ADMIN, Role.BUREAU}),
    "inspections.record": frozenset({Role.EXPERT, Role.PROVIDER}),
    "inspections.acknowledge": frozenset({Role.ENTERPRISE}),
    "inspections.export": frozenset(
        {Role.ADMIN, Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP, Role.PROVIDER}
    ),
}


# --- scope ----------------------------------------------------------------------------------


def scope_inspections(qs, user):
    """Who sees which inspections:
    - government (administrator, bureau, leader, township, member unit): those of the
      enterprises in their scope;
    - provider: its own; expert: those whose team they were on;
    - enterprise: its own, once submitted (a draft is the provider's working copy).
    """
    from hazardloop.accounts.scoping import enterprise_filter
    from hazardloop.registry.models import Enterprise

    from .choices import InspectionStatus

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.MEMBER_UNIT}:
        condition = enterprise_filter(user)
        return qs.filter(enterprise_id__in=Enterprise.objects.filter(condition).values("pk"))
    if role == Role.PROVIDER:
        return qs.filter(provider_id=user.provider_id)
    if role == Role.EXPERT:
        from .models import TeamMember

        return qs.filter(pk__in=TeamMember.objects.filter(expert_id=user.expert_id).values("inspection_id"))
    if role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id).exclude(status=InspectionStatus.DRAFT)
    return qs.none()


def _through_inspection(qs, user):
    from .models import Inspection

    return qs.filter(inspection_id__in=scope_inspections(Inspection.objects.all(), user).values("pk"))


def _scope_reference(qs, user):
    # Checklists are public reference data, like regions and industries.
    return qs


SCOPERS = {
    "inspections.inspection": scope_inspections,
    "inspections.teammember": _through_inspection,
    "inspections.itemresult": _through_inspection,
    "inspections.finding": _through_inspection,
    "inspections.checklisttemplate": _scope_reference,
    "inspections.checklistversion": _scope_reference,
    "inspections.checklistitem": _scope_reference,
}


# --- may act on this row ---------------------------------------------------------------------


def provider_of(user) -> int | None:
    """The firm a provider or expert user acts for (None for everyone else)."""
    if user.role == Role.PROVIDER:
        return user.provider_id
    if user.role == Role.EXPERT and user.expert_id:
        return user.expert.provider_id
    return None


def may_record(user, inspection) -> bool:
    """Results, findings and submission: the firm's own users, on the firm's own visit."""
    return can(user, "inspections.record") and provider_of(user) == inspection.provider_id


def may_acknowledge(user, inspection) -> bool:
    """签收 of the report: a user of the inspected enterprise itself."""
    return can(user, "inspections.acknowledge") and user.enterprise_id == inspection.enterprise_id


def may_edit_checklist(user, version) -> bool:
    """Checklists are district reference data kept by the administrator and the bureau."""
    return can(user, "inspections.edit_checklists")


PREDICATES = {
    "inspections.may_record": may_record,
    "inspections.may_acknowledge": may_acknowledge,
    "inspections.may_edit_checklist": may_edit_checklist,
}
