"""Every step of an enforcement record tried by every persona, written out by hand: the deciding
unit (safety) and the district bureau may fulfil, revoke and conclude; everyone else is refused
— 404 where the record is not theirs to see, 403 where they see it but may not act — with the
record, its hazards and the audit log unchanged. The page offers exactly the allowed steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import NotVisible, Refused
from hazardloop.core.workflows import offered
from hazardloop.enforcement import services
from hazardloop.enforcement.choices import ActionKind, ActionStatus
from hazardloop.enforcement.models import EnforcementAction
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard
from hazardloop.hazards.tests.conftest import far_deadline

pytestmark = pytest.mark.django_db
A = ActionStatus

PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "police",
    "fire",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]
# Who sees the safety unit's record at the coal mine (scope) and who may act on it, by hand.
ACTORS = frozenset({"bureau", "safety_unit"})
SEES = frozenset({"admin", "bureau", "leader", "safety_unit", "township", "enterprise"})


@dataclass(frozen=True)
class Case:
    act: Callable
    to_state: str


CASES = {
    "fulfil": Case(
        act=lambda a, u: services.record_fulfilment(
            a, actor=u, fulfilled_on=timezone.localdate(), note="罚款已缴纳"
        ),
        to_state=A.FULFILLED,
    ),
    "revoke": Case(
        act=lambda a, u: services.revoke_action(a, actor=u, reason="复议撤销"),
        to_state=A.REVOKED,
    ),
    "conclude_hazard": Case(
        act=lambda a, u: services.conclude_hazard_enforcement(
            a, a.hazards.get(), actor=u, deadline=far_deadline(), note="已处罚，恢复整改"
        ),
        to_state=A.IN_FORCE,
    ),
}


@pytest.fixture
def build(loop, record):
    def _build() -> EnforcementAction:
        return record(ActionKind.FINE, hazards=[loop.rectifying()])

    return _build


def snapshot(action: EnforcementAction) -> tuple:
    a = EnforcementAction.objects.get(pk=action.pk)
    return (
        a.status,
        a.fulfilled_on,
        a.revoked_at,
        a.updated_at,
        AuditEvent.objects.count(),
        tuple(Hazard.objects.order_by("pk").values_list("status", "version")),
    )


@pytest.mark.parametrize("name", list(CASES))
def test_each_persona_may_take_exactly_the_steps_in_the_table(name, personas, build):
    case = CASES[name]
    action = build()
    for persona in PERSONAS:
        user = getattr(personas, persona)
        if persona in ACTORS:
            target = build()  # a fresh record each, as a step may move it
            case.act(EnforcementAction.objects.get(pk=target.pk), user)
            assert EnforcementAction.objects.get(pk=target.pk).status == case.to_state, persona
            continue
        before = snapshot(action)
        expected = Refused if persona in SEES else NotVisible
        with pytest.raises(expected) as refusal:
            case.act(EnforcementAction.objects.get(pk=action.pk), user)
        assert refusal.value.message, persona
        assert snapshot(action) == before, persona


def test_concluding_returns_the_hazard_to_rectification(personas, build):
    action = build()
    hazard = action.hazards.get()
    assert hazard.status == HazardStatus.UNDER_ENFORCEMENT
    CASES["conclude_hazard"].act(action, personas.safety_unit)
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


# The states each step leaves open, by hand: fulfil only in force; revoke in force or fulfilled.
STATES = {
    "in_force": lambda a, p: None,
    "fulfilled": lambda a, p: CASES["fulfil"].act(a, p.bureau),
    "revoked": lambda a, p: CASES["revoke"].act(a, p.bureau),
}
OPEN_IN = {"fulfil": {"in_force"}, "revoke": {"in_force", "fulfilled"}}


@pytest.mark.parametrize("name", list(OPEN_IN))
@pytest.mark.parametrize("state", list(STATES))
def test_a_step_outside_its_states_is_refused_and_writes_nothing(name, state, personas, build):
    action = build()
    STATES[state](action, personas)
    fresh = EnforcementAction.objects.get(pk=action.pk)
    if state in OPEN_IN[name]:
        CASES[name].act(fresh, personas.safety_unit)
        assert EnforcementAction.objects.get(pk=action.pk).status == CASES[name].to_state
        return
    before = snapshot(action)
    with pytest.raises(services.EnforcementError) as refusal:
        CASES[name].act(fresh, personas.safety_unit)
    assert "status" in refusal.value.errors
    assert snapshot(action) == before


@pytest.mark.parametrize("state", list(STATES))
def test_the_page_offers_exactly_the_steps_the_table_allows(state, personas, build, client):
    action = build()
    STATES[state](action, personas)
    fresh = EnforcementAction.objects.get(pk=action.pk)
    for persona in PERSONAS:
        expected = (
            {name for name, states in OPEN_IN.items() if state in states} | {"conclude_hazard"}
            if persona in ACTORS
            else set()
        )
        assert offered(fresh, getattr(personas, persona)) == expected, persona
    client.force_login(personas.safety_unit)
    page = client.get(f"/enforcement/{action.pk}/").content.decode()
    assert (f"/enforcement/{action.pk}/fulfil/" in page) == (state == "in_force")
    assert (f"/enforcement/{action.pk}/revoke/" in page) == (state != "revoked")
    # Its hazard is still under enforcement in every one of these states (fulfilled without a new
    # deadline, or revoked, leaves it there), so ending it is offered.
    assert f'data-testid="conclude-{action.hazards.get().pk}"' in page
