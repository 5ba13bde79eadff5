"""Every step of the meeting tried by every persona, written out by hand: allowed where the table
says, the meeting moved to the state the table names; refused elsewhere (404 out of scope, 403
by role, 400 in a state that does not open the step) with the meeting and everything around it
unchanged. The pages offer exactly the steps the table allows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import NotVisible, Refused, ServiceError
from hazardloop.core.workflows import offered
from hazardloop.meetings import services
from hazardloop.meetings.choices import DecisionKind, MeetingStatus
from hazardloop.meetings.models import Attendance, Meeting, MeetingDecision, MeetingPack, Minutes
from hazardloop.meetings.rules import Period

from .conftest import schedule

pytestmark = pytest.mark.django_db
S = MeetingStatus

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


@dataclass(frozen=True)
class Case:
    start: str  # the state the meeting is brought to first
    act: Callable
    allowed: frozenset[str]
    to_state: str


def _hold(p, d, m):
    return services.record_attendance(m, actor=p.bureau, attended=[d.safety.pk])


def _minutes(p, d, m):
    _hold(p, d, m)
    services.record_minutes(m, actor=p.bureau, text="会议听取了各成员单位汇报。")


def _published(p, d, m):
    _minutes(p, d, m)
    services.approve_minutes(m, actor=p.leader)


BRING = {"scheduled": lambda p, d, m: None, "held": _hold, "minutes": _minutes, "published": _published}

# Who may take which step (DESIGN.md, decision 0013): the bureau runs the meeting, the leader
# approves the minutes, an invited member unit (safety, fire; not police) reports for itself.
CASES = {
    "hold": Case(
        start="scheduled",
        act=lambda d, m, u: services.record_attendance(m, actor=u, attended=[d.safety.pk, d.fire.pk]),
        allowed=frozenset({"bureau"}),
        to_state=S.HELD,
    ),
    "build_pack": Case(
        start="scheduled",
        act=lambda d, m, u: services.build_pack(m, actor=u),
        allowed=frozenset({"bureau"}),
        to_state=S.SCHEDULED,
    ),
    "report": Case(
        start="held",
        act=lambda d, m, u: services.submit_unit_report(m, actor=u, report="本月督办隐患3项，已整改2项。"),
        allowed=frozenset({"safety_unit", "fire"}),
        to_state=S.HELD,
    ),
    "record_minutes": Case(
        start="held",
        act=lambda d, m, u: services.record_minutes(m, actor=u, text="纪要正文"),
        allowed=frozenset({"bureau"}),
        to_state=S.HELD,
    ),
    "record_decision": Case(
        start="held",
        act=lambda d, m, u: services.record_decision(m, actor=u, kind=DecisionKind.OTHER, text="加强督导"),
        allowed=frozenset({"bureau"}),
        to_state=S.HELD,
    ),
    "publish_minutes": Case(
        start="minutes",
        act=lambda d, m, u: services.approve_minutes(m, actor=u),
        allowed=frozenset({"leader"}),
        to_state=S.MINUTES_PUBLISHED,
    ),
}

# The states in which each step is open, by hand: nothing changes once the minutes are published;
# minutes and decisions need the meeting held; the pack and reports may come before it is held.
OPEN_IN = {
    "hold": {"scheduled", "held", "minutes"},
    "build_pack": {"scheduled", "held", "minutes"},
    "report": {"scheduled", "held", "minutes"},
    "record_minutes": {"held", "minutes"},
    "record_decision": {"held", "minutes"},
    # Open once held; the service also needs the minutes recorded (a data precondition, below),
    # and the page shows the button only beside recorded minutes.
    "publish_minutes": {"held", "minutes"},
}


def snapshot(meeting: Meeting) -> tuple:
    """Everything a step could write."""
    m = Meeting.objects.get(pk=meeting.pk)
    return (
        m.status,
        m.held_at,
        m.updated_at,
        AuditEvent.objects.count(),
        MeetingPack.objects.count(),
        MeetingDecision.objects.count(),
        tuple(Minutes.objects.values_list("text", "approved_at")),
        tuple(Attendance.objects.order_by("pk").values_list("attended", "report")),
    )


@pytest.fixture
def meeting(personas, district):
    period = Period.containing(timezone.localdate()).previous
    return schedule(personas, district, period)


@pytest.mark.parametrize("name", list(CASES))
def test_each_persona_may_take_exactly_the_steps_in_the_table(name, personas, district, meeting):
    case = CASES[name]
    BRING[case.start](personas, district, meeting)
    # The refused personas first, so a step that moves the meeting is tried by all of them in
    # its starting state (only single-persona steps move the state).
    for persona in sorted(PERSONAS, key=lambda p: p in case.allowed):
        user = getattr(personas, persona)
        fresh = Meeting.objects.get(pk=meeting.pk)
        before = snapshot(meeting)
        if persona in case.allowed:
            case.act(district, fresh, user)
            assert Meeting.objects.get(pk=meeting.pk).status == case.to_state, persona
            assert AuditEvent.objects.count() == before[3] + 1, persona
        else:
            with pytest.raises((NotVisible, Refused)) as refusal:
                case.act(district, fresh, user)
            assert refusal.value.message, persona
            assert snapshot(meeting) == before, persona


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("state", list(BRING))
def test_a_step_outside_its_states_is_refused_and_writes_nothing(name, state, personas, district, meeting):
    case = CASES[name]
    BRING[state](personas, district, meeting)
    if state in OPEN_IN[name]:
        return
    user = getattr(personas, sorted(case.allowed)[0])
    before = snapshot(meeting)
    with pytest.raises(ServiceError) as refusal:
        case.act(district, Meeting.objects.get(pk=meeting.pk), user)
    assert not isinstance(refusal.value, (NotVisible, Refused))
    assert "不能" in refusal.value.message or "尚未" in refusal.value.message
    assert snapshot(meeting) == before


def test_publishing_needs_recorded_minutes(personas, district, meeting):
    _hold(personas, district, meeting)
    before = snapshot(meeting)
    with pytest.raises(services.MeetingError, match="尚未记录"):
        services.approve_minutes(meeting, actor=personas.leader)
    assert snapshot(meeting) == before


@pytest.mark.parametrize("state", list(BRING))
def test_the_page_offers_exactly_the_steps_the_table_allows(state, personas, district, meeting):
    BRING[state](personas, district, meeting)
    fresh = Meeting.objects.get(pk=meeting.pk)
    for persona in PERSONAS:
        expected = {
            name for name, case in CASES.items() if persona in case.allowed and state in OPEN_IN[name]
        }
        assert offered(fresh, getattr(personas, persona)) == expected, persona
