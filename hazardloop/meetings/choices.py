"""Choice sets of the joint meeting (联席会议); who may do what is in `access.py`.

Values are stable English (stored and audited); labels are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已安排")
    HELD = "held", _("已召开")
    MINUTES_PUBLISHED = "minutes_published", _("纪要已发布")


class DecisionKind(models.TextChoices):
    """What a decision asks for. The first three act on hazards through the hazard services."""

    ROUTE = "route", _("交办隐患")
    REASSIGN = "reassign", _("改派隐患")
    DEADLINE = "deadline", _("限定整改期限")
    OTHER = "other", _("其他事项")


class DecisionOutcome(models.TextChoices):
    APPLIED = "applied", _("已执行")
    PARTLY_APPLIED = "partly", _("部分执行，其余记录在案")
    RECORDED = "recorded", _("记录在案")
