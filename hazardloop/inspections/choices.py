"""Choice sets of the inspections app and who may do what. Values are stable English; labels
are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
