"""Tenders and bids: draft, publish, bid (with the entry conditions), close, score (综合评分法),
award (which makes the contract), cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

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
    STANDARD_NUMBER_FIELDS,
    STANDARD_TEXT_FIELDS,
    Bid,
    BidStatus,
    ContractStatus,
    ServiceContract,
    Tender,
    TenderCriterion,
    TenderStatus,
)
from .common import (
    ProcurementError,
    _fail,
    _plain,
    _require,
    _term_problem,
    entry_conditions,
)
from .contracts import record_service_contract

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
    _require(actor, "procurement.acts_for_township", township, message=_("只能办理本乡镇街道的采购事项。"))
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


def _transition(tender: Tender, name: str, *, actor, event: str, **kwargs) -> Tender:
    """Move the tender by its declared transition `name` (Tender.publish, close, award, cancel),
    or refuse naming the state it is in; save and write the audit row."""
    move = getattr(tender, name)
    if not can_proceed(move):
        _fail(
            "status",
            _("招标当前为“{status}”，不能{action}。").format(
                status=tender.get_status_display(), action=event
            ),
        )
    before = tender.status
    move(**kwargs)
    tender.save()
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=tender,
        data={"number": tender.number, "event": event, "from": before, "to": tender.status},
    )
    return tender


@transaction.atomic
def publish_tender(tender: Tender, *, actor, today: dt.date | None = None) -> Tender:
    """Publish a draft tender. Precondition: actor acts for the township; draft; the closing date
    is after today. Effects: status published, published_at/by, an audit row."""
    tender = _locked_tender(tender)
    _require(actor, "procurement.manage_tender", tender, message=_("只能办理本乡镇街道的采购事项。"))
    today = today or timezone.localdate()
    if tender.status == TenderStatus.DRAFT and tender.closing_date <= today:
        _fail("closing_date", _("投标截止日期须晚于今天。"))
    return _transition(tender, "publish", actor=actor, event=_("发布"), by=actor, at=timezone.now())


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
    _require(actor, "procurement.bid_for", tender, provider, message=_("只能以本机构名义投标。"))
    today = today or timezone.localdate()
    if not can_proceed(tender.take_bid):
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
    _require(actor, "procurement.manage_tender", tender, message=_("只能办理本乡镇街道的采购事项。"))
    return _transition(tender, "close", actor=actor, event=_("截止"), at=timezone.now())


@transaction.atomic
def score_bids(tender: Tender, *, actor, scores: Mapping[int, Mapping[int, object]]) -> list[Bid]:
    """Score the valid bids of a closed tender (综合评分法, see rules).

    `scores` maps bid id → {technical criterion id → score 0–100}; every valid bid needs a score
    for every technical criterion. The price criterion is computed from the prices.
    Precondition: actor acts for the township; tender closed; at least one valid bid.
    Effects: each valid bid's scores, price score, total, scored_at/by and status scored; an audit
    row. Returns the valid bids ranked by total (then price)."""
    tender = _locked_tender(tender)
    _require(actor, "procurement.manage_tender", tender, message=_("只能办理本乡镇街道的采购事项。"))
    if not can_proceed(tender.score):
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
        bid.score(
            scores=per,
            price_score=prices[bid.pk],
            total=rules.weighted_total(
                [(price_criterion.weight, prices[bid.pk])]
                + [(c.weight, parsed[bid.pk][c.pk]) for c in technical]
            ),
            by=actor,
            at=now,
        )
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
    _require(actor, "procurement.manage_tender", tender, message=_("只能办理本乡镇街道的采购事项。"))
    if not can_proceed(tender.award):
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
        if other.pk == bid.pk:
            other.win()
        else:
            other.lose()
        other.save(update_fields=["status"])
    _transition(
        tender, "award", actor=actor, event=_("定标"), bid=bid, contract=contract, by=actor, at=timezone.now()
    )
    return contract


@transaction.atomic
def cancel_tender(tender: Tender, *, actor, reason: str) -> Tender:
    """Cancel a tender that is not awarded. Precondition: actor acts for the township; a reason.
    Effects: status cancelled, the reason, an audit row."""
    tender = _locked_tender(tender)
    _require(actor, "procurement.manage_tender", tender, message=_("只能办理本乡镇街道的采购事项。"))
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写废标/取消理由。"))
    return _transition(tender, "cancel", actor=actor, event=_("取消"), reason=reason)
