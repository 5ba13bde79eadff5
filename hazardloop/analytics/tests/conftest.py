"""A small year of the closed loop, built by the real services at past moments (time-machine),
for the dashboard and statistics tests.

2026, in the root `district`:
- 龙泉煤业 (township A): a general hazard found 10 Feb and closed 25 Feb (cost 350); a major
  hazard found 5 Mar, plan with ¥50,000 approved 20 Mar, rectified 10 Apr (cost 20,000),
  closed 15 Apr (so: found in Q1, rectified in Q2).
- 马投涧化工 (township B): a general hazard found 6 May, deadline 1 Jun, never rectified
  (overdue).
- 马投涧纺织厂 (township B): a general hazard found 1 Aug and overturned 3 Aug (a mistake).
- 龙泉机械厂 (township A): a general hazard found 15 Aug by the provider, routed, open.
- 龙泉煤业: one general hazard found 1 Jun 2025 and closed 10 Jun 2025 (the previous year).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from conftest import make_user
from hazardloop.accounts.choices import Role
from hazardloop.hazards import services
from hazardloop.hazards.choices import HazardSource, Verdict
from hazardloop.hazards.tests.conftest import PLAN, Loop, photo


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


class Builder:
    def __init__(self, personas, district):
        self.loop = Loop(personas, district)
        self.p = personas
        self.d = district
        self.chem_user = make_user("chem", Role.ENTERPRISE, enterprise=district.chem)

    def fresh(self, hazard):
        return self.loop.fresh(hazard)

    def register(self, when, **kw):
        with time_machine.travel(when, tick=False):
            return self.fresh(self.loop.register(found_at=when, **kw))

    def notice(self, hazard, when, deadline, actor=None):
        with time_machine.travel(when, tick=False):
            services.issue_notice(
                hazard,
                actor=actor or self.p.safety_unit,
                version=hazard.version,
                requirements="限期整改",
                deadline=deadline,
                halt=False,
            )
        return self.fresh(hazard)

    def rectify(self, hazard, when, cost, actor=None):
        with time_machine.travel(when, tick=False):
            services.submit_rectification(
                hazard,
                actor=actor or self.p.enterprise,
                version=hazard.version,
                measures="已整改",
                responsible_person="李四",
                completed_on=timezone.localdate(),
                cost=cost,
                evidence=[photo("after.jpg")],
            )
        return self.fresh(hazard)

    def reinspect(self, hazard, when):
        with time_machine.travel(when, tick=False):
            services.record_reinspection(
                hazard, actor=self.p.expert, version=hazard.version, verdict=Verdict.PASSED, findings=""
            )
        return self.fresh(hazard)

    def closed_general(self, found, noticed, rectified, closed, cost="350.00", **kw):
        h = self.register(found, **kw)
        h = self.notice(h, noticed, (noticed + dt.timedelta(days=20)).date())
        h = self.rectify(h, rectified, cost)
        return self.reinspect(h, closed)

    def build(self) -> SimpleNamespace:
        p, d = self.p, self.d
        previous = self.closed_general(at(2025, 6, 1), at(2025, 6, 2), at(2025, 6, 5), at(2025, 6, 10))
        general = self.closed_general(at(2026, 2, 10), at(2026, 2, 12), at(2026, 2, 20), at(2026, 2, 25))
        major = self.register(at(2026, 3, 5), major=True)
        # The expert's major is suspected until the unit confirms it; the bureau lists it.
        with time_machine.travel(at(2026, 3, 5, 14), tick=False):
            services.confirm_major(major, actor=p.safety_unit, version=major.version)
            major = self.fresh(major)
            services.list_major(
                major,
                actor=p.bureau,
                version=major.version,
                level="district",
                supervising_unit=major.member_unit,
                deadline=dt.date(2026, 7, 31),
                requirements="按期治理",
            )
        major = self.fresh(major)
        major = self.notice(major, at(2026, 3, 6), dt.date(2026, 6, 30))
        with time_machine.travel(at(2026, 3, 10), tick=False):
            services.submit_plan(
                major, actor=p.enterprise, version=major.version, funds_amount=Decimal("50000"), **PLAN
            )
        major = self.fresh(major)
        with time_machine.travel(at(2026, 3, 20), tick=False):
            services.approve_plan(major, actor=p.safety_unit, version=major.version)
        major = self.fresh(major)
        major = self.rectify(major, at(2026, 4, 10), "20000.00")
        major = self.reinspect(major, at(2026, 4, 15))
        # Only the department's acceptance closes (and de-lists) a major hazard.
        with time_machine.travel(at(2026, 4, 15), tick=False):  # the day the rectification passed
            services.accept_rectification(
                major, actor=p.safety_unit, version=major.version, verdict=Verdict.PASSED, opinion="整改到位"
            )
        major = self.fresh(major)
        chem = self.register(
            at(2026, 5, 6), actor=p.bureau, enterprise=d.chem, source=HazardSource.DEPARTMENT_INSPECTION
        )
        chem = self.notice(chem, at(2026, 5, 7), dt.date(2026, 6, 1))
        textile = self.register(
            at(2026, 8, 1), actor=p.bureau, enterprise=d.textile, source=HazardSource.DEPARTMENT_INSPECTION
        )
        with time_machine.travel(at(2026, 8, 3), tick=False):
            services.overturn_hazard(textile, actor=p.safety_unit, version=textile.version, reason="误判")
        textile = self.fresh(textile)
        machine = self.register(at(2026, 8, 15), actor=p.provider, enterprise=d.machine)
        return SimpleNamespace(
            previous=previous, general=general, major=major, chem=chem, textile=textile, machine=machine
        )


@pytest.fixture
def builder(personas, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Builder(personas, district)


@pytest.fixture
def year(builder):
    """The hazards of 2026 (and one of 2025), as of 24 Nov 2026."""
    hazards = builder.build()
    with time_machine.travel(at(2026, 11, 24), tick=False):
        yield hazards
