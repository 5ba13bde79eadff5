"""Choice sets of the inspections app and who may do what. Values are stable English; labels
are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ItemOutcome(models.TextChoices):
    CONFORMING = "conforming", _("符合")
    NON_CONFORMING = "non_conforming", _("不符合")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACKNOWLEDGED = "acknowledged", _("企业已确认")


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
