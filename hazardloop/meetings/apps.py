from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def scope_meetings(qs, user):
    """Who sees which meetings:
    - district bureau and district leader: the meetings of the districts under their region;
    - township: the meetings of its district;
    - member unit: the meetings it is asked to attend;
    - everyone else (administrator, providers, experts, enterprises): none.
    """
    from hazardloop.accounts.choices import Role

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


class MeetingsConfig(AppConfig):
    name = "hazardloop.meetings"
    label = "meetings"
    verbose_name = _("联席会议")

    def ready(self):
        from hazardloop.accounts import scoping

        from . import choices

        scoping.register_capabilities(choices.CAPABILITIES)
        for label, scoper in SCOPERS.items():
            scoping.register(label, scoper)
