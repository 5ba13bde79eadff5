"""`load_demo` at other sizes, rerun, and with the same seed twice. Each test starts empty."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hazardloop.accounts.models import User
from hazardloop.registry import rules
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.demo import Uniques, build_longan_places, plan_enterprises
from hazardloop.registry.models import Enterprise, Industry, Region


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_if_empty_leaves_a_populated_database_alone():
    load("--enterprises", "25")
    users = User.objects.count()
    assert "跳过" in load("--if-empty")
    assert Enterprise.objects.count() == 25
    assert User.objects.count() == users
    with pytest.raises(CommandError):
        load("--enterprises", "25")


@pytest.mark.django_db
def test_small_size_builds_that_many():
    load("--enterprises", "30")
    assert Enterprise.objects.count() == 30
    assert not Region.objects.filter(level=RegionLevel.DISTRICT).exclude(code="410506").exists()


@pytest.mark.django_db
def test_larger_size_adds_synthetic_districts_of_henan():
    load("--enterprises", "700")
    assert Enterprise.objects.count() == 700
    outside = Enterprise.objects.exclude(township__code__startswith="410506").select_related(
        "township__parent"
    )
    assert outside.count() == 261
    for e in outside:
        district = e.township.parent
        assert district.level == RegionLevel.DISTRICT and district.code.startswith("41")
        assert e.township.code.startswith(district.code) and len(e.township.code) == 9
        assert e.credit_code[2:8] == district.code and rules.is_valid_uscc(e.credit_code)
        assert e.high_risk == (
            e.computed_high_risk() if e.high_risk_override is None else e.high_risk_override
        )
    # The provincial officer is the one login that sees the whole slice.
    assert Enterprise.objects.visible_to(User.objects.get(username="province")).count() == 700
    assert Enterprise.objects.visible_to(User.objects.get(username="bureau")).count() == 439


@pytest.mark.django_db
def test_same_seed_gives_the_same_enterprises():
    places = build_longan_places()
    industries = {i.code: i for i in Industry.objects.all()}

    def plan(seed):
        rows = plan_enterprises(random.Random(seed), places, 60, industries, Uniques())
        return [(d.name, d.credit_code, d.township.code, d.industry.code, d.employees) for d in rows]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)
