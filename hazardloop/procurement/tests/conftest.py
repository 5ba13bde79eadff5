"""Procurement fixtures: a provider that meets the entry conditions, one that does not, and a
tender of 马投涧镇 (township B) ready for bids."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from hazardloop.registry import services as registry
from hazardloop.registry.testing import next_credit_code

from .. import services

TODAY = dt.date(2026, 1, 10)


def qualified_provider(name: str, *, engineers: int = 5, office: int = 200, violation=None, specialties=None):
    provider = registry.register_provider(
        actor=None,
        name=name,
        credit_code=next_credit_code(),
        office_area_m2=office,
        major_violation_date=violation,
    )
    for i in range(engineers):
        expert = registry.register_expert(
            actor=None,
            provider=provider,
            name=f"{name[:2]}工{i}",
            specialties=specialties or ["hazchem", "textiles", "coal", "machinery", "general"],
            title="高级工程师",
            full_time=True,
        )
        registry.add_expert_certificate(
            expert, actor=None, kind="rse", number=f"ZA{provider.pk:03d}{i:03d}", expires=dt.date(2028, 1, 1)
        )
    return provider


@pytest.fixture
def bidders(district):
    return SimpleNamespace(
        good=qualified_provider("安阳合规安全服务有限公司", engineers=6),
        cheap=qualified_provider("安阳低价安全服务有限公司", engineers=5),
        weak=qualified_provider(
            "安阳恒誉安全科技有限公司", engineers=4, office=80, violation=dt.date(2024, 9, 12)
        ),
    )


@pytest.fixture
def tender(district, personas):
    return services.create_tender(
        actor=personas.bureau,
        number="LA2026-ZB-02",
        title="马投涧镇2026年度隐患排查服务",
        township=district.town_b,
        enterprises=[district.chem, district.textile],
        budget=60000,
        requirements="覆盖全部企业，按合同标准排查。",
        service_start=dt.date(2026, 2, 1),
        service_end=dt.date(2027, 1, 31),
        closing_date=dt.date(2026, 1, 20),
    )
