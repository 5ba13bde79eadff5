"""Every step of a contract's scorecard tried by every persona, written out by hand: the
purchaser (district bureau, and the township that signed the contract) recomputes and confirms
a draft and applies a confirmed card to a payment; everyone else is refused — 404 where the card
is not theirs to see, 403 where they see it but may not act — and nothing is written. A step in
a state that does not open it is refused the same way. The page offers exactly these steps."""

from __future__ import annotations

import pytest

from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import NotVisible, Refused
from hazardloop.core.workflows import offered

from .. import services
from ..choices import ScorecardStatus
from ..models import PaymentAdjustment, Scorecard
from .test_services import Q1, milestones, quarter  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
S = ScorecardStatus

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
# By hand (DESIGN.md, decision 0015): who sees the contract's scorecard, and who may act on it.
SEES = frozenset({"admin", "bureau", "leader", "township", "provider"})
ACTORS = frozenset({"bureau", "township"})

ACTS = {
    "recompute": lambda card, user, m: services.recompute_scorecard(card, actor=user),
    "confirm": lambda card, user, m: services.confirm_scorecard(card, actor=user),
    "apply_payment": lambda card, user, m: services.apply_payment_adjustment(card, m, actor=user),
}
TO_STATE = {"recompute": S.DRAFT, "confirm": S.CONFIRMED, "apply_payment": S.CONFIRMED}
OPEN_IN = {"recompute": S.DRAFT, "confirm": S.DRAFT, "apply_payment": S.CONFIRMED}


@pytest.fixture
def card(personas, district, quarter):  # noqa: F811
    return services.compute_scorecard(
        actor=personas.bureau, provider=district.provider, contract=district.contract, period=Q1
    )


def bring(card, state, personas):
    if state == S.CONFIRMED:
        services.confirm_scorecard(card, actor=personas.bureau)
    return Scorecard.objects.get(pk=card.pk)


def reset_to_draft(card):
    # Test scaffolding only: put the card back so the next allowed persona meets the same state.
    Scorecard.objects.filter(pk=card.pk).update(status=S.DRAFT, confirmed_at=None, confirmed_by=None)


def snapshot(card) -> tuple:
    c = Scorecard.objects.get(pk=card.pk)
    return (
        c.status,
        c.total,
        c.computed_at,
        c.confirmed_at,
        AuditEvent.objects.count(),
        PaymentAdjustment.objects.count(),
    )


@pytest.mark.parametrize("name", list(ACTS))
def test_each_persona_may_take_exactly_the_steps_in_the_table(name, personas, card, milestones):  # noqa: F811
    _paid, final = milestones
    bring(card, OPEN_IN[name], personas)
    for persona in sorted(PERSONAS, key=lambda p: p in ACTORS):
        user = getattr(personas, persona)
        fresh = Scorecard.objects.get(pk=card.pk)
        before = snapshot(card)
        if persona in ACTORS:
            ACTS[name](fresh, user, final.pk)
            assert Scorecard.objects.get(pk=card.pk).status == TO_STATE[name], persona
            assert AuditEvent.objects.count() > before[4], persona
            if name == "confirm":
                reset_to_draft(card)
            if name == "apply_payment":
                PaymentAdjustment.objects.all().delete()  # the milestone takes one adjustment
            continue
        expected = Refused if persona in SEES else NotVisible
        with pytest.raises(expected) as refusal:
            ACTS[name](fresh, user, final.pk)
        assert refusal.value.message, persona
        assert snapshot(card) == before, persona


@pytest.mark.parametrize("name", list(ACTS))
def test_a_step_outside_its_state_is_refused_and_writes_nothing(name, personas, card, milestones):  # noqa: F811
    _paid, final = milestones
    other = S.CONFIRMED if OPEN_IN[name] == S.DRAFT else S.DRAFT
    fresh = bring(card, other, personas)
    before = snapshot(card)
    with pytest.raises(services.EvaluationError) as refusal:
        ACTS[name](fresh, personas.bureau, final.pk)
    assert not isinstance(refusal.value, (Refused, NotVisible))
    assert snapshot(card) == before


@pytest.mark.parametrize("state", [S.DRAFT, S.CONFIRMED])
def test_the_page_offers_exactly_the_steps_the_table_allows(state, personas, card, client):
    fresh = bring(card, state, personas)
    for persona in PERSONAS:
        expected = {n for n, s in OPEN_IN.items() if s == state} if persona in ACTORS else set()
        assert offered(fresh, getattr(personas, persona)) == expected, persona
    client.force_login(personas.township)
    page = client.get(f"/evaluation/scorecards/{card.pk}/").content.decode()
    assert ('data-testid="confirm-form"' in page) == (state == S.DRAFT)


def test_a_provider_wide_card_is_the_bureaus_alone(personas, district, quarter):  # noqa: F811
    wide = services.compute_scorecard(actor=personas.bureau, provider=district.provider, period=Q1)
    assert offered(wide, personas.bureau) == {"recompute", "confirm"}
    assert offered(wide, personas.township) == set()
    before = snapshot(wide)
    with pytest.raises(NotVisible):  # the township does not even see a card mixing townships
        services.confirm_scorecard(wide, actor=personas.township)
    assert snapshot(wide) == before
