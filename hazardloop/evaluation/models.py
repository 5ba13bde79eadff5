"""Service-quality evaluation (服务质量评价): the configurable KPIs, ratings collected after each
visit, frozen scorecards per provider or contract and period, each contract's payment rule and
the payment adjustments applied from confirmed scorecards."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.core.workflows import permitted

from . import rules
from .choices import EnterpriseClass, KpiCode, PeriodKind, RatingKind, ScorecardStatus


class Kpi(models.Model):
    """One KPI as the bureau configures it: its weight in the total (weights add up to 100; 0
    leaves it out) and the two anchors of its linear score (rules.linear_score)."""

    code = models.CharField(_("指标"), max_length=16, choices=KpiCode.choices, unique=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("满分值"), max_digits=8, decimal_places=4)
    zero_at = models.DecimalField(_("零分值"), max_digits=8, decimal_places=4)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    description = models.CharField(_("计算方法"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=100), name="kpi_weight_0_100"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class FindingsExpectation(models.Model):
    """Findings a visit is expected to turn up at an enterprise of a class; the findings KPI
    compares the provider's findings with Σ visits × this figure."""

    enterprise_class = models.CharField(
        _("企业类别"), max_length=16, choices=EnterpriseClass.choices, unique=True
    )
    per_visit = models.DecimalField(_("每次预期发现隐患（项）"), max_digits=6, decimal_places=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患发现预期")
        verbose_name_plural = _("隐患发现预期")
        ordering = ["enterprise_class"]

    def __str__(self) -> str:
        return f"{self.get_enterprise_class_display()} {self.per_visit}"


class Rating(models.Model):
    """A rating of one submitted inspection visit, 1–5 with a comment: one by the enterprise
    (satisfaction) and one by the government side that accompanies visits (officer)."""

    inspection = models.ForeignKey(
        "inspections.Inspection", verbose_name=_("检查记录"), on_delete=models.CASCADE, related_name="ratings"
    )
    kind = models.CharField(_("评价类别"), max_length=16, choices=RatingKind.choices)
    score = models.PositiveSmallIntegerField(_("评分（1–5）"))
    comment = models.TextField(_("评价意见"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(_("评价时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-rated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind"], name="rating_once_per_kind"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_5"),
        ]
        indexes = [models.Index(fields=["kind", "rated_at"], name="rating_kind_rated")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.get_kind_display()} {self.score}"


class Scorecard(ConcurrentTransitionMixin, models.Model):
    """A provider's scorecard for a period: over one contract, or over all its contracts when
    `contract` is empty. A draft is replaced by recomputing; a confirmed one is frozen. The KPI
    rows keep the figures and the ids of the records behind them.

    `status` moves only through the steps declared below (draft → confirmed); each names who may
    take it (`evaluation/access.py`)."""

    provider = models.ForeignKey(
        "registry.Provider", verbose_name=_("服务机构"), on_delete=models.PROTECT, related_name="scorecards"
    )
    contract = models.ForeignKey(
        "procurement.ServiceContract",
        verbose_name=_("服务合同"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scorecards",
    )
    period_kind = models.CharField(_("考核周期"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("周期开始"), db_index=True)
    period_end = models.DateField(_("周期结束"))
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=ScorecardStatus.choices,
        default=ScorecardStatus.DRAFT,
        db_index=True,
        protected=True,
    )
    total = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("计算人"),
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
        verbose_name = _("服务质量考核表")
        verbose_name_plural = _("服务质量考核表")
        ordering = ["-period_start", "provider__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "contract", "period_kind", "period_start"],
                condition=Q(contract__isnull=False),
                name="scorecard_one_per_contract_period",
            ),
            models.UniqueConstraint(
                fields=["provider", "period_kind", "period_start"],
                condition=Q(contract__isnull=True),
                name="scorecard_one_per_provider_period",
            ),
        ]
        indexes = [models.Index(fields=["provider", "period_start"], name="scorecard_provider_period")]

    def __str__(self) -> str:
        return f"{self.provider} {self.period.label}"

    @property
    def period(self) -> rules.Period:
        return rules.Period.of(self.period_kind, self.period_start)

    @property
    def is_confirmed(self) -> bool:
        return self.status == ScorecardStatus.CONFIRMED

    # --- steps: own fields only; the services lock, validate, save and audit ----------------

    @transition(
        field=status,
        source=ScorecardStatus.DRAFT,
        target=None,
        permission=permitted("evaluation.may_manage"),
    )
    def recompute(self) -> None:
        """A draft is computed again from the records as they stand (the service writes it)."""

    @transition(
        field=status,
        source=ScorecardStatus.DRAFT,
        target=ScorecardStatus.CONFIRMED,
        permission=permitted("evaluation.may_manage"),
    )
    def confirm(self, *, at, by) -> None:
        self.confirmed_at = at
        self.confirmed_by = by

    @transition(
        field=status,
        source=ScorecardStatus.CONFIRMED,
        target=None,
        permission=permitted("evaluation.may_adjust_payment"),
    )
    def apply_payment(self) -> None:
        """Only a confirmed (frozen) scorecard may move money."""

    @property
    def subject(self) -> str:
        return self.contract.number if self.contract_id else str(_("全部合同"))


class ScorecardKpi(models.Model):
    """One KPI on a scorecard as computed: weight and anchors in force then, the raw value, its
    score, the counts behind it and (in `inputs`) the ids of the records counted."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(_("指标"), max_length=16, choices=KpiCode.choices)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("满分值"), max_digits=8, decimal_places=4)
    zero_at = models.DecimalField(_("零分值"), max_digits=8, decimal_places=4)
    value = models.DecimalField(_("指标值"), max_digits=10, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=12, decimal_places=2, default=0)
    denominator = models.DecimalField(_("分母"), max_digits=12, decimal_places=2, default=0)
    inputs = models.JSONField(_("计算依据"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核指标得分")
        verbose_name_plural = _("考核指标得分")
        ordering = ["scorecard", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "code"], name="scorecard_kpi_unique")]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.get_code_display()}"


class PaymentRule(models.Model):
    """How a contract's confirmed score adjusts its payments (rules.payment_share). A contract
    without a row pays by settings.EVALUATION_PAYMENT_RULE."""

    contract = models.OneToOneField(
        "procurement.ServiceContract",
        verbose_name=_("服务合同"),
        on_delete=models.CASCADE,
        related_name="payment_rule",
    )
    full_score = models.DecimalField(_("全额支付分数线"), max_digits=5, decimal_places=2)
    deduct_per_point = models.DecimalField(_("每低一分扣减（%）"), max_digits=5, decimal_places=2)
    floor_score = models.DecimalField(_("保底分数线"), max_digits=5, decimal_places=2)
    floor_share = models.DecimalField(_("低于保底线支付比例（%）"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核付款规则")
        verbose_name_plural = _("考核付款规则")

    def __str__(self) -> str:
        return f"{self.contract.number}"

    def as_rule(self) -> rules.PaymentRule:
        return rules.PaymentRule(
            full_score=self.full_score,
            deduct_per_point=self.deduct_per_point,
            floor_score=self.floor_score,
            floor_share=self.floor_share,
        )


class PaymentAdjustment(models.Model):
    """A milestone's payment adjusted by a confirmed scorecard: the score, the share paid, the
    amounts before and after, the rule used, who applied it and when. The milestone keeps the
    contract amount; this row says what is payable."""

    milestone = models.OneToOneField(
        "procurement.PaymentMilestone",
        verbose_name=_("付款节点"),
        on_delete=models.CASCADE,
        related_name="adjustment",
    )
    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("考核表"), on_delete=models.PROTECT, related_name="adjustments"
    )
    score = models.DecimalField(_("考核得分"), max_digits=5, decimal_places=2)
    share = models.DecimalField(_("支付比例（%）"), max_digits=5, decimal_places=2)
    original_amount = models.DecimalField(_("原金额（元）"), max_digits=12, decimal_places=2)
    adjusted_amount = models.DecimalField(_("考核后金额（元）"), max_digits=12, decimal_places=2)
    rule = models.JSONField(_("适用规则"), default=dict)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("调整时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核付款调整")
        verbose_name_plural = _("考核付款调整")
        ordering = ["-applied_at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone} {self.share}%"

    @property
    def deduction(self):
        return self.original_amount - self.adjusted_amount
