"""Who may see and do what in the joint meeting: capabilities, scopes and row-level predicates.

Registered at start-up (`MeetingsConfig.ready` → `core.access.register_app`). Services enforce
through these predicates (directly or through the model's declared transitions) and pages offer
their buttons through the same ones.

Capabilities (DESIGN.md): the bureau runs the meeting, the leader convenes it and approves the
minutes, member units read the meetings they attend and report to them, townships read.
Providers, experts and enterprises are not members of the joint meeting; the administrator
keeps users and reference data, not the loop.
"""

from __future__ import annotations

from hazardloop.accounts.choices import Role
from hazardloop.core.access import can

CAPABILITIES: dict[str, frozenset[str]] = {
    "meetings.view": frozenset({Role.BUREAU, Role.LEADER, Role.MEMBER_UNIT, Role.TOWNSHIP}),
    "meetings.manage": frozenset({Role.BUREAU}),
    "meetings.approve_minutes": frozenset({Role.LEADER}),
    "meetings.report": frozenset({Role.MEMBER_UNIT}),
}


# --- scope ----------------------------------------------------------------------------------


def scope_meetings(qs, user):
    """Who sees which meetings:
    - district bureau and district leader: the meetings of the districts under their region;
    - township: the meetings of its district;
    - member unit: the meetings it is asked to attend;
    - everyone else (administrator, providers, experts, enterprises): none.
    """
    from .models import Attendance

    role = user.role
    if role in {Role.BUREAU, Role.LEADER}:
        region = user.region
        return qs.filter(district__code__startswith=region.code) if region else qs.none()
    if role == Role.TOWNSHIP:
        region = user.region
        return qs.filter(district__code=region.code[:6]) if region else qs.none()
    if role == Role.MEMBER_UNIT:
        invited = Attendance.objects.filter(member_unit_id=user.member_unit_id).values("meeting_id")
        return qs.filter(pk__in=invited)
    return qs.none()


def _through_meeting(qs, user):
    from .models import Meeting

    return qs.filter(meeting_id__in=scope_meetings(Meeting.objects.all(), user).values("pk"))


SCOPERS = {
    "meetings.meeting": scope_meetings,
    "meetings.attendance": _through_meeting,
    "meetings.meetingpack": _through_meeting,
    "meetings.minutes": _through_meeting,
    "meetings.meetingdecision": _through_meeting,
}


# --- may act on this meeting (the meeting is already in the user's scope) -------------------


def may_manage(user, meeting) -> bool:
    """Schedule, attendance, pack, minutes and decisions: the bureau whose region holds it."""
    return can(user, "meetings.manage")


def may_approve(user, meeting) -> bool:
    """Approving (and so publishing) the minutes: the district leader."""
    return can(user, "meetings.approve_minutes")


def may_report(user, meeting) -> bool:
    """A member unit reports to a meeting it is invited to, and only for itself."""
    return (
        can(user, "meetings.report")
        and meeting.attendances.filter(member_unit_id=user.member_unit_id).exists()
    )


PREDICATES = {
    "meetings.may_manage": may_manage,
    "meetings.may_approve": may_approve,
    "meetings.may_report": may_report,
}
