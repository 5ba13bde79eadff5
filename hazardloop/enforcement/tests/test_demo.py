import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from hazardloop.core.demo import DemoContext
from hazardloop.enforcement import demo, services
from hazardloop.enforcement.models import EnforcementAction
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard, Notification

pytestmark = pytest.mark.django_db


def quiet() -> DemoContext:
    return DemoContext(log=lambda message: None)


def test_demo_without_hazards_makes_standalone_records_only(personas):
    demo.build_enforcement(quiet())
    assert EnforcementAction.objects.exists()
    assert not EnforcementAction.objects.filter(hazards__isnull=False).exists()


def test_demo_enforces_overdue_hazards_and_crosses_art113(personas, district, loop):
    past = timezone.now() - dt.timedelta(days=150)
    with time_machine.travel(past, tick=False):
        overdue = loop.rectifying(major=True, deadline=timezone.localdate() + dt.timedelta(days=20))
        general = loop.rectifying(deadline=timezone.localdate() + dt.timedelta(days=10))
    demo.build_enforcement(quiet())
    assert Hazard.objects.get(pk=general.pk).status == HazardStatus.UNDER_ENFORCEMENT
    assert Hazard.objects.get(pk=overdue.pk).status == HazardStatus.UNDER_ENFORCEMENT
    assert services.art113_status(district.coal.pk).flagged
    assert Notification.objects.filter(recipient=personas.bureau, title__contains="第一百一十三条").exists()
    assert EnforcementAction.objects.filter(kind="propose_closure", enterprise=district.coal).exists()


def test_demo_is_deterministic_and_rerunnable(personas):
    demo.build_enforcement(quiet())
    first = sorted(EnforcementAction.objects.values_list("kind", "enterprise_id", "decided_on"))
    EnforcementAction.objects.all().delete()
    demo.build_enforcement(quiet())
    assert sorted(EnforcementAction.objects.values_list("kind", "enterprise_id", "decided_on")) == first
    demo.build_enforcement(quiet())  # a second run adds, never collides on document numbers
    assert EnforcementAction.objects.count() == 2 * len(first)
