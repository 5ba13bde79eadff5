"""The money side of a contract: payment milestones and recording a payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event

from .. import rules
from ..models import (
    ContractStatus,
    MilestoneStatus,
    PaymentMilestone,
    ServiceContract,
)
from .common import (
    _fail,
    _locked_contract,
    _require,
)


@transaction.atomic
def add_payment_milestone(
    contract: ServiceContract,
    *,
    actor,
    name: str,
    due_date: dt.date,
    share: Decimal | None = None,
    amount: Decimal | None = None,
) -> PaymentMilestone:
    """Add a payment milestone, by share of the price (%) or by amount.

    Precondition: actor acts for the township; exactly one of share/amount; the milestones'
    amounts together do not exceed the contract price; the due date lies in the period or within
    a year after it. Effects: the milestone, an audit row."""
    contract = _locked_contract(contract)
    _require(actor, "procurement.manage_contract", contract, message=_("只能办理本乡镇街道的采购事项。"))
    name = (name or "").strip()
    if not name:
        _fail("name", _("请填写付款节点名称。"))
    if (share is None) == (amount is None):
        _fail("amount", _("请填写比例或金额之一。"))
    try:
        if share is not None:
            share = Decimal(share)
            if not Decimal(0) < share <= Decimal(100):
                _fail("share", _("比例应在 0–100 之间。"))
            amount = (contract.price * share / 100).quantize(Decimal("0.01"))
        amount = Decimal(amount)
    except InvalidOperation:
        _fail("amount", _("金额格式不正确。"))
    if amount <= 0:
        _fail("amount", _("金额必须大于 0。"))
    planned = sum(
        (m.amount for m in contract.milestones.exclude(status=MilestoneStatus.CANCELLED)), Decimal(0)
    )
    if planned + amount > contract.price:
        _fail(
            "amount",
            _("各付款节点合计 {total} 元将超过合同金额 {price} 元。").format(
                total=planned + amount, price=contract.price
            ),
        )
    if not contract.start_date <= due_date <= rules.years_later(contract.end_date, 1):
        _fail("due_date", _("应付日期应在服务期内或服务结束后一年内。"))
    milestone = PaymentMilestone.objects.create(
        contract=contract, name=name, due_date=due_date, share=share, amount=amount
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=milestone,
        data={"contract": contract.number, "name": name, "amount": str(amount), "due": due_date.isoformat()},
    )
    return milestone


@transaction.atomic
def record_payment(milestone: PaymentMilestone, *, actor, note: str = "", paid_at=None) -> PaymentMilestone:
    """Mark a milestone paid. Precondition: actor acts for the township; the milestone is pending
    and its contract in force. Effects: status paid, paid_at/by, an audit row."""
    milestone = (
        PaymentMilestone.objects.select_for_update().select_related("contract__township").get(pk=milestone.pk)
    )
    _require(
        actor, "procurement.manage_contract", milestone.contract, message=_("只能办理本乡镇街道的采购事项。")
    )
    if not can_proceed(milestone.pay):
        _fail(
            "status", _("该付款节点{status}，不能再登记支付。").format(status=milestone.get_status_display())
        )
    if milestone.contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
        _fail("status", _("合同尚未生效，不能支付。"))
    milestone.pay(by=actor, at=paid_at or timezone.now(), note=(note or "").strip()[:200])
    milestone.save()
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=milestone,
        data={"contract": milestone.contract.number, "event": "pay", "amount": str(milestone.amount)},
    )
    return milestone
