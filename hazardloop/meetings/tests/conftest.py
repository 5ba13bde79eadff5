"""A month of hazards around the root personas, built by the real services at the moments they
happened (time-machine), and a scheduled meeting that reviews that month."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from conftest import make_user
from hazardloop.accounts.choices import Role
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.tests.conftest import Loop, far_deadline, photo
from hazardloop.meetings import services
from hazardloop.meetings.rules import Period
from hazardloop.registry.choices import HazardCategory


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def loop(personas, district):
    return Loop(personas, district)


@pytest.fixture
def scene(personas, district, loop):
    """The month under review (last month) and the month before it:

    last month: h_coal (general, expert, coal, 06), h_major (major, expert, coal: listed),
    h_chem (general, bureau, chem, township B, 26), h_machine (general, provider, machine, 34),
    h_wrong (general at textile, overturned: not counted), h_outside (neighbour district);
    the month before: g_overdue (notice with a deadline long past), g_rectified
    (awaiting re-inspection, now overdue), g_spot (closed on the spot, never routed); this month: h_now.
    """
    p, d = personas, district
    today = timezone.localdate()
    period = Period.containing(today).previous
    before = period.previous
    s = SimpleNamespace(period=period, before=before, p=p, d=d)

    s.h_coal = loop.register(found_at=at(period.first_day + dt.timedelta(days=2)))
    s.h_major = loop.register(major=True, found_at=at(period.first_day + dt.timedelta(days=4)))
    # Listing is the government's act after it confirms the expert's suspected major.
    hazard_services.confirm_major(s.h_major, actor=p.safety_unit, version=s.h_major.version)
    s.h_major = loop.fresh(s.h_major)
    hazard_services.list_major(
        s.h_major,
        actor=p.bureau,
        version=s.h_major.version,
        level="district",
        supervising_unit=s.h_major.member_unit,
        deadline=far_deadline(90),
        requirements="按期治理",
    )
    s.h_major = loop.fresh(s.h_major)
    s.h_chem = loop.register(
        actor=p.bureau,
        enterprise=d.chem,
        found_at=at(period.first_day + dt.timedelta(days=6)),
        source="department",
    )
    s.h_machine = loop.register(
        actor=p.provider, enterprise=d.machine, found_at=at(period.first_day + dt.timedelta(days=8))
    )
    wrong = loop.register(
        actor=p.bureau,
        enterprise=d.textile,
        found_at=at(period.first_day + dt.timedelta(days=9)),
        source="department",
    )
    wrong = loop.fresh(wrong)
    hazard_services.overturn_hazard(wrong, actor=p.bureau, version=wrong.version, reason="误判")
    s.h_wrong = loop.fresh(wrong)

    neighbour = d.town_x.parent
    s.other_bureau = make_user("other_bureau", Role.BUREAU, region=neighbour)
    s.h_outside = loop.register(
        actor=s.other_bureau,
        enterprise=d.outsider,
        found_at=at(period.first_day + dt.timedelta(days=3)),
        source="department",
    )

    # The month before: one hazard whose notice deadline ran out long ago.
    with time_machine.travel(at(before.first_day + dt.timedelta(days=9), 12), tick=False):
        g = loop.fresh(loop.register(found_at=at(before.first_day + dt.timedelta(days=9))))
        hazard_services.issue_notice(
            g,
            actor=p.safety_unit,
            version=g.version,
            requirements="限期整改",
            deadline=before.first_day + dt.timedelta(days=15),
        )
    s.g_overdue = loop.fresh(g)
    # …and one rectified then, whose re-inspection is now overdue.
    with time_machine.travel(at(before.first_day + dt.timedelta(days=11), 12), tick=False):
        g2 = loop.fresh(
            loop.register(
                actor=p.bureau,
                enterprise=d.coal,
                found_at=at(before.first_day + dt.timedelta(days=11)),
                source="department",
            )
        )
        hazard_services.issue_notice(
            g2, actor=p.safety_unit, version=g2.version, requirements="整改", deadline=far_deadline()
        )
        s.g_rectified = loop.rectify(loop.fresh(g2))
    with time_machine.travel(at(before.first_day + dt.timedelta(days=12), 12), tick=False):
        s.g_spot = loop.register(
            found_at=at(before.first_day + dt.timedelta(days=12)),
            on_the_spot=hazard_services.OnTheSpotFix(
                measures="当场铺设绝缘垫", responsible_person="张三", evidence=[photo("after.jpg")]
            ),
        )
    s.h_now = loop.register(category=HazardCategory.PRODUCTION)
    s.meeting = schedule(p, d, period)
    return s


def schedule(p, d, period: Period):
    return services.schedule_meeting(
        actor=p.bureau,
        district=d.longan,
        year=period.year,
        month=period.month,
        scheduled_at=at(period.next.first_day + dt.timedelta(days=9), 9),
        place="区政府三楼会议室",
        convener=p.leader,
        member_units=[d.safety, d.fire],
    )


@pytest.fixture
def gated():
    with override_settings(HAZARD_FEEDBACK_GATE_GENERAL=True):
        yield
