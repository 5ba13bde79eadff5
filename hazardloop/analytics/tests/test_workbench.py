"""The task-first workbench: each role's to-do items come from its own scope, by a hand-built
case (the root personas: 龙泉煤业 coal and 龙泉机械厂 in township A, coal with an account)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hazardloop.analytics.workbench import task_lists
from hazardloop.hazards import services
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.procurement.models import InspectionPlan, PlannedVisit
from hazardloop.registry.choices import HazardCategory


def _hazard(personas, enterprise, title, actor=None) -> Hazard:
    hazard = services.register_hazard(
        actor=actor or personas.provider,
        enterprise=enterprise,
        level=HazardLevel.objects.get(code="general"),
        category=HazardCategory.PRODUCTION,
        form="state",
        title=title,
        description="现场检查发现",
    )
    return Hazard.objects.get(pk=hazard.pk)


def _notice(personas, hazard, days) -> Hazard:
    services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="立即整改",
        deadline=timezone.localdate() + dt.timedelta(days=days),
    )
    return Hazard.objects.get(pk=hazard.pk)


def _titles(user, key):
    today = timezone.localdate()
    for task_list in task_lists(user, today):
        if task_list.key == key:
            return [t.title for t in task_list.tasks]
    return None


@pytest.fixture
def case(personas, district):
    """Three hazards, all routed to 区应急管理局:
    - A at coal, noticed with 20 days; B at machine (no account), noticed with 5 days;
    - C at coal, routed, waiting for its notice."""
    a = _notice(personas, _hazard(personas, district.coal, "甲：配电柜前未铺绝缘垫"), 20)
    b = _notice(personas, _hazard(personas, district.machine, "乙：消防通道堆放杂物"), 5)
    c = _hazard(personas, district.coal, "丙：皮带机头防护罩缺失")
    return a, b, c


def test_the_member_unit_sees_the_notice_to_issue_and_can_record_for_the_enterprise_without_account(
    case, personas
):
    a, b, c = case
    assert _titles(personas.safety_unit, "mine") == [f"{c.number} {c.title}"]
    assert _titles(personas.safety_unit, "on_behalf") == [f"{b.number} {b.title}"]
    # The fire brigade has no hazard routed to it: nothing of the safety unit's work shows.
    assert _titles(personas.fire, "mine") == []
    assert _titles(personas.fire, "on_behalf") == []


def test_the_enterprise_sees_its_notices_soonest_deadline_first_with_a_countdown(case, personas):
    a, b, c = case
    today = timezone.localdate()
    [mine] = [tl for tl in task_lists(personas.enterprise, today) if tl.key == "mine"]
    assert [t.title for t in mine.tasks] == [f"{a.number} {a.title}"]
    assert mine.tasks[0].days_left(today) == 20
    assert mine.tasks[0].url == reverse("hazards:detail", args=[a.pk])
    assert _titles(personas.outsider, "mine") == []


def test_the_township_may_record_only_for_its_enterprises_without_account(case, personas):
    a, b, c = case
    assert _titles(personas.township, "on_behalf") == [f"{b.number} {b.title}"]


def test_the_bureau_sees_the_meetings_list_and_no_hazard_waiting_for_it(case, personas):
    assert _titles(personas.bureau, "mine") == []
    assert _titles(personas.bureau, "meetings") == []


def test_an_expert_sees_the_planned_visits_of_this_week_whose_team_they_are_in(personas, district):
    today = timezone.localdate()
    plan = InspectionPlan.objects.create(contract=district.contract, year=today.year)
    mine = PlannedVisit.objects.create(
        plan=plan, enterprise=district.coal, index=0, month=today.month, day=today + dt.timedelta(days=2)
    )
    mine.team.set([district.expert])
    later = PlannedVisit.objects.create(
        plan=plan, enterprise=district.coal, index=1, month=today.month, day=today + dt.timedelta(days=30)
    )
    later.team.set([district.expert])
    others = PlannedVisit.objects.create(
        plan=plan, enterprise=district.machine, index=0, month=today.month, day=today
    )
    others.team.set([district.other_expert])
    [visits] = [tl for tl in task_lists(personas.expert, today) if tl.key == "visits"]
    assert [(t.title, t.due) for t in visits.tasks] == [(district.coal.name, mine.day)]
    assert (
        visits.tasks[0].url == f"{reverse('inspections:new')}?visit={mine.pk}&enterprise={district.coal.pk}"
    )
    # The firm sees both of its visits this week, whoever is in the team.
    [firm] = [tl for tl in task_lists(personas.provider, today) if tl.key == "visits"]
    assert [t.due for t in firm.tasks] == [others.day, mine.day]


def test_the_workbench_page_lists_the_tasks_above_the_counts(client, case, personas):
    a, b, c = case
    client.force_login(personas.safety_unit)
    page = client.get(reverse("home")).content.decode()
    assert page.index('data-testid="tasks"') < page.index('data-testid="loop-stages"')
    assert c.number in page and "下达整改通知书" in page
    assert "代企业录入整改" in page
