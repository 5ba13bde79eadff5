"""Contract standards, term limits, amendments, publishing and payment milestones."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hazardloop.audit.models import AuditEvent
from hazardloop.procurement import rules, services
from hazardloop.procurement.models import ContractStatus, MilestoneStatus
from hazardloop.registry.rules import TeamSize, required_team_size

START = dt.date(2026, 1, 1)

ART_23 = {
    "content": "辖区企业安全生产隐患排查与复查",
    "quality_requirements": "按合同标准组织专家",
    "settlement_method": "按季度结算",
    "rights_and_duties": "甲方监督、乙方排查",
    "breach_liability": "未达标准按次扣减服务费",
}


def record(district, **overrides):
    values = {
        "actor": None,
        "number": "LA2026-T-09",
        "title": "马投涧镇隐患排查服务",
        "township": district.town_b,
        "provider": district.other_provider,
        "start_date": START,
        "end_date": dt.date(2026, 12, 31),
        "price": 40000,
        "enterprises": [district.chem, district.textile],
    }
    values.update(overrides)
    return services.record_service_contract(**values)


def test_standard_defaults_come_from_the_registry_team_sizes(district):
    contract = record(district)
    for size, high in (("small", False), ("medium", False), ("large", False), ("micro", True)):
        assert contract.team_requirement(
            type("E", (), {"size": size, "high_risk": high})
        ) == required_team_size(size, high)
    assert rules.team_requirement(rules.ContractStandard(), "small", True) == TeamSize(3, 5)
    assert (contract.visits_high_risk, contract.visits_large_medium, contract.visits_ordinary) == (4, 2, 1)


def test_contract_standard_overrides_the_team_size(district):
    contract = record(district, team_ordinary_min=3, visits_ordinary=2)
    assert contract.team_requirement(district.textile) == TeamSize(3, None)
    assert contract.visits_required(district.textile) == 2


def test_term_over_one_year_is_refused_unless_stable(district):
    with pytest.raises(services.ProcurementError) as caught:
        record(district, end_date=dt.date(2027, 1, 1))
    assert "服务期限不能超过 1 年" in caught.value.message_dict["end_date"][0]
    contract = record(district, end_date=dt.date(2028, 12, 31), stable_service=True)
    assert contract.stable_service
    with pytest.raises(services.ProcurementError) as caught:
        record(district, number="X2", end_date=dt.date(2029, 1, 1), stable_service=True)
    assert "服务期限不能超过 3 年" in caught.value.message_dict["end_date"][0]


def test_term_limit_follows_the_setting(district, settings):
    settings.PROCUREMENT_TERM_YEARS = {"normal": 2, "stable": 3}
    assert record(district, end_date=dt.date(2027, 12, 31)).end_date.year == 2027


def test_amendments_are_versioned_with_a_diff(district, personas):
    contract = record(district)
    first = services.amend_contract(
        contract,
        actor=personas.bureau,
        reason="增加高危企业检查频次",
        changes={"visits_high_risk": 6, "price": "45000"},
    )
    assert first.version == 2
    assert first.changes == {
        "visits_high_risk": {"old": 4, "new": 6},
        "price": {"old": "40000.00", "new": "45000"},
    }
    second = services.amend_contract(
        contract, actor=personas.bureau, reason="延长报告时限", changes={"report_days": 10}
    )
    contract.refresh_from_db()
    assert (second.version, contract.version, contract.report_days, contract.price) == (
        3,
        3,
        10,
        Decimal(45000),
    )
    assert [a.version for a in contract.amendments.all()] == [2, 3]
    with pytest.raises(services.ProcurementError) as caught:
        services.amend_contract(contract, actor=personas.bureau, reason="无变化", changes={"report_days": 10})
    assert caught.value.message_dict["changes"] == ["没有修改任何内容。"]
    with pytest.raises(services.ProcurementError):
        services.amend_contract(contract, actor=personas.bureau, reason="", changes={"report_days": 11})
    with pytest.raises(services.ProcurementError) as caught:
        services.amend_contract(
            contract, actor=personas.bureau, reason="延期", changes={"end_date": dt.date(2027, 6, 30)}
        )
    assert "服务期限不能超过 1 年" in caught.value.message_dict["end_date"][0]
    contract.refresh_from_db()
    assert contract.version == 3 and contract.end_date == dt.date(2026, 12, 31)


def test_another_township_cannot_amend(district, personas):
    contract = record(district)
    with pytest.raises(services.ProcurementPermissionDenied):
        services.amend_contract(contract, actor=personas.township, reason="x", changes={"report_days": 3})


def test_publish_needs_the_article_23_content_and_activates_a_draft(district, personas):
    contract = record(district, status=ContractStatus.DRAFT)
    with pytest.raises(services.ProcurementError) as caught:
        services.publish_contract(contract, actor=personas.bureau)
    assert "结算方式" in caught.value.message_dict["content"][0]
    services.amend_contract(contract, actor=personas.bureau, reason="补全合同条款", changes=ART_23)
    contract = services.publish_contract(contract, actor=personas.bureau)
    assert (
        contract.status == ContractStatus.ACTIVE
        and contract.published_at
        and contract.published_by == personas.bureau
    )
    assert AuditEvent.objects.filter(target_id=str(contract.pk), data__event="publish").exists()
    with pytest.raises(services.ProcurementError):
        services.publish_contract(contract, actor=personas.bureau)


def test_milestones_by_share_and_payment(district, personas):
    contract = record(district)
    first = services.add_payment_milestone(
        contract,
        actor=personas.bureau,
        name="合同签订后预付",
        due_date=dt.date(2026, 1, 31),
        share=Decimal(30),
    )
    assert first.amount == Decimal("12000.00")
    with pytest.raises(services.ProcurementError) as caught:
        services.add_payment_milestone(
            contract,
            actor=personas.bureau,
            name="尾款",
            due_date=dt.date(2026, 12, 31),
            amount=Decimal(30000),
        )
    assert "超过合同金额" in caught.value.message_dict["amount"][0]
    paid = services.record_payment(first, actor=personas.bureau, note="已转账")
    assert paid.status == MilestoneStatus.PAID and paid.paid_at and paid.paid_by == personas.bureau
    with pytest.raises(services.ProcurementError):
        services.record_payment(first, actor=personas.bureau)
