"""The only writers of procurement state: contracts (record, amend, publish, pay), tenders and
bids (create, publish, bid, close, score, award, cancel) and inspection plans (solve, re-plan,
mark visits done).

Every function is atomic, locks the rows it changes, writes an audit row beside the change and
raises ProcurementError (a Chinese message per field, nothing written) for bad input or
ProcurementPermissionDenied when the actor may not act for the purchasing township or provider.
`actor=None` is the system (demo data, migrations, background tasks acting for a user).

Settings (all optional):
- PROCUREMENT_TERM_YEARS = {"normal": 1, "stable": 3} — 财政部令第102号 Art. 24;
- PROCUREMENT_ENTRY_CONDITIONS = {"min_qualified_engineers": 5, "min_office_area_m2": 100,
  "violation_free_years": 3} — domain.md §3.2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts.choices import Role
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.registry.choices import ProviderStatus, RegionLevel
from hazardloop.registry.models import Enterprise, Provider, Region

from . import rules
from .models import (
    AMENDABLE_FIELDS,
    STANDARD_NUMBER_FIELDS,
    STANDARD_TEXT_FIELDS,
    Bid,
    BidStatus,
    ContractAmendment,
    ContractStatus,
    InspectionPlan,
    MilestoneStatus,
    PaymentMilestone,
    PlanMethod,
    PlannedVisit,
    PlanningJob,
    PlanningJobStatus,
    PlanStatus,
    ServiceContract,
    Tender,
    TenderCriterion,
    TenderStatus,
    VisitStatus,
)


class ProcurementError(ValidationError):
    """Bad input for a procurement service; `message_dict` maps fields to Chinese messages."""

    @property
    def text(self) -> str:
        return "；".join(m for msgs in self.message_dict.values() for m in msgs)


class ProcurementPermissionDenied(PermissionError):
    pass


def _fail(field: str, message: str):
    raise ProcurementError({field: [message]})


def _acts_for_township(actor, township: Region) -> bool:
    # The township that buys (购买主体) acts; the district bureau and the administrator may act
    # on its behalf. None is the system.
    if actor is None or actor.role in {Role.ADMIN, Role.BUREAU}:
        return True
    return actor.role == Role.TOWNSHIP and actor.region_id == township.pk


def _check_actor(actor, township: Region) -> None:
    if not _acts_for_township(actor, township):
        raise ProcurementPermissionDenied(_("只能办理本乡镇街道的采购事项。"))


def term_years() -> tuple[int, int]:
    value = getattr(settings, "PROCUREMENT_TERM_YEARS", None) or {}
    return int(value.get("normal", 1)), int(value.get("stable", 3))


def entry_conditions() -> rules.EntryConditions:
    return rules.EntryConditions.from_setting(getattr(settings, "PROCUREMENT_ENTRY_CONDITIONS", None))


def _term_problem(start, end, stable) -> str | None:
    normal, longest = term_years()
    return rules.term_problem(start, end, stable=stable, normal_years=normal, stable_years=longest)


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- contracts ----------------------------------------------------------------------------------


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
    _check_actor(actor, township)
    covered = list(enterprises)
    errors: dict[str, list[str]] = {}
    unknown = set(standard) - set(STANDARD_NUMBER_FIELDS) - set(STANDARD_TEXT_FIELDS) - {"professional_staff"}
    if unknown:
        raise TypeError(f"not contract-standard fields: {sorted(unknown)}")
    if township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("购买主体必须是乡镇或街道。"))
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
    contract.full_clean()
    contract.save()
    contract.enterprises.set(covered)
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=contract,
        data={"number": number, "provider": provider.name, "price": str(price), "enterprises": len(covered)},
    )
    return contract


def _locked_contract(contract: ServiceContract) -> ServiceContract:
    return (
        ServiceContract.objects.select_for_update().select_related("township", "provider").get(pk=contract.pk)
    )


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
    _check_actor(actor, contract.township)
    if contract.status in (ContractStatus.TERMINATED, ContractStatus.COMPLETED):
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
    contract.version += 1
    contract.full_clean()
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
    _check_actor(actor, contract.township)
    if contract.published_at is not None:
        _fail(
            "status",
            _("合同已于 {when:%Y-%m-%d} 公开。").format(when=timezone.localtime(contract.published_at)),
        )
    if contract.status == ContractStatus.TERMINATED:
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
    contract.published_at = timezone.now()
    contract.published_by = actor
    if contract.status == ContractStatus.DRAFT:
        contract.status = ContractStatus.ACTIVE
    contract.save(update_fields=["published_at", "published_by", "status", "updated_at"])
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=contract,
        data={"number": contract.number, "event": "publish", "from": before, "to": contract.status},
    )
    return contract


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
    _check_actor(actor, contract.township)
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
    _check_actor(actor, milestone.contract.township)
    if milestone.status != MilestoneStatus.PENDING:
        _fail(
            "status", _("该付款节点{status}，不能再登记支付。").format(status=milestone.get_status_display())
        )
    if milestone.contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
        _fail("status", _("合同尚未生效，不能支付。"))
    milestone.status = MilestoneStatus.PAID
    milestone.paid_at = paid_at or timezone.now()
    milestone.paid_by = actor
    milestone.note = (note or "").strip()[:200]
    milestone.save()
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=milestone,
        data={"contract": milestone.contract.number, "event": "pay", "amount": str(milestone.amount)},
    )
    return milestone


# --- tenders and bids ---------------------------------------------------------------------------

DEFAULT_CRITERIA = (
    ("price", _("投标报价"), Decimal(30)),
    ("technical", _("技术方案（排查方案、质量保证、报告）"), Decimal(40)),
    ("technical", _("人员与装备（专职工程师、检测装备）"), Decimal(30)),
)


@transaction.atomic
def create_tender(
    *,
    actor,
    number: str,
    title: str,
    township: Region,
    enterprises: Iterable[Enterprise],
    budget: Decimal | int,
    requirements: str,
    service_start: dt.date,
    service_end: dt.date,
    closing_date: dt.date,
    stable_service: bool = False,
    criteria: Iterable[tuple[str, str, Decimal]] | None = None,
    standards: Mapping[str, object] | None = None,
) -> Tender:
    """Draft a tender (招标) for inspection services over enterprises of one township.

    Precondition: actor acts for the township; enterprises lie in it (at least one); budget > 0;
    the service period meets the term limit; criteria (kind, name, weight) have weights adding to
    100 with exactly one price criterion (defaults: DEFAULT_CRITERIA); `standards` holds only
    contract-standard fields and passes the standard rules. Effects: the tender (draft), its
    criteria, an audit row."""
    _check_actor(actor, township)
    covered = list(enterprises)
    errors: dict[str, list[str]] = {}
    if township.level != RegionLevel.TOWNSHIP:
        errors.setdefault("township", []).append(_("购买主体必须是乡镇或街道。"))
    if not (number or "").strip():
        errors.setdefault("number", []).append(_("请填写招标编号。"))
    elif Tender.objects.filter(number=number.strip()).exists():
        errors.setdefault("number", []).append(_("招标编号已存在。"))
    if not (title or "").strip():
        errors.setdefault("title", []).append(_("请填写项目名称。"))
    if not covered:
        errors.setdefault("enterprises", []).append(_("请至少选择一家服务企业。"))
    outside = [e.name for e in covered if e.township_id != township.pk]
    if outside:
        errors.setdefault("enterprises", []).append(
            _("以下企业不在购买主体辖区内：{names}").format(names="、".join(outside[:5]))
        )
    if Decimal(budget) <= 0:
        errors.setdefault("budget", []).append(_("预算金额必须大于 0。"))
    problem = _term_problem(service_start, service_end, stable_service)
    if problem:
        errors.setdefault("service_end", []).append(problem)
    criteria = [(k, str(n), Decimal(w)) for k, n, w in (criteria or DEFAULT_CRITERIA)]
    weight_problem = rules.weights_problem(w for _k, _n, w in criteria)
    if weight_problem:
        errors.setdefault("criteria", []).append(weight_problem)
    if sum(1 for k, _n, _w in criteria if k == "price") != 1:
        errors.setdefault("criteria", []).append(_("评分标准须有且仅有一项价格分。"))
    standards = dict(standards or {})
    bad = set(standards) - set(STANDARD_NUMBER_FIELDS) - set(STANDARD_TEXT_FIELDS) - {"professional_staff"}
    if bad:
        errors.setdefault("standards", []).append(_("未知的服务标准项：{f}").format(f="、".join(sorted(bad))))
    else:
        probe = ServiceContract(**standards)
        for field, message in rules.standard_problems(probe).items():
            errors.setdefault(field, []).append(message)
    if errors:
        raise ProcurementError(errors)
    tender = Tender.objects.create(
        number=number.strip(),
        title=title.strip(),
        township=township,
        budget=Decimal(budget),
        requirements=requirements or "",
        service_start=service_start,
        service_end=service_end,
        closing_date=closing_date,
        stable_service=stable_service,
        standards={k: _plain(v) for k, v in standards.items()},
        created_by=actor,
    )
    tender.enterprises.set(covered)
    for order, (kind, name, weight) in enumerate(criteria):
        TenderCriterion.objects.create(tender=tender, kind=kind, name=name, weight=weight, order=order)
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=tender,
        data={
            "number": tender.number,
            "township": township.name,
            "budget": str(budget),
            "enterprises": len(covered),
        },
    )
    return tender


def _locked_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().select_related("township").get(pk=tender.pk)


def _transition(tender: Tender, *, actor, to: str, event: str, allowed_from: set[str], **fields) -> Tender:
    if tender.status not in allowed_from:
        _fail(
            "status",
            _("招标当前为“{status}”，不能{action}。").format(
                status=tender.get_status_display(), action=event
            ),
        )
    before = tender.status
    tender.status = to
    for name, value in fields.items():
        setattr(tender, name, value)
    tender.save()
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=tender,
        data={"number": tender.number, "event": event, "from": before, "to": to},
    )
    return tender


@transaction.atomic
def publish_tender(tender: Tender, *, actor, today: dt.date | None = None) -> Tender:
    """Publish a draft tender. Precondition: actor acts for the township; draft; the closing date
    is after today. Effects: status published, published_at/by, an audit row."""
    tender = _locked_tender(tender)
    _check_actor(actor, tender.township)
    today = today or timezone.localdate()
    if tender.status == TenderStatus.DRAFT and tender.closing_date <= today:
        _fail("closing_date", _("投标截止日期须晚于今天。"))
    return _transition(
        tender,
        actor=actor,
        to=TenderStatus.PUBLISHED,
        event=_("发布"),
        allowed_from={TenderStatus.DRAFT},
        published_at=timezone.now(),
        published_by=actor,
    )


def provider_facts(provider: Provider) -> rules.ProviderFacts:
    engineers = tuple(
        rules.EngineerFacts(
            full_time=x.full_time,
            active=x.active,
            title=x.title,
            certificates=tuple((c.kind, c.expires) for c in x.certificates.all()),
        )
        for x in provider.experts.prefetch_related("certificates").order_by("pk")
    )
    return rules.ProviderFacts(
        name=provider.name,
        active=provider.status == ProviderStatus.ACTIVE,
        office_area_m2=provider.office_area_m2 or 0,
        major_violation_date=provider.major_violation_date,
        engineers=engineers,
    )


def check_entry_conditions(provider: Provider, *, on: dt.date | None = None) -> list[str]:
    """The entry conditions (domain.md §3.2, PROCUREMENT_ENTRY_CONDITIONS) the provider fails."""
    return rules.entry_condition_failures(
        provider_facts(provider), entry_conditions(), on or timezone.localdate()
    )


@transaction.atomic
def submit_bid(
    tender: Tender,
    *,
    actor,
    provider: Provider,
    price: Decimal | int | str,
    technical_summary: str,
    today: dt.date | None = None,
) -> Bid:
    """A provider's bid on a published tender.

    Precondition: the actor is the provider's own user (or the system/administrator); the tender
    is published and not past its closing date; the provider has not bid already; price > 0 and
    not above the budget; a technical summary is given. A provider failing the entry conditions
    is refused: the bid is stored with status refused and the reasons (so the refusal is on
    record with who and when) and the caller reads `bid.refusal_reason`.
    Effects: the bid, an audit row."""
    tender = _locked_tender(tender)
    if (
        actor is not None
        and actor.role != Role.ADMIN
        and not (actor.role == Role.PROVIDER and actor.provider_id == provider.pk)
    ):
        raise ProcurementPermissionDenied(_("只能以本机构名义投标。"))
    today = today or timezone.localdate()
    if tender.status != TenderStatus.PUBLISHED:
        _fail("status", _("招标当前为“{status}”，不接受投标。").format(status=tender.get_status_display()))
    if today > tender.closing_date:
        _fail("status", _("投标已于 {day:%Y-%m-%d} 截止。").format(day=tender.closing_date))
    if tender.bids.filter(provider=provider).exists():
        _fail("provider", _("本机构已对该项目投标。"))
    try:
        price = Decimal(str(price).replace(",", "").strip())
    except InvalidOperation:
        _fail("price", _("报价格式不正确。"))
    if price <= 0:
        _fail("price", _("报价必须大于 0。"))
    if price > tender.budget:
        _fail("price", _("报价 {price} 元超过预算 {budget} 元。").format(price=price, budget=tender.budget))
    summary = (technical_summary or "").strip()
    if not summary:
        _fail("technical_summary", _("请填写技术方案摘要。"))
    failures = check_entry_conditions(provider, on=today)
    bid = Bid.objects.create(
        tender=tender,
        provider=provider,
        price=price,
        technical_summary=summary,
        submitted_by=actor,
        status=BidStatus.REFUSED if failures else BidStatus.SUBMITTED,
        refusal_reason="\n".join(failures),
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=bid,
        data={
            "tender": tender.number,
            "provider": provider.name,
            "price": str(price),
            "status": bid.status,
            "refused": failures,
        },
    )
    return bid


@transaction.atomic
def close_tender(tender: Tender, *, actor) -> Tender:
    """Close bidding. Precondition: actor acts for the township; published. Effects: status
    closed, closed_at, an audit row."""
    tender = _locked_tender(tender)
    _check_actor(actor, tender.township)
    return _transition(
        tender,
        actor=actor,
        to=TenderStatus.CLOSED,
        event=_("截止"),
        allowed_from={TenderStatus.PUBLISHED},
        closed_at=timezone.now(),
    )


@transaction.atomic
def score_bids(tender: Tender, *, actor, scores: Mapping[int, Mapping[int, object]]) -> list[Bid]:
    """Score the valid bids of a closed tender (综合评分法, see rules).

    `scores` maps bid id → {technical criterion id → score 0–100}; every valid bid needs a score
    for every technical criterion. The price criterion is computed from the prices.
    Precondition: actor acts for the township; tender closed; at least one valid bid.
    Effects: each valid bid's scores, price score, total, scored_at/by and status scored; an audit
    row. Returns the valid bids ranked by total (then price)."""
    tender = _locked_tender(tender)
    _check_actor(actor, tender.township)
    if tender.status != TenderStatus.CLOSED:
        _fail("status", _("投标截止后才能评分。"))
    criteria = list(tender.criteria.all())
    technical = [c for c in criteria if c.kind == "technical"]
    price_criterion = next(c for c in criteria if c.kind == "price")
    bids = list(tender.bids.select_for_update().exclude(status=BidStatus.REFUSED))
    if not bids:
        _fail("bids", _("没有有效投标，无法评分。"))
    prices = rules.price_scores({b.pk: b.price for b in bids})
    errors: dict[str, list[str]] = {}
    parsed: dict[int, dict[int, Decimal]] = {}
    for bid in bids:
        given = {int(k): v for k, v in (scores.get(bid.pk) or scores.get(str(bid.pk)) or {}).items()}
        parsed[bid.pk] = {}
        for c in technical:
            try:
                value = Decimal(str(given.get(c.pk, "")).strip())
            except InvalidOperation:
                errors.setdefault(f"bid_{bid.pk}", []).append(
                    _("{provider}：请为“{name}”打分。").format(provider=bid.provider.name, name=c.name)
                )
                continue
            if not Decimal(0) <= value <= Decimal(100):
                errors.setdefault(f"bid_{bid.pk}", []).append(
                    _("{provider}：“{name}”的分数应在 0–100 之间。").format(
                        provider=bid.provider.name, name=c.name
                    )
                )
            parsed[bid.pk][c.pk] = value
    if errors:
        raise ProcurementError(errors)
    now = timezone.now()
    for bid in bids:
        per = {str(c.pk): str(parsed[bid.pk][c.pk]) for c in technical}
        per[str(price_criterion.pk)] = str(prices[bid.pk])
        bid.scores = per
        bid.price_score = prices[bid.pk]
        bid.total = rules.weighted_total(
            [(price_criterion.weight, prices[bid.pk])] + [(c.weight, parsed[bid.pk][c.pk]) for c in technical]
        )
        bid.status = BidStatus.SCORED
        bid.scored_at, bid.scored_by = now, actor
        bid.save()
    ranked = sorted(bids, key=lambda b: (-b.total, b.price, b.pk))
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=tender,
        data={
            "number": tender.number,
            "event": "score",
            "totals": {b.provider.name: str(b.total) for b in ranked},
        },
    )
    return ranked


@transaction.atomic
def award_tender(tender: Tender, bid: Bid, *, actor, contract_number: str | None = None) -> ServiceContract:
    """Award the tender to a scored bid and make the contract (a draft, to be published).

    Precondition: actor acts for the township; the tender is closed and every valid bid scored;
    the bid belongs to it and is scored (not refused). The winner is normally the highest total;
    another bid may be chosen (the audit row records the ranking).
    Effects: the bid won and the others lost; the contract via record_service_contract with the
    tender's township, enterprises, period and standards, the bid's provider and price; tender
    awarded with awarded_at/by and the contract; an audit row."""
    tender = _locked_tender(tender)
    _check_actor(actor, tender.township)
    if tender.status != TenderStatus.CLOSED:
        _fail("status", _("招标当前为“{status}”，不能定标。").format(status=tender.get_status_display()))
    bid = Bid.objects.select_for_update().select_related("provider").get(pk=bid.pk)
    if bid.tender_id != tender.pk:
        _fail("bid", _("该投标不属于本项目。"))
    if bid.status == BidStatus.REFUSED:
        _fail("bid", _("该投标未通过资格审查，不能中标。"))
    valid = list(tender.bids.exclude(status=BidStatus.REFUSED))
    if any(b.status != BidStatus.SCORED for b in valid):
        _fail("bid", _("尚有投标未评分。"))
    contract = record_service_contract(
        actor=actor,
        number=contract_number or f"{tender.number}-HT",
        title=tender.title,
        township=tender.township,
        provider=bid.provider,
        start_date=tender.service_start,
        end_date=tender.service_end,
        price=bid.price,
        enterprises=tender.enterprises.all(),
        status=ContractStatus.DRAFT,
        stable_service=tender.stable_service,
        **tender.standards,
    )
    for other in valid:
        other.status = BidStatus.WON if other.pk == bid.pk else BidStatus.LOST
        other.save(update_fields=["status"])
    _transition(
        tender,
        actor=actor,
        to=TenderStatus.AWARDED,
        event=_("定标"),
        allowed_from={TenderStatus.CLOSED},
        awarded_at=timezone.now(),
        awarded_by=actor,
        awarded_bid=bid,
        contract=contract,
    )
    return contract


@transaction.atomic
def cancel_tender(tender: Tender, *, actor, reason: str) -> Tender:
    """Cancel a tender that is not awarded. Precondition: actor acts for the township; a reason.
    Effects: status cancelled, the reason, an audit row."""
    tender = _locked_tender(tender)
    _check_actor(actor, tender.township)
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写废标/取消理由。"))
    return _transition(
        tender,
        actor=actor,
        to=TenderStatus.CANCELLED,
        event=_("取消"),
        allowed_from={TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.CLOSED},
        cancel_reason=reason,
    )


# --- inspection plans ---------------------------------------------------------------------------


class PlanningInfeasible(ProcurementError):
    """The planner proved the standard cannot be met; `text` names the failing constraint and by
    how much (inspections.planning.diagnostics). Nothing is stored."""


def _check_plan_actor(actor, contract: ServiceContract) -> None:
    if actor is None or actor.role in {Role.ADMIN, Role.BUREAU}:
        return
    if actor.role == Role.TOWNSHIP and actor.region_id == contract.township_id:
        return
    if actor.role == Role.PROVIDER and actor.provider_id == contract.provider_id:
        return
    raise ProcurementPermissionDenied(_("只能为本乡镇街道或本机构的合同编制计划。"))


def working_days(year: int) -> list[dt.date]:
    """The State Council's working days (chinese_calendar), Mon–Fri for years it does not know."""
    from hazardloop.inspections.planning.adapter import chinese_working_days
    from hazardloop.inspections.planning.model import weekdays

    try:
        return chinese_working_days(year)
    except NotImplementedError:
        return weekdays(year)


def solver_seconds_per_month() -> float:
    return float(getattr(settings, "PROCUREMENT_SOLVER_SECONDS_PER_MONTH", 5.0))


def plan_size(contract: ServiceContract) -> int:
    """Visits a year under the contract: what decides whether a solve runs inline."""
    return sum(contract.visits_required(e) for e in contract.enterprises.all())


def _plan_problem(contract: ServiceContract, year: int, extra_expert_ids=frozenset()):
    from hazardloop.inspections.planning.adapter import problem_from_contract

    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED, ContractStatus.DRAFT):
        _fail("contract", _("合同已终止，不能编制计划。"))
    if not contract.start_date.year <= year <= contract.end_date.year:
        _fail("year", _("{year} 年不在合同服务期内。").format(year=year))
    return problem_from_contract(
        contract, year, working_days=working_days(year), extra_expert_ids=frozenset(extra_expert_ids)
    )


def _judge(problem, plan) -> dict:
    """Figures a stored plan carries: the independent checker's verdict and travel, objective,
    lower bound and the greedy baseline's objective."""
    from hazardloop.inspections.planning import checker
    from hazardloop.inspections.planning.greedy import greedy_plan
    from hazardloop.inspections.planning.model import lower_bound, objective

    violations = checker.check(problem, plan)
    if violations:
        # Never store a plan the checker rejects: that is a planner bug, not the user's data.
        _fail(
            "plan",
            _("内部错误：方案有 {n} 处违反约束，未予保存（{first}）").format(
                n=len(violations), first=violations[0].message
            ),
        )
    got = objective(problem, plan)
    greedy = greedy_plan(problem) if not problem.fixed else None
    return {
        "objective": got["total"],
        "spread": got["spread"],
        # The checker's own measure of the same kilometres (great-circle), not the solver's.
        "travel_km": checker.travel_km(problem, plan),
        "lower_bound": lower_bound(problem)["total"],
        "greedy_objective": objective(problem, greedy)["total"] if greedy is not None else None,
        "violations": 0,
    }


def solve_contract_plan(
    contract: ServiceContract,
    year: int,
    *,
    actor,
    method: str = PlanMethod.SOLVER,
    seconds_per_month: float | None = None,
) -> InspectionPlan:
    """Plan the contract's year: every covered enterprise's visits spread over the year, teams of
    the contract's size with a specialist, no conflicted expert, capacities kept, workload
    balanced (inspections.planning; `method` greedy stores the baseline instead — faster, used
    where the solver would take long).

    Precondition: actor acts for the township or is the contract's provider; the contract is not
    terminated; the year lies in its period. Solving runs outside any transaction; the result is
    stored atomically. Effects: a new current InspectionPlan with its visits and figures (the
    previous current plan of that year becomes superseded), an audit row.
    Raises PlanningInfeasible with the planner's diagnosis (nothing stored)."""
    import time

    from hazardloop.inspections.planning import diagnostics, solver
    from hazardloop.inspections.planning.greedy import greedy_plan

    _check_plan_actor(actor, contract)
    problem = _plan_problem(contract, year)
    started = time.perf_counter()
    if method == PlanMethod.GREEDY:
        found = diagnostics.precheck(problem)
        plan = None if found else greedy_plan(problem)
        if plan is None:
            messages = [d.message for d in found] or [_("贪心基线未能排出方案，请改用求解器。")]
            raise PlanningInfeasible({"plan": messages})
    else:
        result = solver.solve(
            problem, seconds_per_month=seconds_per_month or solver_seconds_per_month(), workers=2
        )
        if result.status != "ok":
            raise PlanningInfeasible({"plan": [d.message for d in result.diagnostics]})
        plan = result.plan
    seconds = round(time.perf_counter() - started, 2)
    figures = _judge(problem, plan)
    return _store_plan(contract, year, plan, actor=actor, method=method, seconds=seconds, figures=figures)


@transaction.atomic
def _store_plan(contract, year, plan, *, actor, method, seconds, figures) -> InspectionPlan:
    contract = _locked_contract(contract)
    previous = InspectionPlan.objects.select_for_update().filter(
        contract=contract, year=year, status=PlanStatus.CURRENT
    )
    superseded = list(previous.values_list("pk", flat=True))
    previous.update(status=PlanStatus.SUPERSEDED)
    stored = InspectionPlan.objects.create(
        contract=contract, year=year, method=method, solve_seconds=seconds, created_by=actor, **figures
    )
    rows = PlannedVisit.objects.bulk_create(
        PlannedVisit(plan=stored, enterprise_id=v.enterprise_id, index=v.index, month=v.day.month, day=v.day)
        for v in plan.visits
    )
    through = PlannedVisit.team.through
    through.objects.bulk_create(
        through(plannedvisit_id=row.pk, expert_id=m)
        for row, v in zip(rows, plan.visits, strict=True)
        for m in v.team
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=stored,
        data={
            "contract": contract.number,
            "year": year,
            "method": method,
            "visits": len(rows),
            "objective": figures["objective"],
            "superseded": superseded,
        },
    )
    return stored


def _visit_of(row: PlannedVisit, *, completed: bool):
    from hazardloop.inspections.planning.model import Visit

    return Visit(
        row.enterprise_id, row.index, row.day, tuple(sorted(m.pk for m in row.team.all())), completed
    )


def replan_for_unavailable_expert(
    plan: InspectionPlan, expert, from_date: dt.date, *, actor, seconds_per_month: float | None = None
) -> InspectionPlan:
    """Re-plan after `expert` becomes unavailable from `from_date` to the year's end.

    Done and cancelled visits and every visit before `from_date` stay exactly as they are; the
    others keep their month, day and team wherever the standard still allows (the solver charges
    each changed membership more than any gain), so only the visits the expert was on — and as few
    others as possible — move. Experts of the plan who have since left are treated as unavailable
    from the same day.
    Precondition: actor as for solve_contract_plan; the plan is current; the expert belongs to the
    contract's provider; from_date lies in the plan's year.
    Effects: the plan's open visits updated in place (ids kept), revision +1, changed_visits and
    figures; an audit row. Raises PlanningInfeasible (nothing changed) when the others cannot
    cover the expert's share."""
    import dataclasses
    import time

    from hazardloop.inspections.planning import solver
    from hazardloop.inspections.planning.model import Plan

    contract = plan.contract
    _check_plan_actor(actor, contract)
    if plan.status != PlanStatus.CURRENT:
        _fail("plan", _("只能调整执行中的计划。"))
    if expert.provider_id != contract.provider_id:
        _fail("expert", _("该专家不属于本合同的服务机构。"))
    if from_date.year != plan.year:
        _fail("from_date", _("不可用起始日期应在 {year} 年内。").format(year=plan.year))
    rows = list(plan.visits.prefetch_related("team").order_by("pk"))
    on_plan = {m.pk for row in rows for m in row.team.all()}
    problem = _plan_problem(contract, plan.year, extra_expert_ids=on_plan | {expert.pk})
    gone_from = {expert.pk}
    active = set(contract.provider.experts.filter(active=True).values_list("pk", flat=True))
    gone_from |= {x.id for x in problem.experts if x.id not in active}
    away = frozenset(d for d in problem.working_days if d >= from_date)
    problem.experts = [
        dataclasses.replace(x, unavailable_days=x.unavailable_days | away) if x.id in gone_from else x
        for x in problem.experts
    ]
    frozen = {
        row.pk
        for row in rows
        if row.status in (VisitStatus.DONE, VisitStatus.CANCELLED) or row.day < from_date
    }
    visits = [_visit_of(row, completed=row.pk in frozen) for row in rows]
    problem.fixed = [v for v in visits if v.completed]
    started = time.perf_counter()
    result = solver.solve(
        problem, Plan(visits), seconds_per_month=seconds_per_month or solver_seconds_per_month()
    )
    if result.status != "ok":
        raise PlanningInfeasible({"plan": [d.message for d in result.diagnostics]})
    seconds = round(time.perf_counter() - started, 2)
    figures = _judge(problem, result.plan)
    return _apply_replan(
        plan,
        rows,
        frozen,
        result.plan,
        actor=actor,
        expert=expert,
        from_date=from_date,
        seconds=seconds,
        figures=figures,
    )


@transaction.atomic
def _apply_replan(
    plan, rows, frozen, new_plan, *, actor, expert, from_date, seconds, figures
) -> InspectionPlan:
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.CURRENT:
        _fail("plan", _("计划已被替代，请刷新后重试。"))
    now = {(v.enterprise_id, v.index): v for v in new_plan.visits}
    changed = 0
    for row in rows:
        if row.pk in frozen:
            continue
        got = now[(row.enterprise_id, row.index)]
        team = sorted(m.pk for m in row.team.all())
        if got.day != row.day or list(got.team) != team:
            changed += 1
            PlannedVisit.objects.filter(pk=row.pk).update(day=got.day, month=got.day.month)
            row.team.set(got.team)
    plan.revision += 1
    plan.changed_visits = changed
    plan.solve_seconds = seconds
    for name, value in figures.items():
        if value is not None:  # a re-plan has no greedy baseline of its own: keep the first
            setattr(plan, name, value)
    plan.note = _("{when:%Y-%m-%d} 起专家{name}不可用，重排改动 {n} 次检查。").format(
        when=from_date, name=expert.name, n=changed
    )
    plan.save()
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=plan,
        data={
            "contract": plan.contract.number,
            "event": "replan",
            "expert": expert.pk,
            "from": from_date.isoformat(),
            "changed": changed,
            "revision": plan.revision,
        },
    )
    return plan


@transaction.atomic
def mark_visit_done(visit: PlannedVisit, *, actor) -> PlannedVisit:
    """Mark a planned visit done (the inspections module will call this when its record is
    filed). Precondition: actor as for planning; the visit is planned. Effects: status done, an
    audit row."""
    visit = PlannedVisit.objects.select_for_update().select_related("plan__contract").get(pk=visit.pk)
    _check_plan_actor(actor, visit.plan.contract)
    if visit.status != VisitStatus.PLANNED:
        _fail("status", _("该检查{status}。").format(status=visit.get_status_display()))
    visit.status = VisitStatus.DONE
    visit.save(update_fields=["status"])
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=visit,
        data={
            "plan": visit.plan_id,
            "event": "done",
            "enterprise": visit.enterprise_id,
            "day": visit.day.isoformat(),
        },
    )
    return visit


# --- background planning jobs -------------------------------------------------------------------


@transaction.atomic
def start_planning_job(
    contract: ServiceContract, year: int, *, actor, kind: str = "solve", params=None
) -> PlanningJob:
    """Queue a solve or re-plan. Precondition: actor as for planning; no job of the contract is
    still running. Effects: a pending PlanningJob (the caller runs or enqueues it), an audit row."""
    _check_plan_actor(actor, contract)
    contract = _locked_contract(contract)
    if contract.planning_jobs.filter(
        status__in=[PlanningJobStatus.PENDING, PlanningJobStatus.RUNNING]
    ).exists():
        _fail("plan", _("该合同已有计划正在编制，请稍后。"))
    job = PlanningJob.objects.create(
        contract=contract, year=year, kind=kind, params=dict(params or {}), actor=actor
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=job,
        data={"contract": contract.number, "kind": kind, "year": year},
    )
    return job


def run_planning_job(job: PlanningJob) -> PlanningJob:
    """Run a pending job (inline or from the task worker): running → done with the plan, or
    failed with the planner's diagnosis."""
    from hazardloop.registry.models import Expert

    updated = PlanningJob.objects.filter(pk=job.pk, status=PlanningJobStatus.PENDING).update(
        status=PlanningJobStatus.RUNNING
    )
    job = PlanningJob.objects.select_related("contract", "actor").get(pk=job.pk)
    if not updated:
        return job
    try:
        if job.kind == "replan":
            plan = InspectionPlan.objects.get(pk=job.params["plan"])
            plan = replan_for_unavailable_expert(
                plan,
                Expert.objects.get(pk=job.params["expert"]),
                dt.date.fromisoformat(job.params["from_date"]),
                actor=job.actor,
            )
        else:
            plan = solve_contract_plan(
                job.contract, job.year, actor=job.actor, method=job.params.get("method", PlanMethod.SOLVER)
            )
    except ProcurementError as exc:
        PlanningJob.objects.filter(pk=job.pk).update(
            status=PlanningJobStatus.FAILED, message=exc.text, finished_at=timezone.now()
        )
    except ProcurementPermissionDenied as exc:
        PlanningJob.objects.filter(pk=job.pk).update(
            status=PlanningJobStatus.FAILED, message=str(exc), finished_at=timezone.now()
        )
    else:
        PlanningJob.objects.filter(pk=job.pk).update(
            status=PlanningJobStatus.DONE, plan=plan, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job
