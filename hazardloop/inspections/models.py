"""Checklists, inspection visits and their findings (排查)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.core.workflows import permitted
from hazardloop.hazards.choices import HazardForm
from hazardloop.registry.choices import HazardCategory

from .choices import ChecklistStatus, InspectionStatus, ItemOutcome


class ChecklistTemplate(models.Model):
    """A checklist family (煤矿, 危险化学品, 工贸, 通用…) and the industries it applies to.

    `industry_prefixes` holds GB/T 4754 code prefixes; an empty list means every industry (the
    fallback). The longest matching prefix wins when an inspection picks its checklist."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    industry_prefixes = models.JSONField(_("适用行业代码前缀"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def match_length(self, industry_code: str) -> int:
        """How specifically this template fits the industry: -1 not at all, 0 the fallback."""
        if not self.industry_prefixes:
            return 0
        lengths = [len(p) for p in self.industry_prefixes if industry_code.startswith(p)]
        return max(lengths) if lengths else -1

    def latest_published(self) -> ChecklistVersion | None:
        return self.versions.filter(status=ChecklistStatus.PUBLISHED).order_by("-number").first()


class ChecklistVersion(ConcurrentTransitionMixin, models.Model):
    """One numbered version of a checklist. A published version is frozen: edits go into a new
    draft, and every inspection keeps the version it used. `status` moves only through the
    steps declared below (draft → published)."""

    template = models.ForeignKey(
        ChecklistTemplate, verbose_name=_("检查表"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=ChecklistStatus.choices,
        default=ChecklistStatus.DRAFT,
        protected=True,
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表版本")
        verbose_name_plural = _("检查表版本")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="checklist_version_unique_number"),
            models.UniqueConstraint(
                fields=["template"], condition=Q(status="draft"), name="checklist_one_draft_per_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == ChecklistStatus.DRAFT

    # --- steps: own fields only; the services lock, validate, save and audit ----------------

    @transition(
        field=status,
        source=ChecklistStatus.DRAFT,
        target=None,
        permission=permitted("inspections.may_edit_checklist"),
    )
    def edit(self) -> None:
        """Items are added, changed or removed only while the version is a draft."""

    @transition(
        field=status,
        source=ChecklistStatus.DRAFT,
        target=ChecklistStatus.PUBLISHED,
        permission=permitted("inspections.may_edit_checklist"),
    )
    def publish(self, *, at, by) -> None:
        self.published_at = at
        self.published_by = by


class ChecklistItem(models.Model):
    """One check: what to look at, the rule it comes from (regulation, article, item), and
    whether failing it is a major-hazard criterion (重大隐患判定标准)."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items")
    section = models.CharField(_("检查类别"), max_length=100)
    order = models.PositiveIntegerField(_("序号"), default=0)
    text = models.TextField(_("检查内容"))
    source = models.CharField(_("依据法规标准"), max_length=200)
    article = models.CharField(_("条款"), max_length=64, blank=True)
    major_criterion = models.BooleanField(_("重大隐患判定项"), default=False)
    hazard_category = models.CharField(
        _("隐患类别"), max_length=32, choices=HazardCategory.choices, default=HazardCategory.PRODUCTION
    )
    hazard_form = models.CharField(
        _("隐患形态"), max_length=16, choices=HazardForm.choices, default=HazardForm.UNSAFE_STATE
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def basis(self) -> str:
        return f"{self.source} {self.article}".strip()


class InspectionQuerySet(ScopedQuerySet):
    def submitted(self):
        return self.exclude(status=InspectionStatus.DRAFT)

    def team_deviations(self):
        """Submitted visits whose team was short (recorded under INSPECTION_ALLOW_TEAM_DEVIATION);
        provider evaluation counts these against the provider."""
        return self.submitted().filter(team_deviation=True)


class Inspection(ConcurrentTransitionMixin, models.Model):
    """One inspection visit by a provider's expert team to one enterprise under a service
    contract: the checklist results, the findings (registered as hazards on submission) and the
    enterprise's acknowledgement of the report. `status` moves only through the steps declared
    below (draft → submitted → acknowledged), each naming who may take it (`access.py`)."""

    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="inspections"
    )
    contract = models.ForeignKey(
        "procurement.ServiceContract",
        verbose_name=_("服务合同"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="inspections"
    )
    checklist_version = models.ForeignKey(
        ChecklistVersion, verbose_name=_("检查表版本"), on_delete=models.PROTECT, related_name="inspections"
    )
    experts = models.ManyToManyField(
        "registry.Expert", verbose_name=_("检查组"), through="TeamMember", related_name="inspections"
    )
    officer_name = models.CharField(_("陪同人员"), max_length=64, blank=True)
    officer_unit = models.CharField(_("陪同人员单位"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("检查开始"), db_index=True)
    ended_at = models.DateTimeField(_("检查结束"), null=True, blank=True)
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=InspectionStatus.choices,
        default=InspectionStatus.DRAFT,
        db_index=True,
        protected=True,
    )
    report_number = models.CharField(_("报告编号"), max_length=32, blank=True)
    team_deviation = models.BooleanField(_("检查组人数不足"), default=False, db_index=True)
    deviation_reason = models.CharField(_("偏离原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("企业确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("企业确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledgement_note = models.TextField(_("企业意见"), blank=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "started_at"], name="inspection_provider_started"),
            models.Index(fields=["enterprise", "started_at"], name="inspection_enterprise_started"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report_number"], condition=~Q(report_number=""), name="inspection_unique_report"
            ),
        ]

    def __str__(self) -> str:
        return self.report_number or f"{self.enterprise} {self.started_at:%Y-%m-%d}"

    @property
    def is_draft(self) -> bool:
        return self.status == InspectionStatus.DRAFT

    # --- steps: own fields only; the services lock, validate, save and audit ----------------

    @transition(
        field=status,
        source=InspectionStatus.DRAFT,
        target=None,
        permission=permitted("inspections.may_record"),
    )
    def record(self) -> None:
        """Results and findings change only on the firm's own draft."""

    @transition(
        field=status,
        source=InspectionStatus.DRAFT,
        target=InspectionStatus.SUBMITTED,
        permission=permitted("inspections.may_record"),
    )
    def submit(self, *, report_number: str, ended_at, at, by) -> None:
        self.report_number = report_number
        self.ended_at = ended_at
        self.submitted_at = at
        self.submitted_by = by

    @transition(
        field=status,
        source=InspectionStatus.SUBMITTED,
        target=InspectionStatus.ACKNOWLEDGED,
        permission=permitted("inspections.may_acknowledge"),
    )
    def acknowledge(self, *, at, by, note: str) -> None:
        self.acknowledged_at = at
        self.acknowledged_by = by
        self.acknowledgement_note = note

    @property
    def leader(self):
        for member in self.members.all():
            if member.is_leader:
                return member.expert
        return None


class TeamMember(models.Model):
    """An expert on an inspection team; exactly one is the leader (组长)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="members")
    expert = models.ForeignKey("registry.Expert", verbose_name=_("专家"), on_delete=models.PROTECT)
    is_leader = models.BooleanField(_("组长"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查组成员")
        verbose_name_plural = _("检查组成员")
        ordering = ["-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "expert"], name="team_member_unique"),
            models.UniqueConstraint(
                fields=["inspection"], condition=Q(is_leader=True), name="team_one_leader"
            ),
        ]

    def __str__(self) -> str:
        return str(self.expert)


class ItemResult(models.Model):
    """The outcome of one checklist item at one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT)
    outcome = models.CharField(_("结果"), max_length=16, choices=ItemOutcome.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_result_unique")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"


class Finding(models.Model):
    """A hazard the team found, held with the draft and registered as a hazard (through the
    hazards service) when the inspection is submitted; `hazard` then points at it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("对应检查项"), null=True, blank=True, on_delete=models.PROTECT
    )
    level = models.ForeignKey("hazards.HazardLevel", verbose_name=_("隐患等级"), on_delete=models.PROTECT)
    category = models.CharField(_("隐患类别"), max_length=32, choices=HazardCategory.choices)
    form = models.CharField(_("隐患形态"), max_length=16, choices=HazardForm.choices)
    title = models.CharField(_("隐患名称"), max_length=200)
    description = models.TextField(_("隐患描述"))
    location = models.CharField(_("隐患部位"), max_length=200, blank=True)
    legal_basis_law = models.CharField(_("法规标准"), max_length=200, blank=True)
    legal_basis_article = models.CharField(_("条款"), max_length=32, blank=True)
    suggested_measure = models.TextField(_("整改建议"), blank=True)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    hazard = models.OneToOneField(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="finding",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def legal_basis(self) -> str:
        return f"{self.legal_basis_law} {self.legal_basis_article}".strip()


class FindingPhoto(models.Model):
    """A cleaned (re-encoded) photo of a finding; copied to the hazard when it is registered."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="inspections/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("发现照片")
        verbose_name_plural = _("发现照片")

    def __str__(self) -> str:
        return self.original_name
