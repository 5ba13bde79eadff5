"""Tenders: entry conditions, scoring, award into a contract; every step recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hazardloop.accounts.choices import Role
from hazardloop.audit.models import AuditEvent
from hazardloop.procurement import rules, services
from hazardloop.procurement.models import BidStatus, ContractStatus, TenderStatus

from ..tests.conftest import TODAY


def bid(tender, provider, price, today=TODAY):
    return services.submit_bid(
        tender,
        actor=None,
        provider=provider,
        price=price,
        technical_summary="每季度排查，报告7日内提交",
        today=today,
    )


def test_price_score_formula_and_weighted_total():
    scores = rules.price_scores({"a": Decimal(50000), "b": Decimal(40000), "c": Decimal(0)})
    assert scores == {"a": Decimal("80.00"), "b": Decimal("100.00")}
    assert rules.weighted_total([(Decimal(30), Decimal(80)), (Decimal(70), Decimal(90))]) == Decimal("87.00")
    assert rules.weights_problem([Decimal(30), Decimal(40)]) == "评分标准权重合计应为 100，现为 70。"


def test_entry_conditions_refuse_with_the_reasons(district, bidders, tender, personas):
    services.publish_tender(tender, actor=personas.bureau, today=TODAY)
    refused = bid(tender, bidders.weak, 30000)
    assert refused.status == BidStatus.REFUSED
    assert refused.refusal_lines() == [
        "专职合格工程师仅 4 人，少于要求的 5 人（专职、在岗、工程师及以上职称且持有效注册安全工程师/安全评价师/注册消防工程师证书）。",
        "办公场所 80 ㎡，小于要求的 100 ㎡。",
        "2024-09-12 有重大违法记录，未满 3 年。",
    ]
    assert bid(tender, bidders.good, 50000).status == BidStatus.SUBMITTED


def test_entry_conditions_follow_the_setting(district, bidders, settings):
    settings.PROCUREMENT_ENTRY_CONDITIONS = {"min_qualified_engineers": 7}
    assert services.check_entry_conditions(bidders.good, on=TODAY) == [
        "专职合格工程师仅 6 人，少于要求的 7 人（专职、在岗、工程师及以上职称且持有效注册安全工程师/安全评价师/注册消防工程师证书）。"
    ]


def test_lapsed_certificate_or_junior_title_does_not_count(district, bidders):
    expert = bidders.cheap.experts.first()
    expert.certificates.update(expires=dt.date(2025, 12, 31))
    assert "仅 4 人" in services.check_entry_conditions(bidders.cheap, on=TODAY)[0]


def test_bidding_scoring_and_award_make_the_contract(district, bidders, tender, personas):
    provider_user = personas.provider
    with pytest.raises(services.ProcurementError):
        bid(tender, bidders.good, 50000)  # still a draft
    services.publish_tender(tender, actor=personas.bureau, today=TODAY)
    with pytest.raises(services.ProcurementPermissionDenied):
        services.submit_bid(
            tender, actor=provider_user, provider=bidders.good, price=1, technical_summary="x"
        )
    good = bid(tender, bidders.good, 50000)
    cheap = bid(tender, bidders.cheap, 40000)
    weak = bid(tender, bidders.weak, 30000)
    with pytest.raises(services.ProcurementError) as caught:
        bid(tender, bidders.good, 45000)
    assert caught.value.message_dict["provider"] == ["本机构已对该项目投标。"]
    with pytest.raises(services.ProcurementError):
        bid(tender, bidders.cheap, 40000, today=dt.date(2026, 1, 21))
    services.close_tender(tender, actor=personas.bureau)
    tech = [c for c in tender.criteria.all() if c.kind == "technical"]
    assert [c.weight for c in tender.criteria.all()] == [30, 40, 30]
    with pytest.raises(services.ProcurementError):
        services.score_bids(tender, actor=personas.bureau, scores={good.pk: {tech[0].pk: 90}})
    ranked = services.score_bids(
        tender,
        actor=personas.bureau,
        scores={good.pk: {tech[0].pk: 95, tech[1].pk: 90}, cheap.pk: {tech[0].pk: 70, tech[1].pk: 75}},
    )
    # good: 30 × 80 + 40 × 95 + 30 × 90 = 89.00; cheap: 30 × 100 + 40 × 70 + 30 × 75 = 80.50.
    assert [(b.provider, b.total) for b in ranked] == [
        (bidders.good, Decimal("89.00")),
        (bidders.cheap, Decimal("80.50")),
    ]
    with pytest.raises(services.ProcurementError):
        services.award_tender(tender, weak, actor=personas.bureau)
    contract = services.award_tender(tender, ranked[0], actor=personas.bureau, contract_number="LA2026-FW-B")
    tender.refresh_from_db()
    assert (
        tender.status == TenderStatus.AWARDED
        and tender.contract == contract
        and tender.awarded_by == personas.bureau
    )
    assert contract.status == ContractStatus.DRAFT and contract.provider == bidders.good
    assert contract.price == Decimal(50000) and set(contract.enterprises.all()) == {
        district.chem,
        district.textile,
    }
    assert (contract.start_date, contract.end_date) == (dt.date(2026, 2, 1), dt.date(2027, 1, 31))
    cheap.refresh_from_db()
    assert cheap.status == BidStatus.LOST
    events = AuditEvent.objects.filter(target_id=str(tender.pk)).values_list("data__event", flat=True)
    assert {"发布", "截止", "score", "定标"} <= set(events)


def test_only_the_buying_township_manages_its_tender(district, personas, tender):
    assert personas.township.role == Role.TOWNSHIP  # 龙泉镇, not 马投涧镇
    with pytest.raises(services.ProcurementPermissionDenied):
        services.publish_tender(tender, actor=personas.township, today=TODAY)


def test_tender_refuses_bad_weights_and_long_terms(district, personas):
    with pytest.raises(services.ProcurementError) as caught:
        services.create_tender(
            actor=personas.bureau,
            number="Z9",
            title="t",
            township=district.town_b,
            enterprises=[district.chem],
            budget=1000,
            requirements="",
            service_start=dt.date(2026, 1, 1),
            service_end=dt.date(2027, 6, 30),
            closing_date=dt.date(2025, 12, 20),
            criteria=[("price", "价格", 50), ("technical", "技术", 40)],
        )
    assert set(caught.value.message_dict) == {"service_end", "criteria"}
