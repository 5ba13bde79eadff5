"""Service contracts between a township (购买主体) and a provider (承接主体).

The foundation keeps only what scoping needs — which provider serves which enterprises and when;
the procurement issue adds tenders, bids, standards, milestones and amendments around it."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hazardloop.core.models import TimeStampedModel
from hazardloop.registry.models import Enterprise, Provider, Region, ScopedQuerySet


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("履行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


class ServiceContractQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED])


class ServiceContract(TimeStampedModel):
    """A hazard-inspection service contract; its enterprises are what the provider may see."""

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
    status = models.CharField(
        _("状态"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("服务企业"), related_name="contracts", blank=True
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
