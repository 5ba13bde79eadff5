"""Procurement: tenders and bids, service contracts between a township (购买主体) and a provider
(承接主体) with their standards, amendments and payment milestones, and the persisted year
inspection plans solved for each contract.

Workflows are declared on the models (django-fsm-2, as hazards): a tender's, bid's, contract's,
milestone's, planned visit's and award's status moves only through its `@transition` methods,
whose bodies change only the row's own fields. The services lock, check who acts
(procurement.access), guard with Chinese messages, call the transition, save and audit; pages
offer what `get_available_status_transitions()` and the role predicate allow."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.models import TimeStampedModel
from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.registry.models import Enterprise, Expert, Provider, Region

from . import rules


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("履行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


class ServiceContractQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED])


def _team_field(label, key):
    default = rules.DEFAULT_TEAM[key]
    if key.endswith("_max"):
        return models.PositiveSmallIntegerField(label, null=True, blank=True, default=default)
    return models.PositiveSmallIntegerField(label, default=default)


class ServiceContract(ConcurrentTransitionMixin, TimeStampedModel):
    """A hazard-inspection service contract; its enterprises are what the provider may see.

    Beside the parties, period and price it holds what 财政部令第102号 Art. 23 asks of a contract
    (content, quantity, quality, settlement, rights and duties, breach liability) and the service
    standard of the case study (equipment, staff, visits a year and experts a visit by class,
    report and re-inspection time limits). Team-size defaults come from registry.rules."""

    number = models.CharField(_("合同编号"), max_length=64, unique=True)
    title = models.CharField(_("合同名称"), max_length=200)
    township = models.ForeignKey(
        Region, verbose_name=_("购买主体"), on_delete=models.PROTECT, related_name="contracts"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("承接主体"), on_delete=models.PROTECT, related_name="contracts"
    )
    start_date = models.DateField(_("服务开始"))
    end_date = models.DateField(_("服务结束"))
    price = models.DecimalField(_("合同金额（元）"), max_digits=12, decimal_places=2)
    # Set when the contract is recorded (draft when awarded from a tender, active when signed);
    # then moved only by the transitions below.
    status = FSMField(
        _("状态"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT, protected=True
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("服务企业"), related_name="contracts", blank=True
    )
    stable_service = models.BooleanField(
        _("稳定持续服务"), default=False, help_text=_("经费和价格稳定的持续服务，期限最长三年。")
    )
    # Art. 23 content.
    content = models.TextField(_("服务内容"), blank=True)
    quantity = models.TextField(_("服务数量"), blank=True)
    quality_requirements = models.TextField(_("质量要求"), blank=True)
    settlement_method = models.TextField(_("结算方式"), blank=True)
    rights_and_duties = models.TextField(_("权利义务"), blank=True)
    breach_liability = models.TextField(_("违约责任"), blank=True)
    # The case study's service standard.
    equipment = models.TextField(_("装备要求"), blank=True)
    professional_staff = models.PositiveSmallIntegerField(_("专业技术人员（人）"), default=5)
    visits_ordinary = models.PositiveSmallIntegerField(
        _("一般企业每年排查次数"), default=rules.DEFAULT_VISITS["visits_ordinary"]
    )
    visits_large_medium = models.PositiveSmallIntegerField(
        _("大中型企业每年排查次数"), default=rules.DEFAULT_VISITS["visits_large_medium"]
    )
    visits_high_risk = models.PositiveSmallIntegerField(
        _("高危企业每年排查次数"), default=rules.DEFAULT_VISITS["visits_high_risk"]
    )
    team_ordinary_min = _team_field(_("一般企业每次专家下限"), "team_ordinary_min")
    team_ordinary_max = _team_field(_("一般企业每次专家上限"), "team_ordinary_max")
    team_large_medium_min = _team_field(_("大中型企业每次专家下限"), "team_large_medium_min")
    team_large_medium_max = _team_field(_("大中型企业每次专家上限"), "team_large_medium_max")
    team_high_risk_min = _team_field(_("高危企业每次专家下限"), "team_high_risk_min")
    team_high_risk_max = _team_field(_("高危企业每次专家上限"), "team_high_risk_max")
    report_days = models.PositiveSmallIntegerField(_("报告时限（天）"), default=rules.DEFAULT_REPORT_DAYS)
    reinspection_working_days = models.PositiveSmallIntegerField(
        _("复查时限（工作日）"), default=rules.DEFAULT_REINSPECTION_WORKING_DAYS
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ServiceContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["-start_date", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="contract_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def standard(self) -> rules.ContractStandard:
        return rules.ContractStandard(**{f: getattr(self, f) for f in STANDARD_NUMBER_FIELDS})

    # --- workflow: draft → active (published) → completed / terminated -----------------------

    def _not_published(self) -> bool:
        return self.published_at is None

    @transition(
        field=status,
        source=[ContractStatus.DRAFT, ContractStatus.ACTIVE, ContractStatus.COMPLETED],
        target=RETURN_VALUE(ContractStatus.ACTIVE, ContractStatus.COMPLETED),
        conditions=[_not_published],
    )
    def publish(self, *, by, at):
        """Made public (财政部令第102号 Art. 23); a draft (awarded, not yet signed) comes into
        force, a signed one keeps its state."""
        self.published_at, self.published_by = at, by
        return ContractStatus.ACTIVE if self.status == ContractStatus.DRAFT else self.status

    @transition(field=status, source=[ContractStatus.DRAFT, ContractStatus.ACTIVE], target=None)
    def amend(self):
        """New terms as the next version; the state stays. Completed and terminated contracts
        are closed to change."""
        self.version += 1

    def team_requirement(self, enterprise: Enterprise):
        """Experts per visit this contract requires at `enterprise` (a registry.rules.TeamSize)."""
        return rules.team_requirement(self, enterprise.size, enterprise.high_risk)

    def visits_required(self, enterprise: Enterprise) -> int:
        return rules.visits_required(self, enterprise.size, enterprise.high_risk)


STANDARD_NUMBER_FIELDS = tuple(rules.ContractStandard.__dataclass_fields__)
STANDARD_TEXT_FIELDS = (
    "content",
    "quantity",
    "quality_requirements",
    "settlement_method",
    "rights_and_duties",
    "breach_liability",
    "equipment",
)
# What an amendment may change (the parties and the number never change; a new contract does).
AMENDABLE_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "price",
    "stable_service",
    "professional_staff",
    *STANDARD_TEXT_FIELDS,
    *STANDARD_NUMBER_FIELDS,
)


class ContractAmendment(models.Model):
    """One version step of a contract: which fields changed from what to what, why, by whom."""

    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("服务合同"), on_delete=models.CASCADE, related_name="amendments"
    )
    version = models.PositiveIntegerField(_("版本"))
    changes = models.JSONField(_("变更内容"), default=dict)  # field → {"old": …, "new": …}
    reason = models.TextField(_("变更理由"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("变更人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("变更时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")
        ordering = ["contract", "version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "version"], name="amendment_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} v{self.version}"

    def field_labels(self) -> list[tuple[str, object, object]]:
        out = []
        for name, change in self.changes.items():
            label = ServiceContract._meta.get_field(name).verbose_name
            out.append((label, change.get("old"), change.get("new")))
        return out


class MilestoneStatus(models.TextChoices):
    PENDING = "pending", _("待支付")
    PAID = "paid", _("已支付")
    CANCELLED = "cancelled", _("已取消")


class PaymentMilestone(ConcurrentTransitionMixin, models.Model):
    """A payment the purchaser owes the provider when a stage of the service is reached."""

    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("服务合同"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("节点"), max_length=100)
    due_date = models.DateField(_("应付日期"))
    share = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=MilestoneStatus.choices,
        default=MilestoneStatus.PENDING,
        protected=True,
    )
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("付款节点")
        verbose_name_plural = _("付款节点")
        ordering = ["contract", "due_date", "pk"]
        indexes = [models.Index(fields=["status", "due_date"], name="milestone_status_due")]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.name}"

    @transition(field=status, source=MilestoneStatus.PENDING, target=MilestoneStatus.PAID)
    def pay(self, *, by, at, note: str = ""):
        self.paid_at, self.paid_by, self.note = at, by, note


# --- tenders and bids ---------------------------------------------------------------------------


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("投标中")
    CLOSED = "closed", _("已截止")
    AWARDED = "awarded", _("已定标")
    CANCELLED = "cancelled", _("已取消")


class Tender(ConcurrentTransitionMixin, TimeStampedModel):
    """A township's call for inspection services over a set of its enterprises (招标)."""

    number = models.CharField(_("招标编号"), max_length=64, unique=True)
    title = models.CharField(_("项目名称"), max_length=200)
    township = models.ForeignKey(
        Region, verbose_name=_("购买主体"), on_delete=models.PROTECT, related_name="tenders"
    )
    enterprises = models.ManyToManyField(Enterprise, verbose_name=_("服务企业"), related_name="tenders")
    budget = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2)
    requirements = models.TextField(_("采购需求"), blank=True)
    service_start = models.DateField(_("服务开始"))
    service_end = models.DateField(_("服务结束"))
    stable_service = models.BooleanField(_("稳定持续服务"), default=False)
    standards = models.JSONField(_("服务标准"), default=dict, blank=True)  # contract-standard overrides
    closing_date = models.DateField(_("投标截止"))
    status = FSMField(
        _("状态"), max_length=16, choices=TenderStatus.choices, default=TenderStatus.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("截止时间"), null=True, blank=True)
    awarded_at = models.DateTimeField(_("定标时间"), null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定标人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    awarded_bid = models.OneToOneField(
        "Bid", verbose_name=_("中标投标"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contract = models.OneToOneField(
        ServiceContract,
        verbose_name=_("服务合同"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tender",
    )
    cancel_reason = models.TextField(_("取消理由"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("招标项目")
        verbose_name_plural = _("招标项目")
        ordering = ["-created_at", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # --- workflow: draft → published (takes bids) → closed (scored) → awarded; cancelled ------
    # `take_bid` and `score` leave the state as it is: they are declared so that the state that
    # allows them is written once, here, and pages ask the model what is available.

    @transition(field=status, source=TenderStatus.DRAFT, target=TenderStatus.PUBLISHED)
    def publish(self, *, by, at):
        self.published_at, self.published_by = at, by

    @transition(field=status, source=TenderStatus.PUBLISHED, target=None)
    def take_bid(self):
        """A provider bids (the closing date is the service's guard)."""

    @transition(field=status, source=TenderStatus.PUBLISHED, target=TenderStatus.CLOSED)
    def close(self, *, at):
        self.closed_at = at

    @transition(field=status, source=TenderStatus.CLOSED, target=None)
    def score(self):
        """The valid bids are scored (again, until the award)."""

    @transition(field=status, source=TenderStatus.CLOSED, target=TenderStatus.AWARDED)
    def award(self, bid, contract, *, by, at):
        self.awarded_bid, self.contract, self.awarded_by, self.awarded_at = bid, contract, by, at

    @transition(
        field=status,
        source=[TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.CLOSED],
        target=TenderStatus.CANCELLED,
    )
    def cancel(self, *, reason: str):
        self.cancel_reason = reason


class TenderCriterion(models.Model):
    """A published scoring criterion; weights of a tender add up to 100; one is the price."""

    KINDS = [("price", _("价格分")), ("technical", _("技术/商务分"))]
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("类别"), max_length=16, choices=KINDS)
    name = models.CharField(_("评分项"), max_length=100)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("评分标准")
        verbose_name_plural = _("评分标准")
        ordering = ["tender", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已投标")
    REFUSED = "refused", _("资格不符")
    SCORED = "scored", _("已评分")
    WON = "won", _("中标")
    LOST = "lost", _("未中标")


class Bid(ConcurrentTransitionMixin, models.Model):
    """A provider's bid; refused at submission when the provider fails the entry conditions."""

    tender = models.ForeignKey(
        Tender, verbose_name=_("招标项目"), on_delete=models.CASCADE, related_name="bids"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("投标机构"), on_delete=models.PROTECT, related_name="bids"
    )
    price = models.DecimalField(_("投标报价（元）"), max_digits=12, decimal_places=2)
    technical_summary = models.TextField(_("技术方案摘要"))
    submitted_at = models.DateTimeField(_("投标时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投标人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Submitted, or refused at submission (entry conditions failed: on record, never scored).
    status = FSMField(
        _("状态"), max_length=16, choices=BidStatus.choices, default=BidStatus.SUBMITTED, protected=True
    )
    refusal_reason = models.TextField(_("不符合的条件"), blank=True)
    scores = models.JSONField(_("各项得分"), default=dict, blank=True)  # criterion id → score
    price_score = models.DecimalField(_("价格得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("投标")
        verbose_name_plural = _("投标")
        ordering = ["tender", "-total", "price", "pk"]
        constraints = [models.UniqueConstraint(fields=["tender", "provider"], name="one_bid_per_provider")]

    def __str__(self) -> str:
        return f"{self.tender.number} {self.provider.name}"

    def refusal_lines(self) -> list[str]:
        return [line for line in self.refusal_reason.splitlines() if line.strip()]

    @transition(field=status, source=[BidStatus.SUBMITTED, BidStatus.SCORED], target=BidStatus.SCORED)
    def score(self, *, scores, price_score, total, by, at):
        self.scores, self.price_score, self.total = scores, price_score, total
        self.scored_at, self.scored_by = at, by

    @transition(field=status, source=BidStatus.SCORED, target=BidStatus.WON)
    def win(self):
        pass

    @transition(field=status, source=BidStatus.SCORED, target=BidStatus.LOST)
    def lose(self):
        pass


# --- inspection plans ---------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    CURRENT = "current", _("执行中")
    SUPERSEDED = "superseded", _("已被替代")


class PlanMethod(models.TextChoices):
    SOLVER = "cpsat", _("CP-SAT 求解")
    GREEDY = "greedy", _("贪心基线")


class InspectionPlan(TimeStampedModel):
    """A contract's year inspection plan as solved, with the figures that judge it. Only a plan
    the independent checker passed is stored (violations is kept to show it: always 0)."""

    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("服务合同"), on_delete=models.CASCADE, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.CURRENT
    )
    method = models.CharField(_("方法"), max_length=16, choices=PlanMethod.choices, default=PlanMethod.SOLVER)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    solve_seconds = models.FloatField(_("求解用时（秒）"), default=0)
    objective = models.FloatField(_("目标值"), null=True, blank=True)
    spread = models.PositiveIntegerField(_("工作量极差（人次）"), null=True, blank=True)
    travel_km = models.FloatField(_("路程（公里）"), null=True, blank=True)
    lower_bound = models.FloatField(_("下界"), null=True, blank=True)
    greedy_objective = models.FloatField(_("贪心基线目标值"), null=True, blank=True)
    violations = models.PositiveIntegerField(_("约束违反（独立检查）"), default=0)
    changed_visits = models.PositiveIntegerField(_("最近一次重排改动的检查"), default=0)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编制人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查计划")
        verbose_name_plural = _("排查计划")
        ordering = ["-year", "contract__number", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "year"], condition=Q(status="current"), name="one_current_plan_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year}年排查计划"


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PlannedVisit(ConcurrentTransitionMixin, models.Model):
    """One visit of the plan: which enterprise, its n-th visit of the year, the day and team."""

    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("排查计划"), on_delete=models.CASCADE, related_name="visits"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="planned_visits"
    )
    index = models.PositiveSmallIntegerField(_("年度第几次"))  # 0-based
    month = models.PositiveSmallIntegerField(_("月份"), db_index=True)
    day = models.DateField(_("日期"), db_index=True)
    team = models.ManyToManyField(Expert, verbose_name=_("检查组"), related_name="planned_visits")
    status = FSMField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.PLANNED, protected=True
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划检查")
        verbose_name_plural = _("计划检查")
        ordering = ["plan", "day", "enterprise_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise", "index"], name="planned_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.day}"

    @transition(field=status, source=VisitStatus.PLANNED, target=VisitStatus.DONE)
    def done(self):
        pass


class PlanningJobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("求解中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("无可行方案")


class PlanningJob(models.Model):
    """A solve or re-plan run in the background; the page polls it. A failed job keeps the
    planner's diagnosis and no plan."""

    KINDS = [("solve", _("编制计划")), ("replan", _("专家不可用重排"))]
    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("服务合同"), on_delete=models.CASCADE, related_name="planning_jobs"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=16, choices=KINDS, default="solve")
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanningJobStatus.choices, default=PlanningJobStatus.PENDING
    )
    message = models.TextField(_("说明"), blank=True)
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("排查计划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划编制任务")
        verbose_name_plural = _("计划编制任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.year} {self.get_kind_display()}"

    @property
    def is_running(self) -> bool:
        return self.status in (PlanningJobStatus.PENDING, PlanningJobStatus.RUNNING)


class BreachKind(models.TextChoices):
    SHORT_TEAM = "short_team", _("检查组人数不符")
    MISSING_SPECIALTY = "missing_specialty", _("缺少专业人员")
    LATE_REPORT = "late_report", _("报告逾期")
    LATE_REINSPECTION = "late_reinspection", _("复查逾期")
    VISITS_SHORT = "visits_short", _("检查次数不足")


class ComplianceBreach(models.Model):
    """A way the provider fell short of its contract's standards, found by
    `compliance.record_compliance` from the inspection and hazard records.

    `key` names the subject within (contract, kind) — the inspection, the hazard's round or the
    enterprise and year — so re-running the check updates a breach instead of adding another.
    A breach no longer found (e.g. visits caught up) is kept with `resolved_at` set."""

    contract = models.ForeignKey(
        ServiceContract,
        verbose_name=_("服务合同"),
        on_delete=models.CASCADE,
        related_name="compliance_breaches",
    )
    kind = models.CharField(_("类别"), max_length=24, choices=BreachKind.choices, db_index=True)
    key = models.CharField(_("对象标识"), max_length=64)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="compliance_breaches",
    )
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("隐患"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="compliance_breaches",
    )
    expected = models.CharField(_("合同要求"), max_length=100)
    actual = models.CharField(_("实际"), max_length=100)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    detected_at = models.DateTimeField(_("发现时间"))
    resolved_at = models.DateTimeField(_("消除时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("履约偏差")
        verbose_name_plural = _("履约偏差")
        ordering = ["contract", "kind", "-detected_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "key"], name="compliance_breach_unique"),
        ]
        indexes = [models.Index(fields=["detected_at"], name="breach_detected")]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.get_kind_display()} {self.key}"


# --- 以奖代补 awards ----------------------------------------------------------------------------


class AwardFormula(models.Model):
    """One published version of a year's award formula (以奖代补): the pool and the weights of
    `rules.allocate_awards`, with the text the townships read. A change is a new version; the
    versions of a year are kept, and awards name the version they were computed with."""

    district = models.ForeignKey(
        Region, verbose_name=_("区县"), on_delete=models.PROTECT, related_name="award_formulas"
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    pool = models.DecimalField(_("奖补资金总额（元）"), max_digits=12, decimal_places=2)
    base_share = models.DecimalField(_("基础部分占比（%）"), max_digits=5, decimal_places=2)
    coverage_weight = models.DecimalField(_("覆盖率权重"), max_digits=5, decimal_places=2)
    closure_weight = models.DecimalField(_("销号率权重"), max_digits=5, decimal_places=2)
    punctuality_weight = models.DecimalField(_("按期整改率权重"), max_digits=5, decimal_places=2)
    note = models.TextField(_("说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("奖补办法")
        verbose_name_plural = _("奖补办法")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "version"], name="award_formula_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district.name}{self.year}年以奖代补办法（第{self.version}版）"

    def weights(self) -> rules.AwardWeights:
        return rules.AwardWeights(
            base_share=self.base_share,
            coverage_weight=self.coverage_weight,
            closure_weight=self.closure_weight,
            punctuality_weight=self.punctuality_weight,
        )

    @property
    def results_share(self):
        return 100 - self.base_share


class AwardStatus(models.TextChoices):
    DRAFT = "draft", _("测算稿")
    CONFIRMED = "confirmed", _("已确认")


class Award(ConcurrentTransitionMixin, models.Model):
    """A township's 以奖代补 award for a year, with every input behind the figure as computed by
    `awards.compute_awards`. A draft is replaced on each computation; a confirmed award is
    frozen."""

    formula = models.ForeignKey(
        AwardFormula, verbose_name=_("奖补办法"), on_delete=models.PROTECT, related_name="awards"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    township = models.ForeignKey(
        Region, verbose_name=_("乡镇（街道）"), on_delete=models.PROTECT, related_name="awards"
    )
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=AwardStatus.choices,
        default=AwardStatus.DRAFT,
        db_index=True,
        protected=True,
    )
    as_of = models.DateField(_("数据截至"))
    contracts = models.PositiveIntegerField(_("合同数"), default=0)
    spend = models.DecimalField(_("年度合同金额（元）"), max_digits=12, decimal_places=2, default=0)
    enterprises = models.PositiveIntegerField(_("合同服务企业"), default=0)
    inspected = models.PositiveIntegerField(_("年内已排查企业"), default=0)
    found = models.PositiveIntegerField(_("年内发现隐患"), default=0)
    closed = models.PositiveIntegerField(_("已销号"), default=0)
    overdue = models.PositiveIntegerField(_("逾期未整改"), default=0)
    coverage_rate = models.DecimalField(_("排查覆盖率（%）"), max_digits=6, decimal_places=2, default=0)
    closure_rate = models.DecimalField(_("销号率（%）"), max_digits=6, decimal_places=2, default=0)
    overdue_rate = models.DecimalField(_("逾期率（%）"), max_digits=6, decimal_places=2, default=0)
    score = models.DecimalField(_("绩效得分"), max_digits=6, decimal_places=2, default=0)
    base_amount = models.DecimalField(_("基础奖补（元）"), max_digits=12, decimal_places=2, default=0)
    results_amount = models.DecimalField(_("绩效奖补（元）"), max_digits=12, decimal_places=2, default=0)
    amount = models.DecimalField(_("奖补金额（元）"), max_digits=12, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("测算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("测算人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("以奖代补资金")
        verbose_name_plural = _("以奖代补资金")
        ordering = ["-year", "township__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="one_award_per_township_year"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="award_year_status")]

    def __str__(self) -> str:
        return f"{self.year}年{self.township.name}以奖代补"

    @transition(field=status, source=AwardStatus.DRAFT, target=AwardStatus.CONFIRMED)
    def confirm(self, *, by, at):
        """Frozen: the figure and its inputs no longer change."""
        self.confirmed_at, self.confirmed_by = at, by
