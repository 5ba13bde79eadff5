import pytest
from django.utils import timezone

from hazardloop.core.demo import DemoContext
from hazardloop.hazards.models import Hazard
from hazardloop.inspections import demo
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection
from hazardloop.procurement import services as procurement_services
from hazardloop.procurement.models import PlanMethod, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(district, team):
    """The fixture contract's year planned by the greedy baseline (fast, checked the same way)."""
    return procurement_services.solve_contract_plan(
        district.contract, demo.DEMO_YEAR, actor=None, method=PlanMethod.GREEDY
    )


def _shares(monkeypatch, missed=0.0, late=0.0, short=0.0):
    monkeypatch.setattr(demo, "MISSED_SHARE", missed)
    monkeypatch.setattr(demo, "LATE_SHARE", late)
    monkeypatch.setattr(demo, "SHORT_TEAM_SHARE", short)


def _teams(visits):
    return {v.pk: sorted(m.pk for m in v.team.all()) for v in visits}


def test_demo_step_records_each_planned_visit_on_its_day_by_its_team(monkeypatch, district, team, plan):
    _shares(monkeypatch)
    visits = list(plan.visits.prefetch_related("team").order_by("day"))
    due = [v for v in visits if v.day < demo.DEMO_TODAY]
    assert due
    planned_teams = _teams(visits)

    demo.build_inspections(DemoContext(log=lambda _msg: None))

    inspections = list(Inspection.objects.prefetch_related("members__expert").order_by("started_at"))
    assert all(i.status != InspectionStatus.DRAFT and not i.team_deviation for i in inspections)
    recorded = sorted(
        (i.enterprise_id, timezone.localdate(i.started_at), sorted(m.expert_id for m in i.members.all()))
        for i in inspections
    )
    assert recorded == sorted((v.enterprise_id, v.day, planned_teams[v.pk]) for v in due)
    for visit in plan.visits.all():
        assert visit.status == (VisitStatus.DONE if visit.day < demo.DEMO_TODAY else VisitStatus.PLANNED)
    machine = [i for i in inspections if i.enterprise == district.machine]
    assert all(team.wang.pk not in {m.expert_id for m in i.members.all()} for i in machine)  # conflicted
    now = timezone.now()
    for hazard in Hazard.objects.all():
        assert hazard.inspection_id in {i.pk for i in inspections}
        assert hazard.found_at < now


def test_a_missed_visit_stays_planned_and_records_nothing(monkeypatch, plan):
    _shares(monkeypatch, missed=1.0)
    demo.build_inspections(DemoContext(log=lambda _msg: None))
    assert not Inspection.objects.exists()
    assert set(plan.visits.values_list("status", flat=True)) == {VisitStatus.PLANNED}


def test_a_late_visit_is_recorded_after_its_planned_day_and_before_today(monkeypatch, plan):
    _shares(monkeypatch, late=1.0)
    due = {v.enterprise_id * 10 + v.index: v.day for v in plan.visits.filter(day__lt=demo.DEMO_TODAY)}
    demo.build_inspections(DemoContext(log=lambda _msg: None))
    days = sorted(timezone.localdate(i.started_at) for i in Inspection.objects.all())
    assert len(days) == len(due)
    # Per enterprise, the k-th record falls after the k-th planned day (each one 2–7 working days on).
    for enterprise_id in {key // 10 for key in due}:
        planned = sorted(d for key, d in due.items() if key // 10 == enterprise_id)
        done = sorted(
            timezone.localdate(i.started_at) for i in Inspection.objects.filter(enterprise_id=enterprise_id)
        )
        assert all(p < d < demo.DEMO_TODAY for p, d in zip(planned, done, strict=True))
    assert not plan.visits.filter(day__lt=demo.DEMO_TODAY, status=VisitStatus.PLANNED).exists()


def test_a_short_team_is_recorded_as_a_deviation_with_its_reason(monkeypatch, plan):
    _shares(monkeypatch, short=1.0)
    demo.build_inspections(DemoContext(log=lambda _msg: None))
    inspections = list(Inspection.objects.prefetch_related("members"))
    assert inspections and all(i.team_deviation for i in inspections)
    assert all(i.deviation_reason in demo.SHORT_TEAM_REASONS for i in inspections)
    for inspection in inspections:
        required = inspection.contract.team_requirement(inspection.enterprise)
        assert len(inspection.members.all()) == required.minimum - 1
