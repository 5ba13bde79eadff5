"""Major hazards as government acts (issue 12 items 1, 2, 8).

The role × act table below is written by hand from the law, not read from CAPABILITIES: confirming
or grading a suspected major (认定), listing it (挂牌督办), accepting its rectification (验收, which
alone closes and de-lists, 摘牌), regrading (一般↔重大) and the resumption review are the
government's — the district bureau and the member unit holding the hazard — and nobody else's
(Law Art. 41 ¶3; Order 16 Arts. 20, 23; 政府购买服务管理办法 Art. 10). Each act is tried by every
persona on the services and on the API transition endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from hazardloop.core import access
from hazardloop.core.errors import Refused, ServiceError
from hazardloop.hazards import services
from hazardloop.hazards.choices import Closure, EventName, GradeBasis, HazardStatus, LegalLevel, Verdict
from hazardloop.hazards.models import Hazard
from hazardloop.registry.choices import HazardCategory

from .conftest import CJK, PLAN, far_deadline

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
# By hand: the district bureau and the member unit the hazard is routed to (区应急管理局 here).
GOVERNMENT = frozenset({"bureau", "safety_unit"})


@dataclass(frozen=True)
class Act:
    build: str  # a Loop builder
    service: Callable  # (loop, hazard, user) -> None
    api_name: str
    api_data: Callable  # (loop, hazard) -> dict
    allowed: frozenset[str]
    to_state: str


ACTS = {
    "认定": Act(
        build="suspected",
        service=lambda loop, h, u: services.confirm_major(h, actor=u, version=h.version),
        api_name="confirm_major",
        api_data=lambda loop, h: {"note": "经现场核实，属重大事故隐患"},
        allowed=GOVERNMENT,
        to_state=S.ROUTED,
    ),
    "认定为一般": Act(
        build="suspected",
        service=lambda loop, h, u: services.grade_general(
            h, actor=u, version=h.version, level=loop.general, reason="制动闸瓦已部分更换，不构成重大"
        ),
        api_name="grade_general",
        api_data=lambda loop, h: {"level": loop.general.pk, "reason": "不构成重大"},
        allowed=GOVERNMENT,
        to_state=S.ROUTED,
    ),
    "挂牌": Act(
        build="confirmed",
        service=lambda loop, h, u: services.list_major(
            h,
            actor=u,
            version=h.version,
            level="district",
            supervising_unit=h.member_unit,
            deadline=far_deadline(90),
            requirements="按期治理",
        ),
        api_name="list_major",
        api_data=lambda loop, h: {
            "level": "district",
            "supervising_unit": h.member_unit_id,
            "deadline": far_deadline(90).isoformat(),
            "requirements": "按期治理",
        },
        allowed=GOVERNMENT,
        to_state=S.ROUTED,
    ),
    "验收摘牌": Act(
        build="listed_awaiting_acceptance",
        service=lambda loop, h, u: services.accept_rectification(
            h, actor=u, version=h.version, verdict=Verdict.PASSED, opinion="整改到位，同意销号"
        ),
        api_name="accept",
        api_data=lambda loop, h: {"verdict": "passed", "opinion": "整改到位，同意销号"},
        allowed=GOVERNMENT,
        to_state=S.CLOSED,
    ),
    "调整等级": Act(
        build="rectifying",
        service=lambda loop, h, u: services.regrade(
            h, actor=u, version=h.version, level=loop.major, reason="属判定标准所列情形"
        ),
        api_name="regrade",
        api_data=lambda loop, h: {"level": loop.major.pk, "reason": "属判定标准所列情形"},
        allowed=GOVERNMENT,
        to_state=S.AWAITING_PLAN,
    ),
    "复产审查": Act(
        build="resumption_review",
        service=lambda loop, h, u: services.review_resumption(
            h, actor=u, version=h.version, verdict=Verdict.PASSED
        ),
        api_name="review_resumption",
        api_data=lambda loop, h: {"verdict": "passed"},
        allowed=GOVERNMENT,
        to_state=S.CLOSED,
    ),
}


def _build(loop, name: str) -> Hazard:
    if name == "listed_awaiting_acceptance":
        hazard = loop.listed()
        services.issue_notice(
            hazard,
            actor=loop.p.safety_unit,
            version=hazard.version,
            requirements="治理",
            deadline=far_deadline(),
        )
        hazard = loop.fresh(hazard)
        services.submit_plan(hazard, actor=loop.p.enterprise, version=hazard.version, **PLAN)
        hazard = loop.fresh(hazard)
        services.approve_plan(hazard, actor=loop.p.safety_unit, version=hazard.version)
        return loop.reinspect(loop.rectify(loop.fresh(hazard)))
    return getattr(loop, name)()


def _snapshot(hazard: Hazard) -> tuple:
    h = Hazard.objects.get(pk=hazard.pk)
    return (
        h.status,
        h.version,
        h.legal_level,
        h.grade_basis,
        h.listed_supervision,
        h.delisted_at,
        h.events.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("act", list(ACTS))
def test_each_major_hazard_act_is_the_governments_alone_on_the_services(loop, personas, act, persona):
    case = ACTS[act]
    hazard = _build(loop, case.build)
    user = getattr(personas, persona)
    before = _snapshot(hazard)
    if persona in case.allowed:
        case.service(loop, hazard, user)
        after = Hazard.objects.get(pk=hazard.pk)
        assert after.status == case.to_state
        assert after.events.order_by("-seq").first().actor == user
        if case.to_state == S.CLOSED:
            assert after.delisted_at is not None or not after.listed_supervision
    else:
        with pytest.raises(ServiceError) as refused:
            case.service(loop, hazard, user)
        assert CJK.search(str(refused.value))
        assert _snapshot(hazard) == before


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("act", list(ACTS))
def test_each_major_hazard_act_is_the_governments_alone_on_the_api(loop, personas, act, persona):
    case = ACTS[act]
    hazard = _build(loop, case.build)
    user = getattr(personas, persona)
    before = _snapshot(hazard)
    url = f"/api/hazards/hazards/{hazard.pk}/transitions/{case.api_name}/"
    response = _api(user).post(url, {"version": hazard.version, **case.api_data(loop, hazard)}, format="json")
    if persona in case.allowed:
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == case.to_state
    else:
        assert response.status_code in (403, 404), response.content
        assert _snapshot(hazard) == before


def test_providers_and_experts_hold_no_major_hazard_capability():
    from hazardloop.accounts.choices import Role
    from hazardloop.hazards.choices import CAPABILITIES

    for capability in ("hazards.grade", "hazards.list_major", "hazards.accept", "hazards.review_resumption"):
        assert not CAPABILITIES[capability] & {Role.PROVIDER, Role.EXPERT}, capability


def test_the_fsm_guard_refuses_a_provider_even_if_a_capability_were_misconfigured(
    loop, personas, monkeypatch
):
    """The transition itself carries the role guard (django-fsm `permission`), checked by the
    service: granting a provider the capability by mistake still does not let it confirm."""
    hazard = loop.suspected()
    monkeypatch.setitem(
        access.CAPABILITIES, "hazards.grade", access.CAPABILITIES["hazards.grade"] | {"provider"}
    )
    with pytest.raises(Refused) as refused:
        services.confirm_major(hazard, actor=personas.provider, version=hazard.version)
    assert "政府部门" in str(refused.value)
    assert loop.fresh(hazard).grade_basis == GradeBasis.SUSPECTED


def test_a_providers_passing_reinspection_of_a_listed_major_neither_closes_nor_delists(loop, personas):
    hazard = _build(loop, "listed_awaiting_acceptance")
    assert hazard.status == S.AWAITING_ACCEPTANCE
    assert hazard.is_listed and hazard.closed_at is None and hazard.acceptance_due is not None
    assert hazard.reinspections.get().inspector == personas.expert
    # The acceptance page and API are the government's: the provider is not offered it.
    assert "accept" not in {a["name"] for a in _offered(hazard, personas.expert)}
    assert "accept" in {a["name"] for a in _offered(hazard, personas.safety_unit)}

    record = services.accept_rectification(
        hazard, actor=personas.safety_unit, version=hazard.version, verdict=Verdict.PASSED, opinion="整改到位"
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.closure) == (S.CLOSED, Closure.ACCEPTANCE)
    listing = hazard.listings.get()
    assert listing.delisted_at == hazard.delisted_at is not None
    assert listing.delisted_by == personas.safety_unit
    assert record.number == f"{hazard.member_unit.name}复查〔{timezone.localdate().year}〕1号"


def test_a_failed_acceptance_sends_the_major_back_with_a_round_counted(loop, personas):
    hazard = loop.awaiting_acceptance()
    services.accept_rectification(
        hazard,
        actor=personas.bureau,
        version=hazard.version,
        verdict=Verdict.FAILED,
        opinion="制动试验未达标",
        deadline=far_deadline(30),
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.round, hazard.deadline) == (S.RECTIFYING, 2, far_deadline(30))
    with pytest.raises(ServiceError):
        services.accept_rectification(
            hazard, actor=personas.bureau, version=hazard.version, verdict=Verdict.PASSED, opinion=""
        )


def _offered(hazard, user):
    from hazardloop.hazards.views import available_actions

    return available_actions(loop_fresh(hazard), user)


def loop_fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


def test_a_suspected_major_gets_no_notice_until_confirmed(loop, personas):
    hazard = loop.suspected()
    with pytest.raises(services.HazardError) as refused:
        services.issue_notice(hazard, actor=personas.safety_unit, version=hazard.version, requirements="整改")
    assert "须先经认定" in str(refused.value)
    with pytest.raises(services.HazardError):
        services.list_major(
            hazard,
            actor=personas.bureau,
            version=hazard.version,
            level="district",
            supervising_unit=None,
            deadline=far_deadline(),
            requirements="x",
        )


def test_grade_general_needs_a_reason_and_recomputes_the_deadline(loop, personas):
    hazard = loop.suspected()
    with pytest.raises(services.HazardError) as refused:
        services.grade_general(
            hazard, actor=personas.safety_unit, version=hazard.version, level=loop.general, reason=" "
        )
    assert "reason" in refused.value.errors
    services.grade_general(
        hazard, actor=personas.safety_unit, version=hazard.version, level=loop.general, reason="不构成重大"
    )
    hazard = loop.fresh(hazard)
    assert (hazard.legal_level, hazard.grade_basis) == (LegalLevel.GENERAL, GradeBasis.GOVERNMENT)
    # The general level's default (10 working days, seeded) from the finding, not the major's 90 days.
    assert hazard.deadline == services.add_working_days(timezone.localdate(hazard.found_at), 10)


def test_regrade_to_general_delists_and_withdraws_the_plan_wait(loop, personas):
    hazard = loop.listed()
    services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="治理",
        deadline=far_deadline(),
    )
    hazard = loop.fresh(hazard)
    assert hazard.status == S.AWAITING_PLAN
    services.regrade(
        hazard, actor=personas.bureau, version=hazard.version, level=loop.general, reason="复核后不构成重大"
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.legal_level, hazard.is_listed) == (S.RECTIFYING, LegalLevel.GENERAL, False)
    assert hazard.listings.get().delist_reason == "调整隐患等级"
    event = hazard.events.order_by("-seq").first()
    assert (event.name, event.data["from_legal_level"], event.data["to_legal_level"]) == (
        EventName.REGRADE,
        "major",
        "general",
    )


def test_a_halted_major_cannot_be_regraded_general(loop, personas):
    hazard = loop.noticed(major=True, halt=True)
    with pytest.raises(services.HazardError) as refused:
        services.regrade(
            hazard, actor=personas.bureau, version=hazard.version, level=loop.general, reason="x"
        )
    assert "停产停业" in str(refused.value)


def test_listing_and_acceptance_documents_render(loop, personas, client):
    hazard = _build(loop, "listed_awaiting_acceptance")
    record = services.accept_rectification(
        hazard, actor=personas.safety_unit, version=hazard.version, verdict=Verdict.PASSED, opinion="整改到位"
    )
    listing = hazard.listings.get()
    client.force_login(personas.bureau)
    for url in (
        reverse("hazards:listing_pdf", args=[listing.pk]),
        reverse("hazards:acceptance_pdf", args=[record.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(
            b"%PDF"
        )
    page = client.get(reverse("hazards:listed") + "?state=all")
    assert page.status_code == 200 and listing.number in page.content.decode()
    client.force_login(personas.outsider)
    assert client.get(reverse("hazards:listing_pdf", args=[listing.pk])).status_code == 404


# --- grading bound to the criteria ------------------------------------------------------------


REGISTRARS = ["expert", "provider", "enterprise", "safety_unit", "bureau"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    persona=st.sampled_from(REGISTRARS),
    major=st.booleans(),
    criterion=st.booleans(),
    reason=st.sampled_from(["", "  ", "现场已整改，属一般"]),
)
def test_a_criterion_finding_is_never_stored_general_without_a_government_decision(
    loop, personas, persona, major, criterion, reason
):
    try:
        hazard = loop.register(
            actor=getattr(personas, persona), major=major, criterion=criterion, grading_reason=reason
        )
    except ServiceError:
        return  # refused: nothing stored
    hazard = loop.fresh(hazard)
    if hazard.criterion and hazard.legal_level == LegalLevel.GENERAL:
        assert hazard.grade_basis == GradeBasis.GOVERNMENT
        assert persona in GOVERNMENT and reason.strip()
    if hazard.legal_level == LegalLevel.MAJOR and persona not in GOVERNMENT:
        assert hazard.grade_basis == GradeBasis.SUSPECTED and not hazard.listed_supervision


def test_the_database_refuses_a_criterion_finding_stored_general_by_anyone_else(loop):
    hazard = loop.register(major=True, criterion=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(
            legal_level=LegalLevel.GENERAL, grade_basis=GradeBasis.REPORTED, confirmation_due=None
        )


def test_a_providers_general_grade_on_a_criterion_item_goes_to_the_government(loop, personas):
    hazard = loop.register(actor=personas.expert, criterion=True, grading_reason="已现场整改")
    assert (hazard.legal_level, hazard.grade_basis) == (LegalLevel.MAJOR, GradeBasis.SUSPECTED)
    register = hazard.events.get(name=EventName.REGISTER)
    assert (register.data["reported_level"], register.note) == ("general", "已现场整改")
    # A department registering it general must say why.
    with pytest.raises(services.HazardError) as refused:
        loop.register(actor=personas.safety_unit, criterion=True, category=HazardCategory.PRODUCTION)
    assert "grading_reason" in refused.value.errors


# --- the timeline is a true record (item 8) -----------------------------------------------------


def test_a_feedback_event_carries_the_state_as_of_its_own_time(loop, personas):
    start = timezone.now() - dt.timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        hazard = loop.routed()
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        services.issue_notice(
            hazard,
            actor=personas.safety_unit,
            version=hazard.version,
            requirements="整改",
            deadline=far_deadline(),
        )
    with time_machine.travel(start + dt.timedelta(hours=1), tick=False):
        services.mark_fed_back([hazard], "2026-联席-07", personas.bureau)
    hazard = loop.fresh(hazard)
    assert hazard.status == S.RECTIFYING
    feedback = hazard.events.get(name=EventName.RECORD_FEEDBACK)
    assert (feedback.from_state, feedback.to_state) == (S.ROUTED, S.ROUTED)  # not today's 整改中
    timeline = _api(personas.bureau).get(f"/api/hazards/hazards/{hazard.pk}/timeline/").json()
    assert [e["name"] for e in timeline] == [
        EventName.REGISTER,
        EventName.ROUTE,
        EventName.RECORD_FEEDBACK,
        EventName.ISSUE_NOTICE,
    ]


def test_a_suspected_major_past_its_time_limit_is_escalated_to_the_bureau_once(loop, personas):
    hazard = loop.suspected()
    # Registered now with a 24-hour limit: not late today, late the day after tomorrow.
    assert services.scan_deadlines(today=timezone.localdate()).unconfirmed == 0
    later = timezone.localdate() + dt.timedelta(days=2)
    assert services.scan_deadlines(today=later).unconfirmed == 1
    assert services.scan_deadlines(today=later).unconfirmed == 0  # once
    titles = list(personas.bureau.hazard_notifications.values_list("title", flat=True))
    assert sum("超过认定时限" in t for t in titles) == 1
    services.confirm_major(hazard, actor=personas.safety_unit, version=hazard.version)
    assert services.scan_deadlines(today=later + dt.timedelta(days=1)).unconfirmed == 0
