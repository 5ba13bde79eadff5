"""Service contracts: record (signed or awarded as a draft), amend as a new version, publish
(财政部令第102号 Art. 23)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.registry.choices import ProviderStatus, RegionLevel
from hazardloop.registry.models import Enterprise, Provider, Region

from .. import rules
from ..models import (
    AMENDABLE_FIELDS,
    STANDARD_NUMBER_FIELDS,
    STANDARD_TEXT_FIELDS,
    ContractAmendment,
    ContractStatus,
    ServiceContract,
)
from .common import (
    ProcurementError,
    _fail,
    _locked_contract,
    _plain,
    _require,
    _term_problem,
)


@transaction.atomic
def record_service_contract(
    *,
    actor,
    number: str,
    title: str,
    township: Region,
    provider: Provider,
    start_date: dt.date,
    end_date: dt.date,
    price: Decimal | int,
    enterprises: Iterable[Enterprise],
    status: str = ContractStatus.ACTIVE,
    stable_service: bool = False,
    **standard,
) -> ServiceContract:
    """Record a signed (or, with status=draft, an awarded but not yet published) inspection-service
    contract and the enterprises it covers.

    Precondition: `township` is a township or street office (the purchasing entity) and the
    actor acts for it; the provider is in good standing; every covered enterprise lies in that
    township; the period is ordered and within the term limit (one year, three for a stable
    service: 财政部令第102号 Art. 24, PROCUREMENT_TERM_YEARS); the price is not negative;
    `standard` holds only contract-standard fields (team sizes, visits, time limits, Art. 23 text).
    Effects: the contract, its enterprises, an audit row. Raises ProcurementError (nothing
    written) or ProcurementPermissionDenied.
    """
    _require(actor, "procurement.acts_for_township", township, message=_("只能办理本乡镇街道的采购事项。"))
    covered = list(enterprises)
    errors: dict[str, list[str]] = {}
    unknown = set(standard) - set(STANDARD_NUMBER_FIELDS) - set(STANDARD_TEXT_FIELDS) - {"professional_staff"}
    if unknown:
        raise TypeError(f"not contract-standard fields: {sorted(unknown)}")
    if township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("购买主体必须是乡镇或街道。"))
    if status not in (ContractStatus.DRAFT, ContractStatus.ACTIVE):
        # A contract starts awarded (draft) or signed (active); later states are reached by moves.
        raise ValueError(f"a contract is recorded as draft or active, not {status!r}")
    if provider.status != ProviderStatus.ACTIVE:
        errors.setdefault("provider", []).append(_("该服务机构当前不能承接服务。"))
    problem = _term_problem(start_date, end_date, stable_service)
    if problem:
        errors.setdefault("end_date", []).append(problem)
    if Decimal(price) < 0:
        errors.setdefault("price", []).append(_("合同金额不能为负数。"))
    outside = [e.name for e in covered if e.township_id != township.pk]
    if outside:
        errors.setdefault("enterprises", []).append(
            _("以下企业不在购买主体辖区内：{names}").format(names="、".join(outside[:5]))
        )
    contract = ServiceContract(
        number=number,
        title=title,
        township=township,
        provider=provider,
        start_date=start_date,
        end_date=end_date,
        price=Decimal(price),
        status=status,
        stable_service=stable_service,
        **standard,
    )
    for field, message in rules.standard_problems(contract).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ProcurementError(errors)
    contract.full_clean(exclude=["status"])  # protected FSMField: full_clean would set it again
    contract.save()
    contract.enterprises.set(covered)
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=contract,
        data={"number": number, "provider": provider.name, "price": str(price), "enterprises": len(covered)},
    )
    return contract


@transaction.atomic
def amend_contract(
    contract: ServiceContract, *, actor, reason: str, changes: Mapping[str, object]
) -> ContractAmendment:
    """Change a contract's terms as a new version.

    Precondition: the actor acts for the purchasing township; the contract is not terminated or
    completed; `changes` names only AMENDABLE_FIELDS; at least one value differs; a reason is
    given; the result still meets the term limit and the standard rules.
    Effects: the contract's fields and version (+1), a ContractAmendment with the JSON diff
    (field → old/new), an audit row. Raises ProcurementError / ProcurementPermissionDenied.
    """
    contract = _locked_contract(contract)
    _require(actor, "procurement.manage_contract", contract, message=_("只能办理本乡镇街道的采购事项。"))
    if not can_proceed(contract.amend):
        _fail("status", _("合同已{status}，不能再变更。").format(status=contract.get_status_display()))
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写变更理由。"))
    bad = set(changes) - set(AMENDABLE_FIELDS)
    if bad:
        _fail("changes", _("以下内容不能通过变更修改：{fields}").format(fields="、".join(sorted(bad))))
    diff = {}
    for field, new in changes.items():
        model_field = ServiceContract._meta.get_field(field)
        try:
            new = model_field.to_python(new)
        except ValidationError as exc:
            _fail(field, f"{model_field.verbose_name}：{'；'.join(exc.messages)}")
        old = getattr(contract, field)
        if old != new:
            diff[field] = {"old": _plain(old), "new": _plain(new)}
            setattr(contract, field, new)
    if not diff:
        _fail("changes", _("没有修改任何内容。"))
    errors: dict[str, list[str]] = {}
    problem = _term_problem(contract.start_date, contract.end_date, contract.stable_service)
    if problem:
        errors.setdefault("end_date", []).append(problem)
    if contract.price < 0:
        errors.setdefault("price", []).append(_("合同金额不能为负数。"))
    for field, message in rules.standard_problems(contract).items():
        errors.setdefault(field, []).append(message)
    if errors:
        raise ProcurementError(errors)
    contract.amend()
    contract.full_clean(exclude=["status"])  # protected FSMField: full_clean would set it again
    contract.save()
    amendment = ContractAmendment.objects.create(
        contract=contract, version=contract.version, changes=diff, reason=reason, actor=actor
    )
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=contract,
        data={"number": contract.number, "version": contract.version, "changes": diff, "reason": reason},
    )
    return amendment


@transaction.atomic
def publish_contract(contract: ServiceContract, *, actor) -> ServiceContract:
    """Publish the contract (财政部令第102号 Art. 23: the contract is made public).

    Precondition: the actor acts for the purchasing township; not yet published; not terminated;
    the Art. 23 content is filled in (content, quality, settlement, rights and duties, breach
    liability). Effects: published_at/by; a draft becomes active (signed); an audit row.
    """
    contract = _locked_contract(contract)
    _require(actor, "procurement.manage_contract", contract, message=_("只能办理本乡镇街道的采购事项。"))
    if contract.published_at is not None:
        _fail(
            "status",
            _("合同已于 {when:%Y-%m-%d} 公开。").format(when=timezone.localtime(contract.published_at)),
        )
    if not can_proceed(contract.publish):
        _fail("status", _("已终止的合同不能公开。"))
    missing = [
        str(ServiceContract._meta.get_field(f).verbose_name)
        for f in (
            "content",
            "quality_requirements",
            "settlement_method",
            "rights_and_duties",
            "breach_liability",
        )
        if not getattr(contract, f).strip()
    ]
    if missing:
        _fail(
            "content",
            _("公开前须载明：{fields}（财政部令第102号第二十三条）。").format(fields="、".join(missing)),
        )
    before = contract.status
    contract.publish(by=actor, at=timezone.now())
    contract.save(update_fields=["published_at", "published_by", "status", "updated_at"])
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=contract,
        data={"number": contract.number, "event": "publish", "from": before, "to": contract.status},
    )
    return contract
