import pytest
from django.utils import timezone

from hazardloop.core.demo import DemoContext
from hazardloop.hazards.models import Hazard
from hazardloop.inspections import demo
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection

pytestmark = pytest.mark.django_db


def test_demo_step_records_rule_abiding_visits_in_the_past(personas, district, team):
    demo.build_inspections(DemoContext(log=lambda _msg: None))
    inspections = list(Inspection.objects.prefetch_related("members__expert"))
    assert {i.enterprise for i in inspections} == {district.coal, district.machine}
    assert all(i.status != InspectionStatus.DRAFT and not i.team_deviation for i in inspections)
    for inspection in inspections:
        experts = {m.expert for m in inspection.members.all()}
        assert len(experts) >= inspection.enterprise.team_size.minimum
        if inspection.enterprise == district.machine:
            assert team.wang not in experts  # conflicted with 龙泉机械厂
    now = timezone.now()
    for hazard in Hazard.objects.all():
        assert hazard.inspection_id in {i.pk for i in inspections}
        assert hazard.found_at < now
