"""The demo district: what `load_demo` builds, and `demo_logins`. Other sizes and reruns are in
test_demo_sizes.py, because this module's district stays in the database until its last test."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from hazardloop.accounts.choices import Role
from hazardloop.accounts.demo import DEMO_PASSWORD, demo_users_filter
from hazardloop.accounts.models import User
from hazardloop.core.console import display_width, format_table
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry import rules
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.demo import (
    FAMILIES,
    LONGAN_TOWNSHIPS,
    PROVIDERS,
)
from hazardloop.registry.models import Enterprise, Expert, MemberUnit, Provider, Region

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The 439-enterprise district, built once for this module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING), transaction.atomic():
        load()
        yield
        transaction.set_rollback(True)


def _family_of(code: str):
    for family in FAMILIES:
        if any(code == mix.code for mix in family.industries):
            return family.key
    return None


# --- the case-study district ---------------------------------------------------------------------


def test_builds_439_enterprises_in_the_eleven_townships(demo, db):
    district = Region.objects.get(code="410506")
    townships = Region.objects.filter(parent=district, level=RegionLevel.TOWNSHIP)
    assert sorted(townships.values_list("code", flat=True)) == sorted(t.code for t in LONGAN_TOWNSHIPS)
    assert Enterprise.objects.count() == 439
    assert Enterprise.objects.filter(township__parent=district).count() == 439
    for township in townships:
        assert township.enterprises.exists(), township.name


def test_every_credit_code_is_valid_and_unique(demo, db):
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    codes += list(Provider.objects.values_list("credit_code", flat=True))
    assert all(rules.is_valid_uscc(code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_mix_holds_every_industry_family_in_the_planned_numbers(demo, db):
    counts: dict[str, int] = {}
    for code in Enterprise.objects.values_list("industry__code", flat=True):
        key = _family_of(code)
        counts[key] = counts.get(key, 0) + 1
    assert counts == {family.key: family.count for family in FAMILIES}
    assert {"coal", "non_coal", "hazchem", "metallurgy", "machinery", "textiles"} <= set(counts)


def test_size_and_high_risk_follow_the_rules(demo, db):
    enterprises = list(Enterprise.objects.select_related("industry"))
    for e in enterprises:
        # Each sector by its own row of 213号 (retail, hotels, construction, transport, …).
        assert e.size == rules.enterprise_size(e.industry.code, e.employees, e.revenue_10k), e.name
        expected = e.computed_high_risk() if e.high_risk_override is None else e.high_risk_override
        assert e.high_risk == expected, e.name
    assert {e.size for e in enterprises} == {"large", "medium", "small", "micro"}
    # Special items make some machinery and textile works high-risk, and only those.
    light = [e for e in enterprises if e.industry.code[:2] in {"17", "18", "33", "34", "35"}]
    assert any(e.high_risk for e in light) and not all(e.high_risk for e in light)
    assert all(e.high_risk for e in enterprises if e.industry.code.startswith("06"))


def test_contacts_and_places_look_like_the_district(demo, db):
    for e in Enterprise.objects.select_related("township"):
        assert e.address.startswith("安阳市龙安区" + e.township.name)
        assert 35.9 < e.latitude < 36.3 and 113.9 < e.longitude < 114.5
        phone = e.safety_contact_phone
        assert len(phone) == 13 and phone[0] == "1" and phone[3] == phone[8] == "-"
        assert e.safety_contact and e.principal


def test_providers_meet_entry_conditions_except_one(demo, db):
    """≥5 full-time experts with a valid certificate and a mid title (domain.md §3.2); one firm
    is built to fall short."""
    today = dt.date(2026, 1, 1)

    def qualified(provider):
        return (
            Expert.objects.filter(
                provider=provider,
                full_time=True,
                certificates__expires__gte=today,
                title__in=["教授级高级工程师", "高级工程师", "工程师"],
            )
            .distinct()
            .count()
        )

    providers = list(Provider.objects.all())
    assert len(providers) >= 3
    short = [p.name for p in providers if qualified(p) < 5]
    assert short == ["安阳恒誉安全科技有限公司"]
    for provider in providers:
        assert 8 <= provider.experts.count() <= 15
    assert Expert.objects.filter(conflict_rows__isnull=False).exists()
    assert Expert.objects.filter(certificates__expires__lt=today).exists()


def test_each_township_has_one_active_contract_covering_its_enterprises(demo, db):
    contracts = ServiceContract.objects.in_force()
    assert contracts.count() == len(LONGAN_TOWNSHIPS)
    for contract in contracts:
        covered = set(contract.enterprises.values_list("pk", flat=True))
        # Suspended enterprises are not bought inspections for; only those at work are.
        working = set(contract.township.enterprises.filter(status="active").values_list("pk", flat=True))
        assert covered == working
    total = sum(c.price for c in contracts)
    assert 200_000 <= total <= 600_000  # the same order as the case study's ¥320,000
    assert {p.name for p in Provider.objects.filter(contracts__isnull=False)} == {p.name for p in PROVIDERS}


def test_member_units_have_duties(demo, db):
    units = MemberUnit.objects.filter(district__code="410506")
    assert {u.kind for u in units} >= {"safety", "police", "fire", "market"}
    assert all(u.duties.exists() for u in units)


def test_every_role_has_a_demo_user_who_can_log_in(demo, db, client):
    users = User.objects.filter(demo_users_filter())
    assert {u.role for u in users} == {r.value for r in Role}
    for user in users:
        response = client.post(
            reverse("login"), {"username": user.username, "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.2.3"
        )
        assert response.status_code == 302, user.username
        assert int(client.session["_auth_user_id"]) == user.pk
        client.logout()


def test_demo_users_see_what_their_role_allows(demo, db):
    township = User.objects.get(username="township_longquan")
    provider = User.objects.get(username="provider_runan")
    enterprise = User.objects.get(username="enterprise_1")
    assert Enterprise.objects.visible_to(User.objects.get(username="bureau")).count() == 439
    assert set(Enterprise.objects.visible_to(township).values_list("township__name", flat=True)) == {"龙泉镇"}
    served = {"龙泉镇", "马投涧镇", "善应镇"}
    assert set(Enterprise.objects.visible_to(provider).values_list("township__name", flat=True)) == served
    assert list(Enterprise.objects.visible_to(enterprise)) == [enterprise.enterprise]


def test_demo_logins_lists_the_demo_users_and_the_password(demo, db):
    User.objects.create_user("real_person", password="x", role=Role.ADMIN)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in User.objects.filter(demo_users_filter()).values_list("username", flat=True):
        assert f"{username} " in text
    assert "real_person" not in text
    assert DEMO_PASSWORD in text


# --- console tables ------------------------------------------------------------------------------


def test_table_columns_line_up_with_chinese_text():
    text = format_table(("用户名", "单位"), [("bureau", "龙安区应急管理局"), ("a", "x")])
    lines = text.splitlines()
    second_column = [
        display_width(line[: line.index(cell)]) for line, cell in zip(lines[2:], ("龙", "x"), strict=True)
    ]
    assert second_column[0] == second_column[1] == display_width("bureau  ")
