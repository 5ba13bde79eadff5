"""Contract compliance: breaches found from records built through the real services, stored
idempotently, and shown on the contract page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import Verdict
from hazardloop.hazards.tests.conftest import Loop
from hazardloop.inspections import services as inspection_services
from hazardloop.registry import services as registry_services

from ..models import BreachKind, ComplianceBreach, ServiceContract
from ..services import compliance


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, hour))


@pytest.fixture
def team(district):
    make = registry_services.register_expert
    return SimpleNamespace(
        wang=district.expert,  # coal, machinery
        zhang=make(actor=district.admin, provider=district.provider, name="张工", specialties=["general"]),
        zhao=make(actor=district.admin, provider=district.provider, name="赵工", specialties=["fire"]),
    )


def visit(personas, district, team, *, start: dt.datetime, submit: dt.datetime, experts=None, **extra):
    """A visit to 龙泉煤业 (high-risk) lasting two hours from `start`, submitted at `submit`."""
    experts = experts or [team.wang, team.zhang, team.zhao]
    with time_machine.travel(start + dt.timedelta(hours=3), tick=False):
        inspection = inspection_services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=experts,
            leader=team.wang,
            started_at=start,
            ended_at=start + dt.timedelta(hours=2),
            **extra,
        )
    with time_machine.travel(submit, tick=False):
        return inspection_services.submit_inspection(inspection, actor=personas.provider)


def kinds(breaches, **filters) -> set[str]:
    return {b.kind for b in breaches if all(getattr(b, k) == v for k, v in filters.items())}


def test_compliant_inspection_flags_nothing(personas, district, team):
    inspection = visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 3))
    assert compliance.report_on_time(inspection, district.contract)
    assert compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 3)) == []


def test_short_team_is_flagged(personas, district, team, settings):
    # The contract asks for four experts at high-risk enterprises. Inspections hold teams to the
    # same standard: a district that allows deviations records the three-expert visit as one,
    # and compliance counts it against the provider with the contract's figure.
    settings.INSPECTION_ALLOW_TEAM_DEVIATION = True
    ServiceContract.objects.filter(pk=district.contract.pk).update(team_high_risk_min=4)
    contract = ServiceContract.objects.get(pk=district.contract.pk)
    inspection = visit(
        personas, district, team, start=at(3, 2, 8), submit=at(3, 3), deviation_reason="一名专家临时请假"
    )
    assert inspection.team_deviation
    breaches = compliance.check_contract_compliance(contract, today=dt.date(2026, 3, 3))
    assert kinds(breaches, inspection_id=inspection.pk) == {BreachKind.SHORT_TEAM}
    short = breaches[0]
    assert short.expected == "4–5 人" and short.actual == "3 人"


def test_missing_specialty_is_flagged(personas, district, team):
    ServiceContract.objects.filter(pk=district.contract.pk).update(team_high_risk_min=2)
    contract = ServiceContract.objects.get(pk=district.contract.pk)
    # Service-side the coal specialist is required, so the team has 王工; drop the specialty
    # afterwards to see the contract check notice a team without it.
    inspection = visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 3))
    district.expert.specialty_rows.filter(specialty="coal").delete()
    breaches = compliance.check_contract_compliance(contract, today=dt.date(2026, 3, 3))
    assert BreachKind.MISSING_SPECIALTY in kinds(breaches, inspection_id=inspection.pk)


def test_late_report_is_flagged(personas, district, team):
    # Ended 2 March 10:00; the limit is 7 days; submitted 12 March.
    inspection = visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 12))
    assert not compliance.report_on_time(inspection, district.contract)
    breaches = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 12))
    assert kinds(breaches, inspection_id=inspection.pk) == {BreachKind.LATE_REPORT}
    assert breaches[0].actual == "10 天 0 小时"


def test_unsubmitted_report_past_limit_is_flagged(personas, district, team):
    with time_machine.travel(at(3, 2, 12), tick=False):
        draft = inspection_services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang, team.zhao],
            leader=team.wang,
            started_at=at(3, 2, 8),
            ended_at=at(3, 2, 10),
        )
    assert compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 9)) == []
    late = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 10))
    assert [(b.kind, b.inspection_id, b.actual) for b in late] == [
        (BreachKind.LATE_REPORT, draft.pk, "未提交")
    ]


@pytest.fixture
def rectified(personas, district):
    """A provider finding at 龙泉煤业, noticed, rectification submitted on Friday 6 March 2026."""
    loop = Loop(personas, district)
    with time_machine.travel(at(3, 2), tick=False):
        hazard = loop.noticed()
    with time_machine.travel(at(3, 6), tick=False):
        loop.rectify(loop.fresh(hazard))
    return loop.fresh(hazard)


def reinspect(personas, hazard, when):
    with time_machine.travel(when, tick=False):
        hazard_services.record_reinspection(
            hazard, actor=personas.expert, version=hazard.version, verdict=Verdict.PASSED
        )


def test_late_reinspection_is_flagged(personas, district, rectified):
    assert rectified.provider_id == district.provider.pk
    # Five working days after Friday 6 March is Friday 13 March.
    pending = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 13))
    assert kinds(pending, hazard_id=rectified.pk) == set()
    overdue = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 16))
    assert kinds(overdue, hazard_id=rectified.pk) == {BreachKind.LATE_REINSPECTION}
    reinspect(personas, rectified, at(3, 20))
    done = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 20))
    late = [b for b in done if b.hazard_id == rectified.pk]
    assert [b.kind for b in late] == [BreachKind.LATE_REINSPECTION]
    assert "2026-03-20" in late[0].actual and "2026-03-13" in late[0].actual


def test_reinspection_on_time_flags_nothing(personas, district, rectified):
    reinspect(personas, rectified, at(3, 13))
    breaches = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 20))
    assert kinds(breaches, hazard_id=rectified.pk) == set()


def test_visits_pro_rated(district):
    # 龙泉煤业 (high-risk) owes 4 a year, spread evenly; 龙泉机械厂 its class's count; none done.
    assert (
        compliance.visits_expected(4, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 3, 31)) == 0
    )
    # A quarter of 365 days is 91.25: the first visit is owed once 92 days (to 2 April) have run.
    assert compliance.visits_expected(4, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 4, 1)) == 0
    assert compliance.visits_expected(4, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 4, 2)) == 1
    assert (
        compliance.visits_expected(4, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 12, 31)) == 4
    )
    assert (
        compliance.visits_expected(4, dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2025, 12, 31)) == 0
    )
    breaches = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 12, 31))
    short = {b.enterprise_id: b for b in breaches if b.kind == BreachKind.VISITS_SHORT}
    assert set(short) == {district.coal.pk, district.machine.pk}
    assert short[district.coal.pk].actual == "0 次"


def test_record_compliance_is_idempotent(personas, district, team, rectified):
    visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 12))
    first = compliance.record_compliance(district.contract, today=dt.date(2026, 3, 16))
    assert first == {"found": 2, "created": 2, "updated": 0, "resolved": 0}
    assert set(ComplianceBreach.objects.values_list("kind", flat=True)) == {
        BreachKind.LATE_REPORT,
        BreachKind.LATE_REINSPECTION,
    }
    again = compliance.record_compliance(district.contract, today=dt.date(2026, 3, 16))
    assert again == {"found": 2, "created": 0, "updated": 0, "resolved": 0}
    assert ComplianceBreach.objects.count() == 2
    # Re-inspected late: the same breach is updated, not duplicated.
    reinspect(personas, rectified, at(3, 20))
    later = compliance.record_compliance(district.contract, today=dt.date(2026, 3, 20))
    assert later == {"found": 2, "created": 0, "updated": 1, "resolved": 0}
    assert ComplianceBreach.objects.count() == 2


def test_command_checks_contracts_in_force(personas, district, team):
    visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 12))
    call_command("check_compliance", "--date", "2026-03-12")
    call_command("check_compliance", "--date", "2026-03-12")
    assert list(ComplianceBreach.objects.values_list("kind", flat=True)) == [BreachKind.LATE_REPORT]


def test_contract_page_shows_fulfilment(client, personas, district, team):
    visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 12))
    compliance.record_compliance(district.contract, today=dt.date(2026, 3, 12))
    client.force_login(personas.bureau)
    response = client.get(reverse("procurement:contract_detail", args=[district.contract.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "履约情况" in html
    assert "报告逾期" in html
    assert response.context["fulfilment"]["visits_done"] == 1
    assert response.context["fulfilment"]["on_time_share"] == 0


def test_breaches_follow_the_contract_scope(personas, district, team):
    visit(personas, district, team, start=at(3, 2, 8), submit=at(3, 12))
    compliance.record_compliance(district.contract, today=dt.date(2026, 3, 12))
    for name in ("township", "provider", "bureau"):
        assert ComplianceBreach.objects.visible_to(getattr(personas, name)).count() == 1, name
    for name in ("enterprise", "outsider"):
        assert not ComplianceBreach.objects.visible_to(getattr(personas, name)).exists(), name


def test_recorded_team_deviation_counts(settings, personas, district, team):
    settings.INSPECTION_ALLOW_TEAM_DEVIATION = True
    with time_machine.travel(at(3, 2, 12), tick=False):
        inspection = inspection_services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang],
            leader=team.wang,
            started_at=at(3, 2, 8),
            ended_at=at(3, 2, 10),
            deviation_reason="一名专家临时生病",
        )
    with time_machine.travel(at(3, 3), tick=False):
        inspection_services.submit_inspection(inspection, actor=personas.provider)
    assert inspection.team_deviation
    breaches = compliance.check_contract_compliance(district.contract, today=dt.date(2026, 3, 3))
    [short] = [b for b in breaches if b.inspection_id == inspection.pk]
    assert (short.kind, short.expected, short.actual) == (BreachKind.SHORT_TEAM, "3–5 人", "2 人")
    assert "一名专家临时生病" in short.note


def test_contract_page_without_breaches(client, personas, district):
    client.force_login(personas.township)
    response = client.get(reverse("procurement:contract_detail", args=[district.contract.pk]))
    assert response.status_code == 200
    assert 'data-testid="no-breaches"' in response.content.decode()
    assert response.context["fulfilment"]["on_time_share"] is None
