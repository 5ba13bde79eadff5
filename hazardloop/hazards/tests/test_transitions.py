"""Every transition tried by every persona: allowed where it should be; refused elsewhere with a
Chinese message, the hazard untouched and no timeline event written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from hazardloop.core.errors import Refused, ServiceError
from hazardloop.hazards import services
from hazardloop.hazards.choices import AssessedBy, EnforcementReason, EventName, HazardStatus, Verdict
from hazardloop.hazards.models import Hazard

from .conftest import CJK, PLAN, far_deadline, photo

pytestmark = pytest.mark.django_db
S = HazardStatus

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
GOVERNMENT = {"bureau", "safety_unit"}  # the district bureau and the unit the hazard is routed to


@dataclass(frozen=True)
class Case:
    build: Callable
    act: Callable
    allowed: frozenset[str]
    to_state: str
    event: str


def _tomorrow_plus(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


CASES = {
    "route": Case(
        build=lambda loop: loop.found(),
        act=lambda loop, h, u: services.route_hazard(h, actor=u, version=h.version),
        allowed=frozenset({"bureau"}),
        to_state=S.ROUTED,
        event=EventName.ROUTE,
    ),
    "reassign": Case(
        build=lambda loop: loop.routed(),
        act=lambda loop, h, u: services.reassign_hazard(
            h, actor=u, version=h.version, member_unit=loop.d.fire, reason="属消防安全隐患"
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.ROUTED,
        event=EventName.REASSIGN,
    ),
    "mark_fed_back": Case(
        build=lambda loop: loop.found(),
        act=lambda loop, h, u: services.mark_fed_back([h], "2026年第11次联席会议", u),
        allowed=frozenset({"bureau", "leader"}),
        to_state=S.FOUND,
        event=EventName.RECORD_FEEDBACK,
    ),
    "issue_notice": Case(
        build=lambda loop: loop.routed(),
        act=lambda loop, h, u: services.issue_notice(
            h, actor=u, version=h.version, requirements="限期整改", deadline=far_deadline()
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.RECTIFYING,
        event=EventName.ISSUE_NOTICE,
    ),
    "submit_plan": Case(
        build=lambda loop: loop.awaiting_plan(),
        act=lambda loop, h, u: services.submit_plan(h, actor=u, version=h.version, **PLAN),
        allowed=frozenset({"enterprise"}),
        to_state=S.PLAN_REVIEW,
        event=EventName.SUBMIT_PLAN,
    ),
    "approve_plan": Case(
        build=lambda loop: loop.plan_review(),
        act=lambda loop, h, u: services.approve_plan(h, actor=u, version=h.version),
        allowed=frozenset(GOVERNMENT),
        to_state=S.RECTIFYING,
        event=EventName.APPROVE_PLAN,
    ),
    "reject_plan": Case(
        build=lambda loop: loop.plan_review(),
        act=lambda loop, h, u: services.reject_plan(h, actor=u, version=h.version, note="应急预案不完整"),
        allowed=frozenset(GOVERNMENT),
        to_state=S.AWAITING_PLAN,
        event=EventName.REJECT_PLAN,
    ),
    "request_extension": Case(
        build=lambda loop: loop.rectifying(),
        act=lambda loop, h, u: services.request_extension(
            h,
            actor=u,
            version=h.version,
            requested_deadline=h.deadline + dt.timedelta(days=20),
            reason="备件未到",
        ),
        allowed=frozenset({"enterprise"}),
        to_state=S.RECTIFYING,
        event=EventName.REQUEST_EXTENSION,
    ),
    "decide_extension": Case(
        build=lambda loop: loop.with_extension_request(),
        act=lambda loop, h, u: services.decide_extension(h, actor=u, version=h.version, approve=True),
        allowed=frozenset(GOVERNMENT),
        to_state=S.RECTIFYING,
        event=EventName.EXTEND_DEADLINE,
    ),
    "submit_rectification": Case(
        build=lambda loop: loop.rectifying(),
        act=lambda loop, h, u: services.submit_rectification(
            h,
            actor=u,
            version=h.version,
            measures="已整改",
            responsible_person="李四",
            completed_on=timezone.localdate(),
            evidence=[photo()],
        ),
        allowed=frozenset({"enterprise"}),
        to_state=S.AWAITING_REINSPECTION,
        event=EventName.SUBMIT_RECTIFICATION,
    ),
    "reinspect": Case(
        build=lambda loop: loop.awaiting_reinspection(),
        act=lambda loop, h, u: services.record_reinspection(
            h, actor=u, version=h.version, verdict=Verdict.PASSED
        ),
        # Bought from the provider that found it; government does not take its place.
        allowed=frozenset({"expert", "provider"}),
        to_state=S.CLOSED,
        event=EventName.PASS_REINSPECTION,
    ),
    "close_on_the_spot": Case(
        build=lambda loop: loop.found(),
        act=lambda loop, h, u: services.close_on_the_spot(
            h,
            actor=u,
            version=h.version,
            measures="当场铺设绝缘垫",
            responsible_person="王五",
            evidence=[photo()],
        ),
        allowed=frozenset({"expert"}),  # only the inspector who found it
        to_state=S.CLOSED,
        event=EventName.CLOSE_ON_THE_SPOT,
    ),
    "overturn": Case(
        build=lambda loop: loop.routed(),
        act=lambda loop, h, u: services.overturn_hazard(
            h, actor=u, version=h.version, reason="现场复核不构成隐患"
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.OVERTURNED,
        event=EventName.OVERTURN,
    ),
    "start_enforcement": Case(
        build=lambda loop: loop.rectifying(),
        act=lambda loop, h, u: services.start_enforcement(
            h, actor=u, version=h.version, reason=EnforcementReason.REFUSED, note="拒不整改"
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.UNDER_ENFORCEMENT,
        event=EventName.START_ENFORCEMENT,
    ),
    "conclude_enforcement": Case(
        build=lambda loop: loop.under_enforcement(),
        act=lambda loop, h, u: services.conclude_enforcement(
            h, actor=u, version=h.version, note="已处罚款并责令限期整改", deadline=_tomorrow_plus(15)
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.RECTIFYING,
        event=EventName.CONCLUDE_ENFORCEMENT,
    ),
    "apply_resumption": Case(
        build=lambda loop: loop.awaiting_resumption(),
        act=lambda loop, h, u: services.apply_resumption(
            h,
            actor=u,
            version=h.version,
            assessed_by=AssessedBy.SELF,
            assessment_summary="自评合格",
            evidence=[photo("report.pdf")],
        ),
        allowed=frozenset({"enterprise"}),
        to_state=S.RESUMPTION_REVIEW,
        event=EventName.APPLY_RESUMPTION,
    ),
    "review_resumption": Case(
        build=lambda loop: loop.resumption_review(),
        act=lambda loop, h, u: services.review_resumption(
            h, actor=u, version=h.version, verdict=Verdict.PASSED
        ),
        allowed=frozenset(GOVERNMENT),
        to_state=S.CLOSED,
        event=EventName.PASS_RESUMPTION_REVIEW,
    ),
}


def _snapshot(hazard: Hazard) -> tuple:
    h = Hazard.objects.get(pk=hazard.pk)
    return (h.status, h.version, h.deadline, h.member_unit_id, h.round, h.fed_back_at, h.events.count())


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(CASES))
def test_transition_is_allowed_only_to_its_roles(loop, personas, action, persona):
    case = CASES[action]
    hazard = case.build(loop)
    user = getattr(personas, persona)
    before = _snapshot(hazard)
    if persona in case.allowed:
        case.act(loop, hazard, user)
        after = Hazard.objects.get(pk=hazard.pk)
        assert after.status == case.to_state
        last = after.events.order_by("-seq").first()
        assert (last.name, last.actor) == (case.event, user)
    else:
        with pytest.raises(ServiceError) as refused:
            case.act(loop, hazard, user)
        assert CJK.search(str(refused.value))
        assert _snapshot(hazard) == before


def test_providers_and_experts_never_hold_an_enforcement_capability():
    from hazardloop.accounts.choices import Role
    from hazardloop.hazards.choices import CAPABILITIES

    government_only = [
        "hazards.route",
        "hazards.issue_notice",
        "hazards.review_plan",
        "hazards.decide_extension",
        "hazards.enforce",
        "hazards.overturn",
        "hazards.review_resumption",
    ]
    for capability in government_only:
        assert not CAPABILITIES[capability] & {Role.PROVIDER, Role.EXPERT}, capability


def test_out_of_scope_is_not_found_and_wrong_role_is_permission_denied(loop, personas):
    hazard = loop.routed()
    with pytest.raises(services.HazardNotFound):
        services.overturn_hazard(hazard, actor=personas.fire, version=hazard.version, reason="x")
    with pytest.raises(Refused):
        services.overturn_hazard(hazard, actor=personas.enterprise, version=hazard.version, reason="x")


@pytest.mark.parametrize(
    ("build", "action"),
    [
        ("routed", lambda h, p: services.submit_plan(h, actor=p.enterprise, version=h.version, **PLAN)),
        (
            "rectifying",
            lambda h, p: services.overturn_hazard(h, actor=p.bureau, version=h.version, reason="x"),
        ),
        (
            "rectifying",
            lambda h, p: services.record_reinspection(
                h, actor=p.expert, version=h.version, verdict=Verdict.PASSED
            ),
        ),
        ("routed", lambda h, p: services.approve_plan(h, actor=p.safety_unit, version=h.version)),
    ],
)
def test_action_from_the_wrong_state_is_refused_and_changes_nothing(loop, personas, build, action):
    hazard = getattr(loop, build)()
    before = _snapshot(hazard)
    with pytest.raises(services.HazardError) as refused:
        action(hazard, personas)
    assert "不能" in str(refused.value)
    assert _snapshot(hazard) == before


def test_state_cannot_be_assigned_directly(loop):
    hazard = loop.routed()
    with pytest.raises(AttributeError):
        hazard.status = S.CLOSED


def test_model_refuses_an_undeclared_transition(loop):
    hazard = loop.routed()
    with pytest.raises(TransitionNotAllowed):
        hazard.submit_rectification(reinspection_due=timezone.localdate())


def test_model_closes_only_general_hazards_on_the_spot():
    # Whatever calls the model, the condition holds (an unsaved hazard is enough to ask it).
    major = Hazard(legal_level="major")
    general = Hazard(legal_level="general")
    assert major.status == general.status == S.FOUND
    with pytest.raises(TransitionNotAllowed):
        major.close_on_the_spot(at=timezone.now())
    general.close_on_the_spot(at=timezone.now())
    assert general.status == S.CLOSED


SEES_THE_HAZARD = {"admin", "bureau", "leader", "safety_unit", "township", "provider", "expert", "enterprise"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_the_hazard_and_its_timeline_only_in_scope(loop, personas, persona):
    from hazardloop.hazards.models import HazardEvent, RectificationNotice

    hazard = loop.rectifying()
    user = getattr(personas, persona)
    expected = persona in SEES_THE_HAZARD
    assert Hazard.objects.visible_to(user).filter(pk=hazard.pk).exists() == expected
    assert HazardEvent.objects.visible_to(user).filter(hazard=hazard).exists() == expected
    assert RectificationNotice.objects.visible_to(user).filter(hazards=hazard).exists() == expected


def test_an_expert_sees_colleagues_findings_only_where_they_may_inspect(loop, personas, district):
    at_machine = loop.register(actor=personas.provider, enterprise=district.machine)
    assert Hazard.objects.visible_to(personas.provider).filter(pk=at_machine.pk).exists()
    assert not Hazard.objects.visible_to(personas.expert).filter(pk=at_machine.pk).exists()
