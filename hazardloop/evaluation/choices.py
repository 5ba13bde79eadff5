"""Choice sets of service-quality evaluation and who may do what. Values are stable English
(stored and audited); labels are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts.choices import Role


class KpiCode(models.TextChoices):
    """The KPIs the scorecard knows how to measure; the bureau sets their weights and anchors."""

    COVERAGE = "coverage", _("排查覆盖率")
    COMPLIANCE = "compliance", _("标准符合度")
    FINDINGS = "findings", _("隐患发现密度")
    REINSPECTION = "reinspection", _("复查及时率")
    OVERTURNED = "overturned", _("误判撤销率")
    SATISFACTION = "satisfaction", _("企业满意度")
    OFFICER = "officer", _("陪同人员评价")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")


class RatingKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业满意度")
    OFFICER = "officer", _("陪同人员评价")


class EnterpriseClass(models.TextChoices):
    """The contract standard's three classes (procurement.rules.enterprise_class)."""

    ORDINARY = "ordinary", _("一般企业")
    LARGE_MEDIUM = "large_medium", _("大中型企业")
    HIGH_RISK = "high_risk", _("高危企业")


# Who rates what: the enterprise its own visit; the government side that may accompany a visit
# (the township's office, a member unit) gives the officer's rating.
RATING_ROLE = {
    Role.ENTERPRISE: RatingKind.ENTERPRISE,
    Role.TOWNSHIP: RatingKind.OFFICER,
    Role.MEMBER_UNIT: RatingKind.OFFICER,
}
