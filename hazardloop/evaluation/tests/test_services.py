"""Evaluation services on records built through the real services: each KPI equals a count made
here another way over the same records, ratings are given once by the right parties, scorecards
freeze when confirmed, and payments are adjusted by the contract's rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from hazardloop.accounts import scoping
from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import Refused
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard
from hazardloop.inspections.models import Inspection
from hazardloop.procurement import services as procurement_services
from hazardloop.procurement.models import BreachKind, ComplianceBreach, PlannedVisit, VisitStatus
from hazardloop.procurement.services.compliance import record_compliance

from .. import rules, services
from ..choices import KpiCode, RatingKind, ScorecardStatus
from ..models import Kpi, PaymentAdjustment, Rating, Scorecard, ScorecardKpi
from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = rules.Period("quarter", 2026, 1)


# --- ratings ---------------------------------------------------------------------------------


def test_enterprise_and_officer_each_rate_a_visit_once(personas, world):
    inspection = world.visit(start=at(3, 2, 8))
    mine = services.rate_inspection(inspection, actor=personas.enterprise, score=4, comment="专家认真负责")
    officer = services.rate_inspection(inspection, actor=personas.township, score="5")
    assert (mine.kind, mine.score, officer.kind, officer.score) == (
        RatingKind.ENTERPRISE,
        4,
        RatingKind.OFFICER,
        5,
    )
    assert AuditEvent.objects.filter(target_type__model="rating").count() == 2

    with pytest.raises(services.EvaluationError) as again:
        services.rate_inspection(inspection, actor=personas.enterprise, score=1)
    assert "已评价，不能重复评价" in again.value.message
    # The member unit is the officer's side too: the visit already has its officer rating.
    with pytest.raises(services.EvaluationError):
        services.rate_inspection(inspection, actor=personas.safety_unit, score=2)
    assert sorted(Rating.objects.values_list("score", flat=True)) == [4, 5]


def test_rating_refusals(personas, world):
    inspection = world.visit(start=at(3, 2, 8))
    with pytest.raises(services.EvaluationNotFound):
        services.rate_inspection(inspection, actor=personas.outsider, score=5)  # another enterprise
    with pytest.raises(services.EvaluationNotFound):
        services.rate_inspection(987654, actor=personas.enterprise, score=5)
    with pytest.raises(Refused):
        services.rate_inspection(inspection, actor=personas.provider, score=5)  # rating oneself
    with pytest.raises(Refused):
        services.rate_inspection(inspection, actor=personas.bureau, score=5)
    for bad in (0, 6, "五", None):
        with pytest.raises(services.EvaluationError) as exc:
            services.rate_inspection(inspection, actor=personas.enterprise, score=bad)
        assert exc.value.errors["score"] == ["请选择1到5分。"]
    assert not Rating.objects.exists()


def test_a_draft_cannot_be_rated(personas, world, district):
    from hazardloop.inspections import services as inspection_services

    with time_machine.travel(at(3, 2, 12), tick=False):
        draft = inspection_services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[world.wang, world.zhang, world.zhao],
            leader=world.wang,
            started_at=at(3, 2, 8),
        )
    # The enterprise does not even see a draft (the provider's working copy).
    with pytest.raises(services.EvaluationNotFound):
        services.rate_inspection(draft, actor=personas.enterprise, score=5)
    with pytest.raises(services.EvaluationError) as exc:
        services.rate_inspection(draft, actor=personas.township, score=5)
    assert exc.value.message == "检查记录提交后才能评价。"


# --- KPIs --------------------------------------------------------------------------------------


@pytest.fixture
def quarter(personas, world, district):
    """Q1 2026 at the personas' contract:
    - plan: 龙泉煤业 on 10 Feb, 20 and 27 Mar and 15 Apr (outside Q1); 龙泉机械厂 on 5 Mar, marked done;
      a cancelled visit on 25 Mar;
    - visits: 龙泉煤业 12 Feb (2 findings), 2 Mar (1 finding, report 10 days late), 龙泉机械厂
      9 Mar (1 finding); one in April (outside);
    - loop: the February hazards rectified on 2 Mar, one re-inspected 5 Mar (on time), the other
      20 Mar (late: due 9 Mar); the 9 Mar hazard overturned;
    - ratings: enterprise 4 on both 龙泉煤业 visits; township 5 and member unit 2 as officers."""
    coal, machine = district.coal, district.machine
    world.plan_visit(coal, dt.date(2026, 2, 10))
    world.plan_visit(coal, dt.date(2026, 3, 20))
    world.plan_visit(coal, dt.date(2026, 3, 27))
    world.plan_visit(coal, dt.date(2026, 4, 15))
    world.plan_visit(machine, dt.date(2026, 3, 5), status=VisitStatus.DONE)
    world.plan_visit(machine, dt.date(2026, 3, 25), status=VisitStatus.CANCELLED)
    feb = world.visit(coal, start=at(2, 12, 9), findings=2)
    mar = world.visit(coal, start=at(3, 2, 9), submit=at(3, 12, 11), findings=1)
    mach = world.visit(machine, start=at(3, 9, 9), findings=1)
    world.visit(coal, start=at(4, 8, 9), findings=1)
    h1, h2 = world.hazards_of(feb)
    world.rectify(h1, at(3, 2, 15))
    world.rectify(h2, at(3, 2, 15))
    world.reinspect(h1, at(3, 5, 10))
    world.reinspect(h2, at(3, 20, 10))
    (h_mach,) = world.hazards_of(mach)
    world.overturn(h_mach)
    with time_machine.travel(at(3, 25), tick=False):
        record_compliance(district.contract, today=dt.date(2026, 3, 31))
    services.rate_inspection(feb, actor=personas.enterprise, score=4)
    services.rate_inspection(mar, actor=personas.enterprise, score=4)
    services.rate_inspection(feb, actor=personas.township, score=5)
    services.rate_inspection(mar, actor=personas.safety_unit, score=2)
    return {"feb": feb, "mar": mar, "mach": mach, "late": h2, "overturned": h_mach}


def _in_q1(inspection: Inspection) -> bool:
    return Q1.start <= inspection.started_at.date() <= Q1.end


def test_each_kpi_equals_an_independent_count(world, district, quarter):
    figures = services.measure(district.provider, district.contract, Q1, today=dt.date(2026, 4, 1))

    # Coverage, visit by visit: a planned visit in Q1 is done if marked done, or if a Q1
    # inspection of its enterprise is still unclaimed by an earlier planned visit.
    q1_inspections = [i for i in Inspection.objects.filter(contract=district.contract) if _in_q1(i)]
    unclaimed = [i.enterprise_id for i in q1_inspections]
    planned = PlannedVisit.objects.filter(day__range=(Q1.start, Q1.end)).exclude(status=VisitStatus.CANCELLED)
    done = 0
    for v in planned.order_by("status"):  # done ones first: they stand for an inspection
        if v.enterprise_id in unclaimed:
            unclaimed.remove(v.enterprise_id)
            done += 1
        elif v.status == VisitStatus.DONE:
            done += 1
    assert (figures[KpiCode.COVERAGE].numerator, figures[KpiCode.COVERAGE].denominator) == (
        done,
        planned.count(),
    )
    assert (done, planned.count()) == (3, 4)  # two visits to 龙泉煤业 answer two of its three
    # Mid-quarter, visits planned for later in the quarter are not owed yet.
    mid = services.measure(district.provider, district.contract, Q1, today=dt.date(2026, 3, 15))
    owed = planned.filter(day__lte=dt.date(2026, 3, 15)).count()
    assert (mid[KpiCode.COVERAGE].numerator, mid[KpiCode.COVERAGE].denominator) == (owed, owed) == (2, 2)

    # Compliance: the stored breaches of the four kinds tied to a Q1 inspection or its hazards.
    breaches = [
        b
        for b in ComplianceBreach.objects.filter(contract=district.contract, resolved_at__isnull=True)
        if b.kind != BreachKind.VISITS_SHORT
        and (
            (b.inspection and _in_q1(b.inspection))
            or (b.hazard and b.hazard.inspection_id in {i.pk for i in q1_inspections})
        )
    ]
    assert {b.kind for b in breaches} == {BreachKind.LATE_REPORT, BreachKind.LATE_REINSPECTION}
    m = figures[KpiCode.COMPLIANCE]
    assert (m.numerator, m.denominator) == (len(breaches), len(q1_inspections)) == (2, 3)
    assert m.value == Decimal("0.6667")

    # Findings: 4 hazards from Q1 visits against 1.5 + 1.5 (high-risk) + 0.5 (ordinary) expected.
    hazards = Hazard.objects.filter(inspection_id__in=[i.pk for i in q1_inspections])
    m = figures[KpiCode.FINDINGS]
    assert (m.numerator, m.denominator) == (hazards.count(), Decimal("3.5")) == (4, Decimal("3.5"))

    # Re-inspection: rectified Monday 2 Mar, five working days → due Monday 9 Mar.
    assert hazard_services.add_working_days(dt.date(2026, 3, 2), 5) == dt.date(2026, 3, 9)
    m = figures[KpiCode.REINSPECTION]
    assert (m.numerator, m.denominator) == (1, 2)
    assert m.records["late_hazard"] == [quarter["late"].pk]

    # Overturned: one of the four Q1 hazards.
    m = figures[KpiCode.OVERTURNED]
    assert (
        (m.numerator, m.denominator) == (hazards.filter(status=HazardStatus.OVERTURNED).count(), 4) == (1, 4)
    )
    assert m.records["hazard"] == [quarter["overturned"].pk]

    # Ratings: means over the Q1 visits' ratings.
    assert figures[KpiCode.SATISFACTION].value == Decimal(4)
    assert figures[KpiCode.OFFICER].value == Decimal("3.5")


def test_scorecard_total_is_the_weighted_sum_and_freezes_when_confirmed(personas, world, district, quarter):
    with time_machine.travel(at(4, 1), tick=False):
        card = services.compute_scorecard(
            actor=personas.township, provider=district.provider, contract=district.contract, period=Q1
        )
    rows = {r.code: r for r in card.kpis.all()}
    assert set(rows) == set(KpiCode.values)
    assert rows[KpiCode.COVERAGE].score == Decimal("50.00")  # 3/4 between 0.5 (0) and 1 (100)
    assert rows[KpiCode.OVERTURNED].score == Decimal("0.00")  # 25 % ≥ the 20 % zero point
    expected = sum(r.weight * r.score for r in rows.values()) / sum(r.weight for r in rows.values())
    assert card.total == expected.quantize(Decimal("0.01"))
    assert card.status == ScorecardStatus.DRAFT

    # A new rating changes a recomputed draft: same scorecard, one set of rows.
    services.rate_inspection(quarter["mach"], actor=personas.township, score=1)
    with time_machine.travel(at(4, 2), tick=False):
        again = services.recompute_scorecard(card, actor=personas.township)
    assert again.pk == card.pk and ScorecardKpi.objects.filter(scorecard=card).count() == len(KpiCode.values)
    assert again.kpis.get(code=KpiCode.OFFICER).value == Decimal("2.6667")

    confirmed = services.confirm_scorecard(card, actor=personas.township)
    frozen_total = confirmed.total
    with pytest.raises(services.EvaluationError) as exc:
        services.recompute_scorecard(card, actor=personas.bureau)
    assert "已确认，不能重新计算" in exc.value.message
    with pytest.raises(services.EvaluationError):
        services.confirm_scorecard(card, actor=personas.bureau)
    assert Scorecard.objects.get(pk=card.pk).total == frozen_total


def test_weights_changed_later_do_not_touch_computed_scorecards(personas, world, district, quarter):
    card = services.compute_scorecard(actor=personas.bureau, provider=district.provider, period=Q1)
    before = {r.code: r.weight for r in card.kpis.all()}
    values = {
        k.code: {"weight": k.weight, "target": k.target, "zero_at": k.zero_at} for k in Kpi.objects.all()
    }
    values["coverage"]["weight"] += 5
    with pytest.raises(services.EvaluationError) as exc:
        services.configure_kpis(actor=personas.bureau, kpis=values)
    assert "权重之和应为100" in exc.value.message
    values["findings"]["weight"] -= 5
    services.configure_kpis(actor=personas.bureau, kpis=values, expectations={"high_risk": "3"})
    assert Kpi.objects.get(code="coverage").weight == before["coverage"] + 5
    assert {r.code: r.weight for r in Scorecard.objects.get(pk=card.pk).kpis.all()} == before
    with pytest.raises(Refused):
        services.configure_kpis(actor=personas.township, kpis=values)


def test_who_may_compute_which_scorecard(personas, world, district, quarter):
    with pytest.raises(Refused):
        services.compute_scorecard(actor=personas.township, provider=district.provider, period=Q1)
    with pytest.raises(Refused):
        services.compute_scorecard(
            actor=personas.provider, provider=district.provider, contract=district.contract, period=Q1
        )
    with pytest.raises(services.EvaluationError):  # the contract is not the other firm's
        services.compute_scorecard(
            actor=personas.bureau, provider=district.other_provider, contract=district.contract, period=Q1
        )
    with pytest.raises(services.EvaluationError) as exc:
        services.compute_scorecard(
            actor=personas.bureau,
            provider=district.provider,
            contract=district.contract,
            period=rules.Period("year", 2027),
        )
    assert "不重叠" in exc.value.message
    card = services.compute_scorecard(actor=personas.bureau, provider=district.provider, period=Q1)
    assert card.contract is None
    # Scope: the township sees its contract's scorecards, never the provider-wide one.
    contract_card = services.compute_scorecard(
        actor=personas.bureau, provider=district.provider, contract=district.contract, period=Q1
    )
    visible = {
        role: set(
            scoping.scope(Scorecard.objects.all(), getattr(personas, role)).values_list("pk", flat=True)
        )
        for role in ("bureau", "leader", "township", "provider", "expert", "enterprise", "safety_unit")
    }
    assert visible["bureau"] == visible["leader"] == visible["provider"] == {card.pk, contract_card.pk}
    assert visible["township"] == {contract_card.pk}
    assert visible["expert"] == visible["enterprise"] == visible["safety_unit"] == set()


# --- payment ---------------------------------------------------------------------------------


@pytest.fixture
def milestones(district):
    contract = district.contract
    add = procurement_services.add_payment_milestone
    paid = add(contract, actor=None, name="预付", due_date=dt.date(2026, 1, 31), share=Decimal(30))
    procurement_services.record_payment(paid, actor=None)
    final = add(contract, actor=None, name="年度考核后结算", due_date=dt.date(2027, 1, 31), share=Decimal(30))
    return paid, final


def test_payment_adjustment_arithmetic_and_refusals(personas, world, district, quarter, milestones):
    paid, final = milestones
    card = services.compute_scorecard(
        actor=personas.township, provider=district.provider, contract=district.contract, period=Q1
    )
    with pytest.raises(services.EvaluationError) as exc:
        services.apply_payment_adjustment(card, final, actor=personas.township)
    assert exc.value.message == "考核表确认后才能用于付款调整。"
    services.confirm_scorecard(card, actor=personas.township)
    card.refresh_from_db()
    with pytest.raises(services.EvaluationError):
        services.apply_payment_adjustment(card, paid, actor=personas.township)  # already paid

    adjustment = services.apply_payment_adjustment(card, final, actor=personas.township)
    # The default rule: 100 % from 90, one point below costs 1 %, under 60 pays 50 %.
    share = (
        Decimal(100)
        if card.total >= 90
        else (Decimal(50) if card.total < 60 else Decimal(100) - (90 - card.total))
    )
    assert adjustment.share == share
    assert adjustment.original_amount == final.amount == Decimal("36000.00")
    assert adjustment.adjusted_amount == (final.amount * share / 100).quantize(Decimal("0.01"))
    assert (adjustment.score, adjustment.applied_by) == (card.total, personas.township)
    assert adjustment.rule == {
        "full_score": "90",
        "deduct_per_point": "1",
        "floor_score": "60",
        "floor_share": "50",
    }
    assert AuditEvent.objects.filter(target_type__model="paymentadjustment").count() == 1

    with pytest.raises(services.EvaluationError) as exc:
        services.apply_payment_adjustment(card, final, actor=personas.bureau)
    assert "不能重复调整" in exc.value.message
    assert PaymentAdjustment.objects.count() == 1
    with pytest.raises(Refused):
        services.apply_payment_adjustment(card, final, actor=personas.provider)


def test_contract_rule_replaces_the_default(personas, world, district, quarter, milestones):
    _paid, final = milestones
    with pytest.raises(services.EvaluationError) as exc:
        services.set_payment_rule(
            district.contract,
            actor=personas.bureau,
            full_score=95,
            deduct_per_point=2,
            floor_score=70,
            floor_share=80,
        )
    assert "floor_share" in exc.value.errors
    services.set_payment_rule(
        district.contract,
        actor=personas.bureau,
        full_score=95,
        deduct_per_point=2,
        floor_score=50,
        floor_share=0,
    )
    card = services.compute_scorecard(
        actor=personas.bureau, provider=district.provider, contract=district.contract, period=Q1
    )
    services.confirm_scorecard(card, actor=personas.bureau)
    card.refresh_from_db()
    adjustment = services.apply_payment_adjustment(card, final, actor=personas.bureau)
    total = card.total
    share = Decimal(100) if total >= 95 else (Decimal(0) if total < 50 else Decimal(100) - (95 - total) * 2)
    assert adjustment.share == share.quantize(Decimal("0.01"))
    assert adjustment.adjusted_amount == (Decimal("36000") * share / 100).quantize(Decimal("0.01"))


def test_measuring_takes_the_same_number_of_queries_however_many_records(
    personas, world, district, quarter, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        services.measure(district.provider, district.contract, Q1, today=dt.date(2026, 4, 1))
    # Three more visits with findings, rectified and re-inspected, and more ratings.
    for day in (16, 17, 18):
        inspection = world.visit(start=at(3, day, 9), findings=2)
        for hazard in world.hazards_of(inspection):
            world.reinspect(world.rectify(hazard, at(3, 23, 15)), at(3, 25, 10))
        services.rate_inspection(inspection, actor=personas.enterprise, score=3)
    with django_assert_max_num_queries(len(before)):
        figures = services.measure(district.provider, district.contract, Q1, today=dt.date(2026, 4, 1))
    assert figures[KpiCode.REINSPECTION].denominator == 2 + 6


def test_compute_scorecards_command_computes_drafts_and_leaves_confirmed_ones(
    personas, world, district, quarter
):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("compute_scorecards", "--year", "2026", "--index", "1", "--providers", stdout=out)
    assert "计算 2 份考核表" in out.getvalue()
    card = Scorecard.objects.get(contract=district.contract)
    services.confirm_scorecard(card, actor=personas.bureau)
    out = StringIO()
    call_command("compute_scorecards", "--year", "2026", "--index", "1", stdout=out)
    assert "计算 0 份考核表（草稿），已确认未变 1 份" in out.getvalue()
    assert Scorecard.objects.get(pk=card.pk).status == ScorecardStatus.CONFIRMED
