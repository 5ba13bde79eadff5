"""Evaluation fixtures: the personas' contract (龙泉镇, 龙泉煤业 high-risk and 龙泉机械厂
ordinary) with a stored 2026 plan, and builders for visits, findings and the loop after them, all
through the real services at chosen moments."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import HazardForm, Verdict
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.hazards.tests.conftest import photo
from hazardloop.inspections import services as inspection_services
from hazardloop.procurement.models import InspectionPlan, PlannedVisit, VisitStatus
from hazardloop.registry import services as registry_services
from hazardloop.registry.choices import HazardCategory


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class World:
    """Builders over the personas' district. Every step is a real service call."""

    def __init__(self, personas, district):
        self.p = personas
        self.d = district
        make = registry_services.register_expert
        self.wang = district.expert  # coal, machinery; conflicted at 龙泉机械厂
        self.zhang = make(
            actor=district.admin, provider=district.provider, name="张工", specialties=["general"]
        )
        self.zhao = make(actor=district.admin, provider=district.provider, name="赵工", specialties=["fire"])
        self.qian = make(
            actor=district.admin, provider=district.provider, name="钱工", specialties=["machinery"]
        )
        self.general = HazardLevel.objects.get(code="general")
        self.plan = InspectionPlan.objects.create(contract=district.contract, year=2026)

    def plan_visit(self, enterprise, day: dt.date, *, status=VisitStatus.PLANNED, index=None) -> PlannedVisit:
        index = index if index is not None else self.plan.visits.filter(enterprise=enterprise).count()
        return PlannedVisit.objects.create(
            plan=self.plan, enterprise=enterprise, index=index, month=day.month, day=day, status=status
        )

    def visit(
        self, enterprise=None, *, start: dt.datetime, submit: dt.datetime | None = None, findings: int = 0
    ):
        """A two-hour visit from `start` with `findings` general hazards, submitted at `submit`
        (default: the same evening)."""
        enterprise = enterprise or self.d.coal
        if enterprise == self.d.coal:
            experts, leader = [self.wang, self.zhang, self.zhao], self.wang
        else:
            experts, leader = [self.qian, self.zhang], self.qian
        with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
            inspection = inspection_services.create_inspection(
                actor=self.p.provider,
                enterprise=enterprise,
                experts=experts,
                leader=leader,
                started_at=start,
                ended_at=start + dt.timedelta(hours=2),
                officer_name="刘干事",
                officer_unit="龙泉镇安监站",
            )
            for n in range(findings):
                inspection_services.add_finding(
                    inspection,
                    inspection_services.FindingData(
                        level=self.general,
                        category=HazardCategory.PRODUCTION,
                        form=HazardForm.UNSAFE_STATE,
                        title=f"配电柜前未铺设绝缘垫{n}",
                        description="现场检查发现",
                    ),
                    actor=self.p.provider,
                    photos=[photo(f"f{n}.jpg")],
                )
        with time_machine.travel(submit or start + dt.timedelta(hours=8), tick=False):
            return inspection_services.submit_inspection(inspection, actor=self.p.provider)

    def hazards_of(self, inspection) -> list[Hazard]:
        return list(Hazard.objects.filter(inspection_id=inspection.pk).order_by("pk"))

    def rectify(self, hazard: Hazard, when: dt.datetime) -> Hazard:
        """Notice by the safety unit, then the enterprise's rectification submitted at `when`."""
        hazard = Hazard.objects.get(pk=hazard.pk)
        with time_machine.travel(when - dt.timedelta(days=1), tick=False):
            hazard_services.issue_notice(
                hazard,
                actor=self.p.safety_unit,
                version=hazard.version,
                requirements="立即整改",
                deadline=timezone.localdate() + dt.timedelta(days=30),
            )
        hazard = Hazard.objects.get(pk=hazard.pk)
        with time_machine.travel(when, tick=False):
            hazard_services.submit_rectification(
                hazard,
                actor=self.p.enterprise,
                version=hazard.version,
                measures="已整改",
                responsible_person="李四",
                completed_on=timezone.localdate(),
                cost="100.00",
                evidence=[photo("after.jpg")],
            )
        return Hazard.objects.get(pk=hazard.pk)

    def reinspect(self, hazard: Hazard, when: dt.datetime) -> Hazard:
        hazard = Hazard.objects.get(pk=hazard.pk)
        with time_machine.travel(when, tick=False):
            hazard_services.record_reinspection(
                hazard, actor=self.p.provider, version=hazard.version, verdict=Verdict.PASSED, findings=""
            )
        return Hazard.objects.get(pk=hazard.pk)

    def overturn(self, hazard: Hazard) -> Hazard:
        hazard = Hazard.objects.get(pk=hazard.pk)
        hazard_services.overturn_hazard(
            hazard, actor=self.p.bureau, version=hazard.version, reason="经核实不构成隐患"
        )
        return Hazard.objects.get(pk=hazard.pk)


@pytest.fixture
def world(personas, district):
    return World(personas, district)


@pytest.fixture
def ns():
    return SimpleNamespace()
