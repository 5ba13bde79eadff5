"""The procurement part of the demo: each township's 2026 inspection-service contract.

Every township or street office of 龙安区 buys from one provider (registry.demo.PROVIDERS says
which) and covers all its working enterprises. Prices follow the work: a base for travel and
reporting, a share per enterprise and more per high-risk enterprise (which needs three to five
experts a visit). The case study's district paid ¥320,000 in 2012; the eleven contracts here
come to about ¥360,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.demo import DEMO_YEAR, LONGAN_TOWNSHIPS, PROVIDERS
from hazardloop.registry.models import Enterprise, Provider, Region

from . import services

BASE_PRICE = 5_000
PER_ENTERPRISE = 550
PER_HIGH_RISK = 300


def contract_price(enterprises: int, high_risk: int) -> Decimal:
    raw = BASE_PRICE + PER_ENTERPRISE * enterprises + PER_HIGH_RISK * high_risk
    return Decimal(round(raw, -3))


@demo_step(20)
def build_contracts(ctx: DemoContext) -> None:
    """One active contract for the demo year per township of the case-study district."""
    provider_by_township = {}
    for spec in PROVIDERS:
        provider = Provider.objects.get(name=spec.name)
        for code in spec.serves:
            provider_by_township[code] = provider
    total = Decimal(0)
    for n, spec in enumerate(LONGAN_TOWNSHIPS, start=1):
        township = Region.objects.get(code=spec.code)
        provider = provider_by_township[spec.code]
        covered = list(Enterprise.objects.filter(township=township).exclude(status=EnterpriseStatus.CLOSED))
        price = contract_price(len(covered), sum(e.high_risk for e in covered))
        services.record_service_contract(
            actor=None,
            number=f"LA{DEMO_YEAR}-FW-{n:02d}",
            title=f"{spec.name}{DEMO_YEAR}年度安全生产隐患排查服务",
            township=township,
            provider=provider,
            start_date=dt.date(DEMO_YEAR, 1, 1),
            end_date=dt.date(DEMO_YEAR, 12, 31),
            price=price,
            enterprises=covered,
        )
        total += price
    ctx.log(f"  服务合同 {len(LONGAN_TOWNSHIPS)} 份，合计 ¥{total:,.0f}")
