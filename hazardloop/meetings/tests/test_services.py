"""The meeting's services: building the pack marks its hazards fed back; decisions act through
the hazard services, and a refused one changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import enterprise_data
from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import Refused
from hazardloop.hazards.models import Hazard, RectificationNotice
from hazardloop.meetings import services
from hazardloop.meetings.choices import DecisionKind, DecisionOutcome, MeetingStatus
from hazardloop.meetings.models import Meeting, MeetingDecision, MeetingPack
from hazardloop.registry import services as registry_services

from .conftest import at, schedule

pytestmark = pytest.mark.django_db


def held(scene):
    return services.record_attendance(scene.meeting, actor=scene.p.bureau, attended=[scene.d.safety.pk])


def test_building_the_pack_marks_its_hazards_fed_back_with_the_meeting_number(scene):
    pack = services.build_pack(scene.meeting, actor=scene.p.bureau)
    covered = Hazard.objects.filter(pk__in=pack.hazard_ids)
    assert {
        scene.h_coal.pk,
        scene.h_major.pk,
        scene.h_chem.pk,
        scene.h_machine.pk,
        scene.g_overdue.pk,
    } <= set(pack.hazard_ids)
    assert all(h.fed_back_at is not None and h.fed_back_meeting == scene.meeting.number for h in covered)
    assert all(h.events.filter(name="record_feedback").count() == 1 for h in covered)
    # Not in the pack, not fed back.
    for other in (scene.h_wrong, scene.h_outside, scene.h_now):
        assert Hazard.objects.get(pk=other.pk).fed_back_at is None
    assert AuditEvent.objects.filter(data__action="build_pack").exists()


def test_rebuilding_keeps_the_earlier_pack_and_does_not_feed_back_twice(scene):
    first = services.build_pack(scene.meeting, actor=scene.p.bureau)
    stamp = Hazard.objects.get(pk=scene.h_coal.pk).fed_back_at
    second = services.build_pack(scene.meeting, actor=scene.p.bureau)
    assert MeetingPack.objects.filter(meeting=scene.meeting).count() == 2
    assert scene.meeting.current_pack == second != first
    assert Hazard.objects.get(pk=scene.h_coal.pk).fed_back_at == stamp
    assert Hazard.objects.get(pk=scene.h_coal.pk).events.filter(name="record_feedback").count() == 1


def test_feedback_gate_routes_general_hazards_once_the_pack_feeds_them_back(scene, loop, gated):
    waiting = loop.found(found_at=at(scene.period.first_day + dt.timedelta(days=12)))
    assert waiting.status == "found"
    services.build_pack(scene.meeting, actor=scene.p.bureau)
    assert Hazard.objects.get(pk=waiting.pk).status == "routed"


def test_only_the_bureau_builds_the_pack(scene):
    with pytest.raises(Refused):
        services.build_pack(scene.meeting, actor=scene.p.leader)
    with pytest.raises(services.MeetingNotFound):
        services.build_pack(scene.meeting, actor=scene.other_bureau)
    assert not MeetingPack.objects.exists()


def test_reassign_decision_goes_through_the_hazard_service_and_records_its_outcome(scene):
    held(scene)
    decision = services.record_decision(
        scene.meeting,
        actor=scene.p.bureau,
        kind=DecisionKind.REASSIGN,
        text="该隐患涉及消防通道，移交消防大队督办",
        hazards=[scene.h_coal],
        member_unit=scene.d.fire,
    )
    hazard = Hazard.objects.get(pk=scene.h_coal.pk)
    assert hazard.member_unit == scene.d.fire
    assert hazard.events.filter(name="reassign", note__contains="消防").exists()
    assert decision.outcome == DecisionOutcome.APPLIED
    assert "已改派至区消防救援大队" in decision.outcome_detail
    assert list(decision.hazards.all()) == [hazard]


def test_a_refused_decision_shows_the_service_message_and_changes_nothing(scene):
    held(scene)
    # Reassigning to the safety unit: fine for the fire-held hazard… but h_chem is already there.
    services.record_decision(
        scene.meeting,
        actor=scene.p.bureau,
        kind=DecisionKind.REASSIGN,
        text="先移交消防",
        hazards=[scene.h_coal],
        member_unit=scene.d.fire,
    )
    before = {h.pk: (h.member_unit_id, h.version) for h in Hazard.objects.all()}
    events = sum(h.events.count() for h in Hazard.objects.all())
    with pytest.raises(services.MeetingError) as refused:
        services.record_decision(
            scene.meeting,
            actor=scene.p.bureau,
            kind=DecisionKind.REASSIGN,
            text="统一交安监督办",
            hazards=[scene.h_coal, scene.h_chem],
            member_unit=scene.d.safety,
        )
    assert "该隐患已由此单位督办" in refused.value.message
    assert scene.h_chem.number in refused.value.message
    # h_coal (first, and acceptable on its own) was not moved either: all or nothing.
    assert {h.pk: (h.member_unit_id, h.version) for h in Hazard.objects.all()} == before
    assert sum(h.events.count() for h in Hazard.objects.all()) == events
    assert MeetingDecision.objects.filter(meeting=scene.meeting).count() == 1


def test_deadline_decision_issues_the_notice_for_a_routed_hazard_and_records_the_rest(scene):
    held(scene)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    decision = services.record_decision(
        scene.meeting,
        actor=scene.p.bureau,
        kind=DecisionKind.DEADLINE,
        text="限期二十日内整改完毕",
        hazards=[scene.h_chem, scene.g_overdue],
        deadline=deadline,
    )
    chem = Hazard.objects.get(pk=scene.h_chem.pk)
    assert chem.status == "rectifying" and chem.deadline == deadline
    assert RectificationNotice.objects.filter(hazards=chem).exists()
    # The overdue one is rectifying with no extension request: no service sets its deadline.
    assert Hazard.objects.get(pk=scene.g_overdue.pk).deadline == scene.g_overdue.deadline
    assert decision.outcome == DecisionOutcome.PARTLY_APPLIED
    assert scene.g_overdue.number in decision.outcome_detail


def test_route_decision_routes_a_hazard_no_rule_matched(scene, loop):
    shop = registry_services.register_enterprise(
        enterprise_data("马投涧商贸有限公司", scene.d.town_b, "5162"), actor=scene.d.admin
    )
    stray = loop.register(actor=scene.p.bureau, enterprise=shop, source="department")
    assert Hazard.objects.get(pk=stray.pk).status == "found"
    held(scene)
    decision = services.record_decision(
        scene.meeting,
        actor=scene.p.bureau,
        kind=DecisionKind.ROUTE,
        text="交消防大队督办",
        hazards=[stray],
        member_unit=scene.d.fire,
    )
    routed = Hazard.objects.get(pk=stray.pk)
    assert routed.status == "routed" and routed.member_unit == scene.d.fire
    assert decision.outcome == DecisionOutcome.APPLIED


def test_route_decision_refused_by_the_feedback_gate_changes_nothing(scene, loop, gated):
    waiting = loop.found()
    held(scene)
    with pytest.raises(services.MeetingError, match="一般隐患须经联席会议反馈后方可交办"):
        services.record_decision(
            scene.meeting,
            actor=scene.p.bureau,
            kind=DecisionKind.ROUTE,
            text="交消防大队",
            hazards=[waiting],
            member_unit=scene.d.fire,
        )
    assert Hazard.objects.get(pk=waiting.pk).status == "found"
    assert not MeetingDecision.objects.exists()


def test_other_decision_is_recorded_as_text(scene):
    held(scene)
    decision = services.record_decision(
        scene.meeting, actor=scene.p.bureau, kind=DecisionKind.OTHER, text="下月开展有限空间专项检查"
    )
    assert decision.outcome == DecisionOutcome.RECORDED and decision.seq == 1


def test_decisions_need_a_held_meeting_and_valid_input(scene):
    with pytest.raises(services.MeetingError, match="已安排"):
        services.record_decision(scene.meeting, actor=scene.p.bureau, kind=DecisionKind.OTHER, text="x")
    held(scene)
    with pytest.raises(services.MeetingError) as bad:
        services.record_decision(scene.meeting, actor=scene.p.bureau, kind=DecisionKind.REASSIGN, text="")
    assert set(bad.value.errors) == {"text", "hazards", "member_unit"}
    with pytest.raises(services.MeetingError, match="管辖范围"):
        services.record_decision(
            scene.meeting,
            actor=scene.p.bureau,
            kind=DecisionKind.REASSIGN,
            text="x",
            hazards=[scene.h_outside],
            member_unit=scene.d.fire,
        )
    assert not MeetingDecision.objects.exists()


def test_minutes_are_recorded_by_the_bureau_and_approved_by_the_leader(scene):
    with pytest.raises(services.MeetingError):
        services.record_minutes(scene.meeting, actor=scene.p.bureau, text="纪要")
    held(scene)
    services.record_minutes(scene.meeting, actor=scene.p.bureau, text="会议听取了各成员单位汇报。")
    with pytest.raises(Refused):
        services.approve_minutes(scene.meeting, actor=scene.p.bureau)
    minutes = services.approve_minutes(scene.meeting, actor=scene.p.leader)
    meeting = Meeting.objects.get(pk=scene.meeting.pk)
    assert meeting.status == MeetingStatus.MINUTES_PUBLISHED and minutes.approved_by == scene.p.leader
    with pytest.raises(services.MeetingError):
        services.build_pack(meeting, actor=scene.p.bureau)


def test_member_unit_reports_only_to_meetings_it_attends(scene):
    row = services.submit_unit_report(
        scene.meeting, actor=scene.p.safety_unit, report="本月督办隐患12项，已整改10项。"
    )
    assert row.member_unit == scene.d.safety and row.reported_by == scene.p.safety_unit
    with pytest.raises(services.MeetingNotFound):
        services.submit_unit_report(scene.meeting, actor=scene.p.police, report="x")
    with pytest.raises(services.MeetingError):
        services.submit_unit_report(scene.meeting, actor=scene.p.fire, report="  ")
    pack = services.build_pack(scene.meeting, actor=scene.p.bureau)
    reports = {r["name"]: r["report"] for r in pack.data["unit_reports"]}
    assert reports == {"区应急管理局": "本月督办隐患12项，已整改10项。", "区消防救援大队": ""}


def test_schedule_refuses_a_second_meeting_for_the_month_and_a_date_inside_it(scene):
    with pytest.raises(services.MeetingError, match="已安排"):
        schedule(scene.p, scene.d, scene.period)
    with pytest.raises(services.MeetingError) as early:
        services.schedule_meeting(
            actor=scene.p.bureau,
            district=scene.d.longan,
            year=scene.before.year,
            month=scene.before.month,
            scheduled_at=at(scene.before.first_day),
            place="",
            convener=None,
        )
    assert set(early.value.errors) == {"place", "scheduled_at", "convener"}
    with pytest.raises(services.MeetingNotFound):
        services.schedule_meeting(
            actor=scene.p.bureau,
            district=scene.d.town_x.parent,
            year=2026,
            month=1,
            scheduled_at=at(dt.date(2026, 2, 10)),
            place="外区",
            convener_name="某某",
        )
