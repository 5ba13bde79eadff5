"""Recording a service contract."""

from __future__ import annotations

import datetime as dt

import pytest

from hazardloop.accounts.models import User
from hazardloop.procurement import services
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.models import Enterprise

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def record(district, **overrides):
    values = {
        "actor": None,
        "number": "LA2026-T-01",
        "title": "马投涧镇隐患排查服务",
        "township": district.town_b,
        "provider": district.other_provider,
        "start_date": START,
        "end_date": END,
        "price": 30000,
        "enterprises": [district.chem, district.textile],
    }
    values.update(overrides)
    return services.record_service_contract(**values)


def test_contract_gives_the_provider_its_enterprises(personas, district):
    record(district, actor=personas.bureau)
    other = User.objects.create(username="p2", role="provider", provider=district.other_provider)
    assert set(Enterprise.objects.visible_to(other)) == {district.chem, district.textile}


def test_contract_refuses_enterprises_outside_the_township_and_bad_periods(district):
    with pytest.raises(services.ProcurementError) as caught:
        record(district, enterprises=[district.coal], end_date=dt.date(2025, 12, 31), price=-1)
    assert set(caught.value.message_dict) == {"enterprises", "end_date", "price"}
    with pytest.raises(services.ProcurementError):
        record(district, end_date=dt.date(2029, 6, 1))
    assert not ServiceContract.objects.filter(number="LA2026-T-01").exists()


def test_only_the_buying_township_or_the_bureau_records_a_contract(personas, district):
    with pytest.raises(services.ProcurementPermissionDenied):
        record(district, actor=personas.township)  # 龙泉镇's clerk, buying for 马投涧镇
    with pytest.raises(services.ProcurementPermissionDenied):
        record(district, actor=personas.provider)
    contract = record(
        district, actor=personas.township, township=district.town_a, enterprises=[district.machine]
    )
    assert contract.provider == district.other_provider
