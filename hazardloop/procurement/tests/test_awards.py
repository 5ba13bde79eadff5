"""以奖代补 awards from records built through the real services: the stored figures equal a
computation done here by hand, and the formula, computation and confirmation services refuse
what they must."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hazardloop.audit.models import AuditEvent
from hazardloop.hazards.models import Notification
from hazardloop.hazards.tests.conftest import Loop, far_deadline

from .. import services
from ..models import Award, AwardStatus
from ..services import awards
from .test_compliance import at, team, visit  # noqa: F401 — `team` is a fixture used below

FORMULA = {
    "pool": "100000",
    "base_share": "40",
    "coverage_weight": "30",
    "closure_weight": "50",
    "punctuality_weight": "20",
}


@pytest.fixture
def year_of_work(personas, district, team):  # noqa: F811
    """Township A (contract LA-2026-001, ¥120,000, all of 2026, two enterprises): 龙泉煤业
    inspected once; two hazards at it, one closed, one open with a deadline. Township B: a
    ¥60,000 contract from 1 July 2026 to 30 June 2027 over its two enterprises, no inspection,
    no hazards."""
    visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 3))
    loop = Loop(personas, district)
    loop.reinspect(loop.awaiting_reinspection())
    open_hazard = loop.noticed(deadline=far_deadline(30))
    services.record_service_contract(
        actor=personas.bureau,
        number="LA-2026-002",
        title="马投涧镇隐患排查服务",
        township=district.town_b,
        provider=district.other_provider,
        start_date=dt.date(2026, 7, 1),
        end_date=dt.date(2027, 6, 30),
        price=60000,
        enterprises=[district.chem, district.textile],
    )
    return open_hazard


def publish(district, actor, **changes):
    return awards.publish_award_formula(district.longan, 2026, actor=actor, **{**FORMULA, **changes})


def expected_awards(open_deadline: dt.date, today: dt.date) -> dict[str, float]:
    """The formula worked by hand (floats) for the fixture's records."""
    overdue_a = 1 if today > open_deadline else 0
    spend_a, spend_b = 120000.0, 60000.0 * 184 / 365  # 1 Jul – 31 Dec is 184 of the 365 days
    q_a = (30 * (1 / 2) + 50 * (1 / 2) + 20 * (1 - overdue_a / 2)) / 100
    q_b = (30 * 0 + 50 * 1 + 20 * 1) / 100  # nothing found: closure counts full, nothing overdue
    base = 40000.0
    results = 60000.0
    weighted = spend_a * q_a + spend_b * q_b
    return {
        "龙泉镇": base * spend_a / (spend_a + spend_b) + results * spend_a * q_a / weighted,
        "马投涧镇": base * spend_b / (spend_a + spend_b) + results * spend_b * q_b / weighted,
    }


@pytest.mark.parametrize("late", [False, True])
def test_awards_equal_the_formula_worked_by_hand(personas, district, year_of_work, late):
    publish(district, personas.bureau)
    deadline = year_of_work.deadline
    today = deadline + dt.timedelta(days=1) if late else deadline
    stored = awards.compute_awards(district.longan, 2026, actor=personas.bureau, today=today)
    assert {a.township.name for a in stored} == {"龙泉镇", "马投涧镇"}  # 外区镇 is another district
    by_name = {a.township.name: a for a in Award.objects.select_related("township")}
    a, b = by_name["龙泉镇"], by_name["马投涧镇"]
    assert (a.contracts, a.spend, a.enterprises, a.inspected) == (1, Decimal("120000.00"), 2, 1)
    assert (a.found, a.closed, a.overdue) == (2, 1, 1 if late else 0)
    assert (b.contracts, b.spend, b.enterprises, b.inspected, b.found) == (1, Decimal("30246.58"), 2, 0, 0)
    assert a.coverage_rate == Decimal("50.00") and a.closure_rate == Decimal("50.00")
    assert b.closure_rate == Decimal("100.00") and b.score == Decimal("70.00")
    for name, amount in expected_awards(deadline, today).items():
        assert abs(float(by_name[name].amount) - amount) < 0.01, name
    assert a.amount + b.amount == Decimal(100000)
    assert all(x.status == AwardStatus.DRAFT and x.as_of == today for x in (a, b))


def test_recomputing_replaces_drafts_and_confirming_freezes(personas, district, year_of_work):
    publish(district, personas.bureau)
    awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    first = set(Award.objects.values_list("pk", flat=True))
    awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    assert Award.objects.count() == 2 and not first & set(Award.objects.values_list("pk", flat=True))

    # A new version makes the drafts out of date: confirming them is refused until recomputed.
    publish(district, personas.bureau, pool="80000")
    with pytest.raises(services.ProcurementError, match="第2版"):
        awards.confirm_awards(district.longan, 2026, actor=personas.leader)
    awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    assert sum(Award.objects.values_list("amount", flat=True)) == Decimal(80000)

    assert awards.confirm_awards(district.longan, 2026, actor=personas.leader) == 2
    assert set(Award.objects.values_list("status", flat=True)) == {AwardStatus.CONFIRMED}
    assert AuditEvent.objects.filter(data__event="confirm_award").count() == 2
    notes = Notification.objects.filter(recipient=personas.township)
    assert [n.title for n in notes] == [
        f"2026年以奖代补已确认：龙泉镇 ¥{Award.objects.get(township=district.town_a).amount}"
    ]
    with pytest.raises(services.ProcurementError):
        awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    with pytest.raises(services.ProcurementError):
        publish(district, personas.bureau)


def test_formula_and_computation_are_refused_to_others(personas, district):
    for user in (personas.township, personas.provider, personas.leader):
        with pytest.raises(services.ProcurementPermissionDenied):
            publish(district, user)
    with pytest.raises(services.ProcurementError) as bad:
        publish(district, personas.bureau, base_share="120", closure_weight="60")
    assert set(bad.value.message_dict) == {"base_share", "coverage_weight"}
    with pytest.raises(services.ProcurementError, match="尚未发布"):
        awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    with pytest.raises(services.ProcurementError, match="待确认"):
        awards.confirm_awards(district.longan, 2026, actor=personas.bureau)
    with pytest.raises(services.ProcurementPermissionDenied):
        awards.confirm_awards(district.longan, 2026, actor=personas.township)


def test_award_scope(personas, district, year_of_work):
    publish(district, personas.bureau)
    awards.compute_awards(district.longan, 2026, actor=personas.bureau)
    names = {
        role: set(Award.objects.visible_to(getattr(personas, role)).values_list("township__name", flat=True))
        for role in ("admin", "bureau", "leader", "township", "provider", "expert", "enterprise")
    }
    assert names["bureau"] == names["leader"] == names["admin"] == {"龙泉镇", "马投涧镇"}
    assert names["township"] == {"龙泉镇"}
    assert names["provider"] == names["expert"] == names["enterprise"] == set()
