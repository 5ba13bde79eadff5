"""The registry writers the demo needs: bulk registration, member units, certificates."""

from __future__ import annotations

import datetime as dt

import pytest

from hazardloop.core.errors import Refused
from hazardloop.registry import services
from hazardloop.registry.choices import HazardCategory, MemberUnitKind
from hazardloop.registry.models import Enterprise, ExpertCertificate, MemberUnit
from hazardloop.registry.testing import industry, next_credit_code


def rows(township, n):
    return [
        services.EnterpriseData(
            name=f"批量测试企业{i}",
            credit_code=next_credit_code(),
            township=township,
            industry=industry("34"),
            employees=50,
            revenue_10k=800,
        )
        for i in range(n)
    ]


def test_bulk_registers_every_row_with_derived_size_and_risk(district):
    data = rows(district.town_a, 5)
    data[0].industry = industry("0610")
    data[0].employees, data[0].revenue_10k = 1200, 50000
    data[1].dust_explosion = True
    before = Enterprise.objects.count()
    assert services.bulk_register_enterprises(iter(data), actor=None, batch_size=2) == 5
    assert Enterprise.objects.count() == before + 5
    coal = Enterprise.objects.get(credit_code=data[0].credit_code)
    assert (coal.size, coal.high_risk) == ("large", True)
    dusty = Enterprise.objects.get(credit_code=data[1].credit_code)
    assert (dusty.size, dusty.high_risk) == ("small", True)
    plain = Enterprise.objects.get(credit_code=data[2].credit_code)
    assert plain.high_risk is False


def test_bulk_writes_nothing_when_a_later_batch_is_bad(district):
    data = rows(district.town_a, 5)
    data[3].credit_code = data[3].credit_code[:17] + ("0" if data[3].credit_code[17] != "0" else "1")
    data[4].credit_code = district.coal.credit_code  # already registered
    before = Enterprise.objects.count()
    with pytest.raises(services.RegistryError) as caught:
        services.bulk_register_enterprises(data, actor=None, batch_size=3)
    messages = caught.value.message_dict["credit_code"]
    assert messages[0].startswith("第4行") and "校验位" in messages[0]
    assert messages[1].startswith("第5行") and "已登记" in messages[1]
    assert Enterprise.objects.count() == before  # the good first batch rolled back too


def test_bulk_rejects_a_code_repeated_within_the_rows(district):
    data = rows(district.town_a, 2)
    data[1].credit_code = data[0].credit_code
    with pytest.raises(services.RegistryError):
        services.bulk_register_enterprises(data, actor=None)
    assert not Enterprise.objects.filter(credit_code=data[0].credit_code).exists()


def test_bulk_rejects_a_district_as_township_and_overlong_fields(district):
    data = rows(district.town_a, 2)
    data[0].township = district.longan
    data[1].address = "长" * 300
    with pytest.raises(services.RegistryError) as caught:
        services.bulk_register_enterprises(data, actor=None)
    assert set(caught.value.message_dict) == {"township", "address"}


def test_bulk_keeps_to_the_actors_jurisdiction(personas, district):
    with pytest.raises(Refused):
        services.bulk_register_enterprises(rows(district.town_a, 1), actor=personas.provider)
    with pytest.raises(Refused):
        services.bulk_register_enterprises(rows(district.town_b, 1), actor=personas.township)
    assert services.bulk_register_enterprises(rows(district.town_a, 1), actor=personas.township) == 1


def test_member_unit_is_registered_with_its_duties(district):
    unit = services.register_member_unit(
        actor=None,
        district=district.longan,
        name="区住建局",
        kind=MemberUnitKind.OTHER,
        duties=[
            ("47", HazardCategory.PRODUCTION),
            ("47", HazardCategory.PRODUCTION),
            ("", HazardCategory.FIRE),
        ],
    )
    assert sorted(unit.duties.values_list("industry_prefix", "hazard_category")) == [
        ("", "fire"),
        ("47", "production"),
    ]


def test_member_unit_needs_a_district_and_sound_duties(personas, district):
    with pytest.raises(services.RegistryError) as caught:
        services.register_member_unit(
            actor=None, district=district.town_a, name="甲", kind="other", duties=[("B7", "production")]
        )
    assert set(caught.value.message_dict) == {"district", "duties"}
    with pytest.raises(services.RegistryError):
        services.register_member_unit(
            actor=None, district=district.longan, name="乙", kind="other", duties=[("47", "x")]
        )
    with pytest.raises(Refused):
        services.register_member_unit(
            actor=personas.township, district=district.longan, name="丙", kind="other"
        )
    assert not MemberUnit.objects.filter(name__in=["甲", "乙", "丙"]).exists()


def test_certificate_is_recorded_and_checked(personas, district):
    cert = services.add_expert_certificate(
        district.expert,
        actor=personas.provider,
        kind="rse",
        number="ZA2020 41001",
        issued=dt.date(2020, 1, 1),
    )
    assert cert.expert == district.expert
    with pytest.raises(services.RegistryError):
        services.add_expert_certificate(
            district.expert,
            actor=None,
            kind="rse",
            number="ZA2",
            issued=dt.date(2021, 1, 1),
            expires=dt.date(2020, 1, 1),
        )
    with pytest.raises(Refused):
        services.add_expert_certificate(
            district.other_expert, actor=personas.provider, kind="rse", number="ZA3"
        )
    assert ExpertCertificate.objects.count() == 1
