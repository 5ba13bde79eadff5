"""Enforcement records (处理) kept by member units: what was decided against an enterprise, on
which legal basis, and whether it was carried out. Written only by `services.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.models import TimeStampedModel
from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.core.workflows import permitted
from hazardloop.hazards.choices import LegalLevel

from . import rules
from .choices import ActionKind, ActionStatus


class EnforcementActionQuerySet(ScopedQuerySet):
    def penalties(self):
        return self.filter(kind__in=rules.PENALTY_KINDS)

    def in_force_or_fulfilled(self):
        return self.exclude(status=ActionStatus.REVOKED)

    def art113_relevant(self):
        """Standing administrative penalties tied to at least one major hazard (Art. 113 item 1)."""
        return (
            self.penalties()
            .in_force_or_fulfilled()
            .filter(
                pk__in=EnforcementAction.hazards.through.objects.filter(
                    hazard__legal_level=LegalLevel.MAJOR
                ).values("enforcementaction_id")
            )
        )


A = ActionStatus


class EnforcementAction(ConcurrentTransitionMixin, TimeStampedModel):
    """One enforcement decision or measure (责令整改, 罚款, 停产停业整顿 …) by one member unit
    against one enterprise, optionally tied to the hazards it deals with.

    `status` moves only through the steps declared below: in force → fulfilled, and either of
    them → revoked. Each step names who may take it (`enforcement.may_act`: the deciding unit or
    the district bureau)."""

    member_unit = models.ForeignKey(
        "registry.MemberUnit",
        verbose_name=_("执法单位"),
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
    )
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("关联隐患"), blank=True, related_name="enforcement_actions"
    )
    kind = models.CharField(_("处理类型"), max_length=32, choices=ActionKind.choices)
    facts = models.TextField(_("违法事实及处理内容"))
    legal_basis_law = models.CharField(_("法律法规"), max_length=200, blank=True)
    legal_basis_article = models.CharField(_("条"), max_length=32, blank=True)
    legal_basis_item = models.CharField(_("款项"), max_length=32, blank=True)
    legal_basis = models.TextField(_("依据说明"), blank=True)
    document_number = models.CharField(_("文书编号"), max_length=64)
    decided_on = models.DateField(_("决定日期"))
    deadline = models.DateField(_("履行期限"), null=True, blank=True)
    unit_fine_amount = models.DecimalField(
        _("单位罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    individual_fine_amount = models.DecimalField(
        _("个人罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    individual_name = models.CharField(_("被处罚人"), max_length=64, blank=True)
    daily_amount = models.DecimalField(
        _("按日处罚每日金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    daily_start = models.DateField(_("按日处罚起算日"), null=True, blank=True)
    status = FSMField(
        _("状态"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.IN_FORCE, protected=True
    )
    fulfilled_on = models.DateField(_("履行日期"), null=True, blank=True)
    fulfilment_note = models.TextField(_("履行情况"), blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
    )

    objects = EnforcementActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法处理记录")
        verbose_name_plural = _("执法处理记录")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "decided_on"], name="enf_enterprise_decided"),
            models.Index(fields=["kind", "decided_on"], name="enf_kind_decided"),
            models.Index(fields=["status"], name="enf_status"),
            models.Index(fields=["-decided_on", "-id"], name="enf_decided_desc"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member_unit", "document_number"], name="enf_unique_document_number"
            ),
            models.CheckConstraint(
                condition=Q(unit_fine_amount__isnull=True) | Q(unit_fine_amount__gte=0),
                name="enf_unit_fine_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(individual_fine_amount__isnull=True) | Q(individual_fine_amount__gte=0),
                name="enf_individual_fine_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(daily_amount__isnull=True) | Q(daily_amount__gte=0),
                name="enf_daily_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.FULFILLED) | Q(fulfilled_on__isnull=False),
                name="enf_fulfilled_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.REVOKED)
                | (Q(revoked_at__isnull=False) & ~Q(revoke_reason="")),
                name="enf_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_number} {self.get_kind_display()}"

    # --- steps: own fields only; the services lock, validate, save and audit ----------------

    @transition(
        field=status, source=A.IN_FORCE, target=A.FULFILLED, permission=permitted("enforcement.may_act")
    )
    def fulfil(self, *, on, note: str) -> None:
        self.fulfilled_on = on
        self.fulfilment_note = note

    @transition(
        field=status,
        source=[A.IN_FORCE, A.FULFILLED],
        target=A.REVOKED,
        permission=permitted("enforcement.may_act"),
    )
    def revoke(self, *, at, reason: str) -> None:
        self.revoked_at = at
        self.revoke_reason = reason

    # Ending a linked hazard's enforcement is the deciding unit's act in any state of the record:
    # a revoked decision leaves its hazards where they were, and concluding them stays a separate
    # decision (the hazard's own transition says whether it is under enforcement).
    @transition(field=status, source="*", target=None, permission=permitted("enforcement.may_act"))
    def conclude_hazard(self) -> None:
        pass

    @property
    def is_penalty(self) -> bool:
        return rules.is_penalty(self.kind)

    @property
    def legal_basis_display(self) -> str:
        parts = [self.legal_basis_law, self.legal_basis_article, self.legal_basis_item]
        return "".join(p for p in parts if p)
