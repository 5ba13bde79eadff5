"""The demo step on the test district (also 龙安区, 410506): twelve meetings built at their past
moments, whether or not hazards exist."""

import pytest
from django.utils import timezone

from hazardloop.core.demo import DemoContext
from hazardloop.hazards.models import Hazard
from hazardloop.meetings.choices import MeetingStatus
from hazardloop.meetings.demo import build_meetings, held_on
from hazardloop.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def test_twelve_meetings_with_packs_minutes_and_decisions(scene):
    scene.meeting.delete()
    build_meetings(DemoContext(log=lambda _msg: None))
    meetings = list(Meeting.objects.order_by("year", "month"))
    assert len(meetings) == 12
    assert [m.status for m in meetings] == [MeetingStatus.MINUTES_PUBLISHED] * 11 + [MeetingStatus.HELD]
    for meeting in meetings:
        pack = meeting.current_pack
        assert timezone.localtime(pack.built_at).date() == held_on(meeting.period)
        assert meeting.decisions.count() >= 2 and meeting.minutes.text
    # The scene's month is the latest reviewed once its meeting day has passed (else the one before).
    if held_on(scene.period) <= timezone.localdate():
        reviewed, findings, hazard = scene.period, 4, scene.h_coal
    else:
        reviewed, findings, hazard = scene.before, 3, scene.g_overdue
    meeting = Meeting.objects.get(year=reviewed.year, month=reviewed.month)
    assert meeting.current_pack.data["totals"]["findings"] == findings
    marked = Hazard.objects.get(pk=hazard.pk)
    assert marked.fed_back_meeting == meeting.number
    assert timezone.localtime(marked.fed_back_at).date() == held_on(reviewed)
    # A second run leaves the meetings as they are.
    build_meetings(DemoContext(log=lambda _msg: None))
    assert Meeting.objects.count() == 12


def test_without_hazards_the_meetings_are_still_built(personas):
    build_meetings(DemoContext(log=lambda _msg: None))
    assert Meeting.objects.count() == 12
    assert all(m.current_pack.data["totals"]["findings"] == 0 for m in Meeting.objects.all())
