"""`load_demo --hazards N`: the province-scale load written in bulk (COPY on PostgreSQL,
executemany on SQLite) holds rows the services would accept and that the readers can count."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from hazardloop.demo.province import NUMBER_PREFIX
from hazardloop.hazards.choices import OPEN_STATES, Closure, HazardStatus
from hazardloop.hazards.models import Hazard, Rectification, ReInspection
from hazardloop.inspections.models import Inspection
from hazardloop.procurement.models import ServiceContract

pytestmark = pytest.mark.django_db

HAZARDS = 300
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load(*args) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker):
    """A little over the case-study district (so that synthetic districts get providers too),
    built once for this module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING), transaction.atomic():
        load("--enterprises", "470", "--hazards", str(HAZARDS))
        yield
        transaction.set_rollback(True)


def synthetic():
    return Hazard.objects.filter(number__startswith=NUMBER_PREFIX)


def test_writes_that_many_hazards_in_every_kind_of_state(province):
    assert synthetic().count() == HAZARDS
    states = Counter(synthetic().values_list("status", flat=True))
    assert states[HazardStatus.CLOSED] > HAZARDS / 2
    assert sum(n for s, n in states.items() if s in OPEN_STATES) > 0
    # Ids continue from the written rows: the next hazard the services register gets a fresh one.
    last = Hazard.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert Hazard.objects.filter(pk__gt=last).count() == 0


def test_synthetic_districts_get_a_provider_and_a_contract_per_township(province):
    contracts = ServiceContract.objects.filter(number__startswith="SYN-")
    assert contracts.exists()
    for contract in contracts:
        enterprises = set(contract.enterprises.values_list("pk", flat=True))
        assert enterprises == set(contract.township.enterprises.values_list("pk", flat=True))
        assert contract.provider.name.endswith(f"（合成 {contract.township.parent.code}）")


def test_findings_belong_to_a_visit_of_the_township_provider_at_their_enterprise(province):
    found = synthetic().filter(inspection__isnull=False).select_related("inspection__contract")
    assert found.exists()
    for hazard in found:
        visit = hazard.inspection
        assert visit.enterprise_id == hazard.enterprise_id
        assert visit.provider_id == hazard.provider_id == visit.contract.provider_id
        assert visit.contract.township_id == hazard.enterprise.township_id
        assert hazard.found_at >= visit.started_at
    # Self-reported hazards have neither provider nor visit.
    assert not synthetic().filter(source="self", provider__isnull=False).exists()
    visits = Inspection.objects.filter(report_number__startswith="PVR-")
    assert visits.exclude(status__in=["submitted", "acknowledged"]).count() == 0


def test_re_inspected_hazards_carry_their_rectification_and_re_inspection(province):
    re_inspected = synthetic().filter(closure=Closure.REINSPECTION)
    assert ReInspection.objects.filter(hazard__in=synthetic()).count() == re_inspected.count()
    waiting = synthetic().filter(status=HazardStatus.AWAITING_REINSPECTION)
    assert (
        Rectification.objects.filter(hazard__in=synthetic()).count() == re_inspected.count() + waiting.count()
    )
    for record in ReInspection.objects.filter(hazard__in=re_inspected).select_related("hazard"):
        hazard = record.hazard
        assert record.inspected_at == hazard.closed_at and record.provider_id == hazard.provider_id
        assert hazard.rectifications.get().submitted_at <= record.inspected_at
    assert not ReInspection.objects.filter(hazard__closure=Closure.ON_THE_SPOT).exists()


def test_a_second_run_refuses_and_writes_nothing(province):
    with pytest.raises(CommandError):
        load("--hazards", "20")
    assert synthetic().count() == HAZARDS
