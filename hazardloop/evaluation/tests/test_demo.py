"""The demo step on the test district: ratings after the visits, quarterly scorecards (finished
quarters confirmed, the running one a draft) and the pending milestone adjusted."""

import datetime as dt

import pytest

from hazardloop.core.demo import DemoContext
from hazardloop.procurement import services as procurement_services

from ..choices import ScorecardStatus
from ..demo import build_evaluation
from ..models import PaymentAdjustment, Rating, Scorecard
from .conftest import at

pytestmark = pytest.mark.django_db


def test_demo_step_rates_scores_and_adjusts(world, district):
    world.plan_visit(district.coal, dt.date(2026, 2, 10))
    world.visit(start=at(2, 12, 9), findings=1)
    world.visit(district.machine, start=at(8, 3, 9))
    milestone = procurement_services.add_payment_milestone(
        district.contract, actor=None, name="年度考核后结算", due_date=dt.date(2027, 1, 31), share=30
    )
    build_evaluation(DemoContext(log=lambda _msg: None))
    # The township rates most visits; 龙泉煤业 has a login and rates its own.
    assert Rating.objects.filter(kind="officer").count() >= 1
    cards = Scorecard.objects.filter(contract=district.contract).order_by("period_start")
    # Q2 had nothing to measure (no visit planned or made): it stays a draft without a total.
    # Q4 is still running on the demo's today (and empty here): a draft too.
    assert [(c.period.index, c.status, c.total is None) for c in cards] == [
        (1, ScorecardStatus.CONFIRMED, False),
        (2, ScorecardStatus.DRAFT, True),
        (3, ScorecardStatus.CONFIRMED, False),
        (4, ScorecardStatus.DRAFT, True),
    ]
    adjustment = PaymentAdjustment.objects.get(milestone=milestone)
    assert adjustment.scorecard.is_confirmed and adjustment.scorecard.contract == district.contract
    # A second run leaves everything as it is.
    build_evaluation(DemoContext(log=lambda _msg: None))
    assert PaymentAdjustment.objects.count() == 1
