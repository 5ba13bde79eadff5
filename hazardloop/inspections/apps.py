from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def scope_inspections(qs, user):
    """Who sees which inspections:
    - government (administrator, bureau, leader, township, member unit): those of the
      enterprises in their scope;
    - provider: its own; expert: those whose team they were on;
    - enterprise: its own, once submitted (a draft is the provider's working copy).
    """
    from hazardloop.accounts import scoping
    from hazardloop.accounts.choices import Role
    from hazardloop.registry.models import Enterprise

    from .choices import InspectionStatus

    role = user.role
    if role == Role.ADMIN:
        return qs
    if role in {Role.BUREAU, Role.LEADER, Role.TOWNSHIP, Role.MEMBER_UNIT}:
        condition = scoping.enterprise_filter(user)
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


class InspectionsConfig(AppConfig):
    name = "hazardloop.inspections"
    label = "inspections"
    verbose_name = _("隐患排查")

    def ready(self):
        from hazardloop.accounts import scoping

        from . import choices

        scoping.register_capabilities(choices.CAPABILITIES)
        for label, scoper in SCOPERS.items():
            scoping.register(label, scoper)
