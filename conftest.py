"""Persona fixtures: one user per role around a small district, plus an outsider enterprise that
must never see the others' data. State is built through the real services."""

from __future__ import annotations

import contextlib
import datetime as dt
from types import SimpleNamespace

import pytest

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.procurement.models import ContractStatus, ServiceContract
from hazardloop.registry import services
from hazardloop.registry.choices import HazardCategory, MemberUnitKind
from hazardloop.registry.models import MemberUnit, MemberUnitDuty
from hazardloop.registry.testing import industry, next_credit_code, region

PASSWORD = "Test-Passw0rd!"


def make_user(username: str, role: Role, **links) -> User:
    user = User(username=username, role=role, display_name=username, **links)
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
    user.set_password(PASSWORD)
    user.save()
    return user


def enterprise_data(name, township, industry_code, **extra):
    return services.EnterpriseData(
        name=name,
        credit_code=next_credit_code(),
        township=township,
        industry=industry(industry_code),
        **extra,
    )


@pytest.fixture
def district(db):
    """龙安区 with two townships, enterprises in each, a provider serving township A, member units."""
    henan = region("41", "河南省")
    anyang = region("4105", "安阳市", henan)
    longan = region("410506", "龙安区", anyang)
    town_a = region("410506100", "龙泉镇", longan)
    town_b = region("410506101", "马投涧镇", longan)
    neighbour = region("410505", "殷都区", anyang)
    town_x = region("410505100", "外区镇", neighbour)

    admin = make_user("admin", Role.ADMIN)
    coal = services.register_enterprise(
        enterprise_data("龙泉煤业有限公司", town_a, "0610", employees=600, revenue_10k=30000), actor=admin
    )
    machine = services.register_enterprise(
        enterprise_data("龙泉机械厂", town_a, "34", employees=50, revenue_10k=800), actor=admin
    )
    chem = services.register_enterprise(
        enterprise_data("马投涧化工有限公司", town_b, "2614", employees=120, revenue_10k=5000), actor=admin
    )
    textile = services.register_enterprise(
        enterprise_data("马投涧纺织厂", town_b, "171", employees=15, revenue_10k=200), actor=admin
    )
    outsider = services.register_enterprise(
        enterprise_data("外区商贸公司", town_x, "5162", employees=8, revenue_10k=100), actor=admin
    )

    provider = services.register_provider(
        actor=admin, name="安阳安泰安全技术服务有限公司", credit_code=next_credit_code()
    )
    other_provider = services.register_provider(
        actor=admin, name="河南中安评价有限公司", credit_code=next_credit_code()
    )
    expert = services.register_expert(
        actor=admin,
        provider=provider,
        name="王工",
        specialties=["coal", "machinery"],
        conflicts=[(machine, "曾任该厂安全科长")],
    )
    other_expert = services.register_expert(
        actor=admin, provider=other_provider, name="李工", specialties=["hazchem"]
    )
    contract = ServiceContract.objects.create(
        number="LA-2026-001",
        title="龙泉镇隐患排查服务",
        township=town_a,
        provider=provider,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        price=120000,
        status=ContractStatus.ACTIVE,
    )
    contract.enterprises.set([coal, machine])

    safety = MemberUnit.objects.create(name="区应急管理局", kind=MemberUnitKind.SAFETY, district=longan)
    for prefix in ("06", "08", "09", "10", "25", "26", "31", "32", "33", "34", "17"):
        MemberUnitDuty.objects.create(member_unit=safety, industry_prefix=prefix)
    fire = MemberUnit.objects.create(name="区消防救援大队", kind=MemberUnitKind.FIRE, district=longan)
    MemberUnitDuty.objects.create(member_unit=fire, hazard_category=HazardCategory.FIRE)
    police = MemberUnit.objects.create(name="区公安分局", kind=MemberUnitKind.POLICE, district=longan)
    for prefix in ("06", "10"):
        MemberUnitDuty.objects.create(
            member_unit=police, industry_prefix=prefix, hazard_category=HazardCategory.EXPLOSIVES
        )

    return SimpleNamespace(
        longan=longan,
        town_a=town_a,
        town_b=town_b,
        town_x=town_x,
        coal=coal,
        machine=machine,
        chem=chem,
        textile=textile,
        outsider=outsider,
        provider=provider,
        other_provider=other_provider,
        expert=expert,
        other_expert=other_expert,
        contract=contract,
        safety=safety,
        fire=fire,
        police=police,
        admin=admin,
    )


@pytest.fixture
def personas(district):
    """One user per role; `expected` names the enterprises each must see, and no others."""
    d = district
    users = SimpleNamespace(
        admin=d.admin,
        bureau=make_user("bureau", Role.BUREAU, region=d.longan),
        leader=make_user("leader", Role.LEADER, region=d.longan),
        safety_unit=make_user("safety_unit", Role.MEMBER_UNIT, member_unit=d.safety),
        police=make_user("police", Role.MEMBER_UNIT, member_unit=d.police),
        fire=make_user("fire", Role.MEMBER_UNIT, member_unit=d.fire),
        township=make_user("township", Role.TOWNSHIP, region=d.town_a),
        provider=make_user("provider", Role.PROVIDER, provider=d.provider),
        expert=make_user("expert", Role.EXPERT, expert=d.expert),
        enterprise=make_user("enterprise", Role.ENTERPRISE, enterprise=d.coal),
        outsider=make_user("outsider", Role.ENTERPRISE, enterprise=d.outsider),
    )
    in_district = {d.coal, d.machine, d.chem, d.textile}
    users.expected = {
        "admin": in_district | {d.outsider},
        "bureau": in_district,
        "leader": in_district,
        "safety_unit": in_district,
        "police": {d.coal},
        "fire": in_district,
        "township": {d.coal, d.machine},
        "provider": {d.coal, d.machine},
        "expert": {d.coal},
        "enterprise": {d.coal},
        "outsider": {d.outsider},
    }
    return users


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests need only that passwords check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_by_default():
    # LocaleMiddleware leaves the last request's language active in the thread; a test that
    # switched to English must not make the next test's messages English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _two_factor_only_where_tested(request, settings):
    # Tests sign users in with client.force_login, which has no second step. Tests marked
    # `two_factor` keep the policy on and pass the step (hazardloop/accounts/testing.py).
    if request.node.get_closest_marker("two_factor") is None:
        settings.HAZARDLOOP_2FA_ROLES = []


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters (API throttles, sign-in attempts per address) live in the cache; each
    # test starts with none, whatever the tests before it in this process did. The cache is a
    # database table (settings without REDIS_URL): a test that may not reach the database has
    # no counters to clear, and one that may rolls them back with everything else.
    from django.core.cache import cache

    with contextlib.suppress(RuntimeError):  # pytest-django: this test has no database access
        cache.clear()
    yield
