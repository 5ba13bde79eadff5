import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import Refused
from hazardloop.hazards import rules, services, tasks
from hazardloop.hazards.choices import (
    AssessedBy,
    Closure,
    Decision,
    EnforcementReason,
    EventName,
    GradeBasis,
    HazardSource,
    HazardStatus,
    NotificationKind,
    Verdict,
)
from hazardloop.hazards.models import (
    Hazard,
    HazardAttachment,
    HazardLevel,
    Notification,
    RectificationNotice,
    RoutingRule,
    WorkdayOverride,
)
from hazardloop.registry.choices import HazardCategory

from .conftest import CJK, PLAN, far_deadline, photo

pytestmark = pytest.mark.django_db
S = HazardStatus


def names(hazard):
    return list(hazard.events.values_list("name", flat=True))


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", "title"))


# --- the whole loop -------------------------------------------------------------------------


def test_general_hazard_goes_round_the_loop_and_is_closed(loop, personas, district):
    hazard = loop.register()
    assert hazard.number.startswith(f"YH-410506-{timezone.localdate().year}-")
    assert hazard.status == S.ROUTED
    assert hazard.member_unit == district.safety  # by the duties: coal (06) → 区应急管理局
    assert hazard.provider == district.provider
    assert hazard.source == HazardSource.PROVIDER_INSPECTION
    assert not hazard.listed_supervision
    route = hazard.events.get(name=EventName.ROUTE)
    assert route.actor is None and route.data["automatic"] is True

    notice = services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="立即整改",
        deadline=far_deadline(30),
    )
    assert notice.number == f"区应急管理局整改〔{timezone.localdate().year}〕1号"
    assert list(notice.hazards.all()) == [hazard]
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.deadline) == (S.RECTIFYING, far_deadline(30))
    assert any(kind == NotificationKind.TASK for kind, _ in inbox(personas.enterprise))

    hazard = loop.rectify(hazard)
    assert hazard.status == S.AWAITING_REINSPECTION
    assert hazard.reinspection_due == services.add_working_days(timezone.localdate(), 5)
    assert hazard.rectifications.get().cost == 350
    assert HazardAttachment.objects.filter(hazard=hazard, kind="after").count() == 1

    hazard = loop.reinspect(hazard)
    assert hazard.status == S.CLOSED
    assert hazard.closure == Closure.REINSPECTION
    assert hazard.closed_at is not None
    assert names(hazard) == [
        EventName.REGISTER,
        EventName.ROUTE,
        EventName.ISSUE_NOTICE,
        EventName.SUBMIT_RECTIFICATION,
        EventName.PASS_REINSPECTION,
    ]
    assert list(hazard.events.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    audit = AuditEvent.objects.filter(event_type=EventType.STATE_TRANSITION, target_id=str(hazard.pk))
    assert [row.data["event"] for row in audit.order_by("seq")] == names(hazard)


def test_major_hazard_with_plan_halt_and_resumption_review_is_written_off(loop, personas, district):
    hazard = loop.register(major=True)
    # The expert's report is a suspected major: never listed on its say-so (Order 16 Art. 20).
    assert not hazard.listed_supervision and hazard.listed_at is None
    assert hazard.grade_basis == GradeBasis.SUSPECTED and hazard.confirmation_due is not None
    assert hazard.status == S.ROUTED  # at once, without waiting for the monthly meeting
    assert any("疑似重大隐患待认定" in title for _, title in inbox(personas.bureau))
    services.confirm_major(hazard, actor=personas.safety_unit, version=hazard.version)
    hazard = loop.fresh(hazard)
    assert hazard.grade_basis == GradeBasis.GOVERNMENT and not hazard.listed_supervision
    listing = services.list_major(
        hazard,
        actor=personas.bureau,
        version=hazard.version,
        level="district",
        supervising_unit=hazard.member_unit,
        deadline=far_deadline(90),
        requirements="停产治理，报验收",
    )
    hazard = loop.fresh(hazard)
    assert hazard.is_listed and listing.number.startswith("GP-410506-")

    services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="停产整改",
        deadline=far_deadline(90),
        halt=True,
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.halted) == (S.AWAITING_PLAN, True)

    incomplete = {**PLAN, "safety_and_emergency": " ", "funds_and_materials": ""}
    with pytest.raises(services.HazardError) as refused:
        services.submit_plan(hazard, actor=personas.enterprise, version=hazard.version, **incomplete)
    assert "安全措施和应急预案" in str(refused.value) and "经费和物资的落实" in str(refused.value)
    assert set(refused.value.errors) == {"safety_and_emergency", "funds_and_materials"}
    assert loop.fresh(hazard).status == S.AWAITING_PLAN

    services.submit_plan(hazard, actor=personas.enterprise, version=hazard.version, **PLAN)
    hazard = loop.fresh(hazard)
    services.reject_plan(hazard, actor=personas.safety_unit, version=hazard.version, note="应急预案未演练")
    hazard = loop.fresh(hazard)
    assert hazard.status == S.AWAITING_PLAN
    services.submit_plan(hazard, actor=personas.enterprise, version=hazard.version, **PLAN)
    hazard = loop.fresh(hazard)
    services.approve_plan(hazard, actor=personas.safety_unit, version=hazard.version)
    hazard = loop.fresh(hazard)
    assert hazard.status == S.RECTIFYING and hazard.plan_approved_at is not None
    assert [p.decision for p in hazard.plans.all()] == [Decision.REFUSED, Decision.APPROVED]

    hazard = loop.reinspect(loop.rectify(hazard))
    assert hazard.status == S.AWAITING_RESUMPTION  # halted: not closed yet
    services.apply_resumption(
        hazard,
        actor=personas.enterprise,
        version=hazard.version,
        assessed_by=AssessedBy.FIRM,
        assessment_summary="评估合格",
        evidence=[photo("report.pdf")],
    )
    hazard = loop.fresh(hazard)
    assert hazard.status == S.RESUMPTION_REVIEW
    assert hazard.resumption_due == rules.add_calendar_days(timezone.localdate(), 10)

    services.review_resumption(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        verdict=Verdict.FAILED,
        findings="制动试验不合格",
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.round, hazard.halted) == (S.RECTIFYING, 2, True)

    hazard = loop.reinspect(loop.rectify(hazard))
    services.apply_resumption(
        hazard,
        actor=personas.enterprise,
        version=hazard.version,
        assessed_by=AssessedBy.SELF,
        assessment_summary="再次评估合格",
        evidence=[photo("report2.pdf")],
    )
    hazard = loop.fresh(hazard)
    services.review_resumption(hazard, actor=personas.bureau, version=hazard.version, verdict=Verdict.PASSED)
    hazard = loop.fresh(hazard)
    assert hazard.status == S.CLOSED
    assert hazard.closure == Closure.RESUMPTION_REVIEW
    assert not hazard.halted
    assert hazard.delisted_at is not None  # 摘牌
    listing.refresh_from_db()
    assert (listing.delisted_at, listing.delisted_by) == (hazard.delisted_at, personas.bureau)
    assert hazard.rectifications.count() == hazard.reinspections.count() == 2


def test_failed_reinspection_counts_the_round_and_may_set_a_new_deadline(loop, personas):
    hazard = loop.awaiting_reinspection()
    new_deadline = far_deadline(10)
    hazard = loop.reinspect(hazard, Verdict.FAILED, deadline=new_deadline)
    assert (hazard.status, hazard.round, hazard.deadline) == (S.RECTIFYING, 2, new_deadline)
    assert hazard.reinspection_due is None
    hazard = loop.reinspect(loop.rectify(hazard))
    assert hazard.status == S.CLOSED
    assert list(hazard.rectifications.values_list("round", flat=True)) == [1, 2]
    assert list(hazard.reinspections.values_list("round", "verdict")) == [(1, "failed"), (2, "passed")]


def test_failed_reinspection_needs_findings(loop, personas):
    hazard = loop.awaiting_reinspection()
    with pytest.raises(services.HazardError) as refused:
        services.record_reinspection(
            hazard, actor=personas.expert, version=hazard.version, verdict=Verdict.FAILED, findings=""
        )
    assert "findings" in refused.value.errors
    assert loop.fresh(hazard).status == S.AWAITING_REINSPECTION


def test_government_reinspects_a_hazard_no_provider_found(loop, personas, district):
    hazard = loop.register(actor=personas.enterprise)  # self-inspection: no provider
    assert hazard.source == HazardSource.SELF_INSPECTION and hazard.provider is None
    hazard = loop.fresh(hazard)
    services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="整改",
        deadline=far_deadline(),
    )
    hazard = loop.rectify(loop.fresh(hazard))
    hazard = loop.reinspect(hazard, actor=personas.safety_unit)
    assert hazard.status == S.CLOSED


# --- short paths ----------------------------------------------------------------------------


def test_on_the_spot_fix_closes_a_general_hazard_at_registration(loop, personas):
    fix = services.OnTheSpotFix(measures="当场铺设绝缘垫", responsible_person="王五", evidence=[photo()])
    hazard = loop.register(on_the_spot=fix)
    assert hazard.status == S.CLOSED
    assert hazard.closure == Closure.ON_THE_SPOT
    assert hazard.member_unit is None
    assert names(hazard) == [EventName.REGISTER, EventName.CLOSE_ON_THE_SPOT]
    assert hazard.rectifications.get().measures == "当场铺设绝缘垫"


def test_on_the_spot_fix_is_refused_for_a_major_hazard_or_without_evidence(loop, personas):
    before = Hazard.objects.count()
    with pytest.raises(services.HazardError) as refused:
        loop.register(major=True, on_the_spot=services.OnTheSpotFix("更换", "王五", [photo()]))
    assert "重大隐患不能立查立改" in str(refused.value)
    with pytest.raises(services.HazardError) as refused:
        loop.register(on_the_spot=services.OnTheSpotFix("更换", "王五", []))
    assert "evidence" in refused.value.errors
    assert Hazard.objects.count() == before


def test_enterprise_cannot_close_its_own_hazard_on_the_spot(loop, personas):
    with pytest.raises(Refused):
        loop.register(actor=personas.enterprise, on_the_spot=services.OnTheSpotFix("更换", "王五", [photo()]))


def test_overturn_records_the_reason_and_counts_against_the_provider(loop, personas, district):
    hazard = loop.routed()
    with pytest.raises(services.HazardError):
        services.overturn_hazard(hazard, actor=personas.safety_unit, version=hazard.version, reason="  ")
    services.overturn_hazard(
        hazard, actor=personas.safety_unit, version=hazard.version, reason="设备已停用报废"
    )
    hazard = loop.fresh(hazard)
    assert hazard.status == S.OVERTURNED
    assert hazard.overturn_reason == "设备已停用报废"
    assert hazard.events.get(name=EventName.OVERTURN).data["against_provider"] == district.provider.pk
    assert any("撤销" in title for _, title in inbox(personas.provider))


# --- guards ---------------------------------------------------------------------------------


def test_rectification_needs_measures_responsible_person_and_evidence(loop, personas):
    hazard = loop.rectifying()
    with pytest.raises(services.HazardError) as refused:
        services.submit_rectification(
            hazard,
            actor=personas.enterprise,
            version=hazard.version,
            measures="",
            responsible_person="",
            completed_on=timezone.localdate() + dt.timedelta(days=1),
            evidence=[],
        )
    assert set(refused.value.errors) == {"measures", "responsible_person", "completed_on", "evidence"}
    assert CJK.search(refused.value.message)
    hazard = loop.fresh(hazard)
    assert hazard.status == S.RECTIFYING and not hazard.rectifications.exists()


def test_registration_checks_its_data_and_the_enterprise_scope(loop, personas, district):
    with pytest.raises(services.HazardError) as refused:
        loop.register(title="", description="")
    assert set(refused.value.errors) == {"title", "description"}
    with pytest.raises(services.HazardNotFound):
        loop.register(enterprise=district.machine)  # the expert must not inspect this one
    with pytest.raises(services.HazardError):
        loop.register(source=HazardSource.TIP_OFF)  # an expert reports provider findings only
    with pytest.raises(Refused):
        loop.register(actor=personas.township)
    with pytest.raises(services.HazardError) as refused:
        loop.register(category="equipment")  # not one of the categories routing keys on
    assert set(refused.value.errors) == {"category"}
    assert not Hazard.objects.exists()


def test_registration_refuses_a_form_outside_the_three_of_order_16(loop):
    with pytest.raises(services.HazardError) as refused:
        services.register_hazard(
            actor=loop.p.expert,
            enterprise=loop.d.coal,
            level=loop.general,
            category="production",
            form="thing",
            title="配电柜前未铺设绝缘垫",
            description="现场检查发现",
        )
    assert set(refused.value.errors) == {"form"}
    assert not Hazard.objects.exists()


def test_halt_is_only_for_major_hazards(loop, personas):
    hazard = loop.routed()
    with pytest.raises(services.HazardError) as refused:
        services.issue_notice(
            hazard, actor=personas.safety_unit, version=hazard.version, requirements="整改", halt=True
        )
    assert "halt" in refused.value.errors
    assert not RectificationNotice.objects.exists()


def test_notice_deadline_must_be_ahead_and_defaults_to_the_suggested_one(loop, personas):
    hazard = loop.routed()
    with pytest.raises(services.HazardError):
        services.issue_notice(
            hazard,
            actor=personas.safety_unit,
            version=hazard.version,
            requirements="整改",
            deadline=timezone.localdate(),
        )
    suggested = hazard.deadline
    assert suggested == services.add_working_days(timezone.localdate(), 10)  # 一般: 10 working days
    notice = services.issue_notice(
        hazard, actor=personas.safety_unit, version=hazard.version, requirements="整改"
    )
    assert notice.deadline == suggested == loop.fresh(hazard).deadline
    # The notice says the unit adopted the inspector's suggestion: the provider only suggests.
    assert notice.deadline_source == "adopted"


def test_one_notice_covers_several_hazards_of_one_enterprise_and_numbers_run_on(loop, personas):
    first, second, third = loop.routed(), loop.routed(), loop.routed()
    notice = services.issue_notice(
        first,
        actor=personas.safety_unit,
        version=first.version,
        requirements="整改",
        deadline=far_deadline(),
        others=[(second, second.version)],
    )
    assert set(notice.hazards.all()) == {first, second}
    assert {loop.fresh(h).status for h in (first, second)} == {S.RECTIFYING}
    later = services.issue_notice(
        third, actor=personas.safety_unit, version=third.version, requirements="整改", deadline=far_deadline()
    )
    assert (notice.serial, later.serial) == (1, 2)
    assert (notice.deadline_source, later.deadline_source) == ("set", "set")  # given by the unit


def test_enforcement_for_overdue_waits_for_the_deadline(loop, personas):
    hazard = loop.rectifying()
    with pytest.raises(services.HazardError) as refused:
        services.start_enforcement(
            hazard,
            actor=personas.safety_unit,
            version=hazard.version,
            reason=EnforcementReason.OVERDUE,
            note="逾期",
        )
    assert "逾期" in str(refused.value)
    assert loop.fresh(hazard).status == S.RECTIFYING


def test_enforcement_returns_a_major_hazard_without_plan_to_awaiting_plan(loop, personas):
    hazard = loop.awaiting_plan()
    services.start_enforcement(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        reason=EnforcementReason.REFUSED,
        note="拒不制定治理方案",
        halt=True,
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.halted) == (S.UNDER_ENFORCEMENT, True)
    with pytest.raises(services.HazardError):
        services.conclude_enforcement(
            hazard, actor=personas.safety_unit, version=hazard.version, note="罚款", deadline=None
        )
    services.conclude_enforcement(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        note="罚款三万元",
        deadline=far_deadline(20),
    )
    hazard = loop.fresh(hazard)
    assert (hazard.status, hazard.deadline) == (S.AWAITING_PLAN, far_deadline(20))
    assert "拒不制定治理方案" in hazard.enforcement_note and "罚款三万元" in hazard.enforcement_note


# --- extensions -----------------------------------------------------------------------------


def test_extension_asked_too_late_is_refused_and_in_time_is_accepted(loop, personas, settings):
    today = timezone.localdate()
    too_late = loop.noticed(deadline=services.add_working_days(today, 2))
    with pytest.raises(services.HazardError) as refused:
        services.request_extension(
            too_late,
            actor=personas.enterprise,
            version=too_late.version,
            requested_deadline=too_late.deadline + dt.timedelta(days=10),
            reason="备件未到",
        )
    assert "3个工作日" in str(refused.value)
    assert not too_late.extension_requests.exists()

    in_time = loop.noticed(deadline=services.add_working_days(today, 3))
    request = services.request_extension(
        in_time,
        actor=personas.enterprise,
        version=in_time.version,
        requested_deadline=in_time.deadline + dt.timedelta(days=10),
        reason="备件未到",
    )
    assert request.decision == Decision.PENDING
    assert request.decision_due == services.add_working_days(today, 10)

    settings.HAZARD_EXTENSION_NOTICE_WORKING_DAYS = {"general": 5, "major": 20}
    configured = loop.noticed(deadline=services.add_working_days(today, 4))
    with pytest.raises(services.HazardError):
        services.request_extension(
            configured,
            actor=personas.enterprise,
            version=configured.version,
            requested_deadline=configured.deadline + dt.timedelta(days=10),
            reason="备件未到",
        )


def test_major_hazard_extension_needs_twenty_working_days_notice(loop, personas):
    today = timezone.localdate()
    hazard = loop.awaiting_plan(deadline=services.add_working_days(today, 19))
    with pytest.raises(services.HazardError) as refused:
        services.request_extension(
            hazard,
            actor=personas.enterprise,
            version=hazard.version,
            requested_deadline=hazard.deadline + dt.timedelta(days=60),
            reason="需外部单位配合",
        )
    assert "20个工作日" in str(refused.value)


def test_approved_extension_moves_the_deadline_and_refusal_needs_a_reason(loop, personas):
    hazard = loop.with_extension_request()
    requested = hazard.extension_requests.get().requested_deadline
    with pytest.raises(services.HazardError):
        services.request_extension(
            hazard,
            actor=personas.enterprise,
            version=hazard.version,
            requested_deadline=requested,
            reason="再次",
        )
    with pytest.raises(services.HazardError):
        services.decide_extension(hazard, actor=personas.safety_unit, version=hazard.version, approve=False)
    services.decide_extension(hazard, actor=personas.safety_unit, version=hazard.version, approve=True)
    hazard = loop.fresh(hazard)
    assert hazard.deadline == requested
    assert hazard.extension_requests.get().decision == Decision.APPROVED


def test_submitting_the_rectification_withdraws_a_pending_extension(loop, personas):
    hazard = loop.rectify(loop.with_extension_request())
    assert hazard.extension_requests.get().decision == Decision.WITHDRAWN


# --- routing --------------------------------------------------------------------------------


def test_duties_route_fire_and_explosives_hazards_to_their_units(loop, district):
    assert loop.register(category=HazardCategory.FIRE).member_unit == district.fire
    assert loop.register(category=HazardCategory.EXPLOSIVES).member_unit == district.police
    assert loop.register(category=HazardCategory.PRODUCTION).member_unit == district.safety


def test_the_highest_priority_routing_rule_beats_the_duties(loop, district):
    RoutingRule.objects.create(priority=5, industry_prefix="06", member_unit=district.police)
    RoutingRule.objects.create(priority=9, category=HazardCategory.PRODUCTION, member_unit=district.fire)
    RoutingRule.objects.create(priority=99, industry_prefix="06", member_unit=district.safety, active=False)
    RoutingRule.objects.create(priority=50, township=district.town_b, member_unit=district.safety)
    hazard = loop.register(category=HazardCategory.PRODUCTION)
    assert hazard.member_unit == district.fire
    assert hazard.events.get(name=EventName.ROUTE).data["rule"] is not None
    assert loop.register(category=HazardCategory.TRAFFIC).member_unit == district.police


def test_reassignment_is_recorded_and_moves_visibility(loop, personas, district):
    hazard = loop.routed()
    services.reassign_hazard(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        member_unit=district.fire,
        reason="消防问题",
    )
    hazard = loop.fresh(hazard)
    event = hazard.events.get(name=EventName.REASSIGN)
    assert event.data == {"from_unit": district.safety.pk, "to_unit": district.fire.pk}
    assert not Hazard.objects.visible_to(personas.safety_unit).filter(pk=hazard.pk).exists()
    assert Hazard.objects.visible_to(personas.fire).filter(pk=hazard.pk).exists()


# --- the monthly meeting --------------------------------------------------------------------


def test_feedback_gate_holds_general_hazards_until_the_meeting(loop, personas, settings):
    settings.HAZARD_FEEDBACK_GATE_GENERAL = True
    general = loop.register()
    major = loop.register(major=True)
    assert general.status == S.FOUND
    assert major.status == S.ROUTED  # never waits
    with pytest.raises(services.HazardError) as refused:
        services.route_hazard(general, actor=personas.bureau, version=general.version)
    assert "联席会议" in str(refused.value)

    marked = services.mark_fed_back([general, major], "2026-11联席会议", personas.bureau)
    assert {h.pk for h in marked} == {general.pk, major.pk}
    general = loop.fresh(general)
    assert general.status == S.ROUTED and general.fed_back_meeting == "2026-11联席会议"
    assert loop.fresh(major).fed_back_at is not None
    assert services.mark_fed_back([general, major], "2026-12联席会议", personas.bureau) == []
    assert loop.fresh(general).fed_back_meeting == "2026-11联席会议"


def test_without_the_gate_feedback_is_only_a_milestone(loop, personas):
    hazard = loop.routed()
    services.mark_fed_back([hazard], "M-1", personas.bureau)
    after = loop.fresh(hazard)
    assert after.status == S.ROUTED and after.version == hazard.version
    assert after.fed_back_at is not None


# --- concurrency (single thread: a stale view) ----------------------------------------------


def test_action_on_an_outdated_view_is_refused_and_changes_nothing(loop, personas):
    hazard = loop.routed()
    seen = hazard.version
    services.reassign_hazard(
        hazard, actor=personas.bureau, version=seen, member_unit=loop.d.fire, reason="改由消防督办"
    )
    with pytest.raises(services.HazardConflict) as refused:
        services.overturn_hazard(hazard, actor=personas.bureau, version=seen, reason="误判")
    assert str(refused.value) == "该隐患已被他人处理，请刷新后重试"
    assert loop.fresh(hazard).status == S.ROUTED


# --- notifications and deadlines ------------------------------------------------------------


def test_notice_mails_the_enterprise_after_commit(loop, personas, django_capture_on_commit_callbacks):
    personas.enterprise.email = "safety@longquan.example"
    personas.enterprise.save()
    hazard = loop.routed()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_notice(
            hazard,
            actor=personas.safety_unit,
            version=hazard.version,
            requirements="整改",
            deadline=far_deadline(),
        )
    assert [m.to for m in mail.outbox] == [["safety@longquan.example"]]
    assert "整改通知书" in mail.outbox[0].subject


def test_notifications_are_read_only_by_their_recipient(loop, personas):
    loop.rectifying()
    note = Notification.objects.filter(recipient=personas.enterprise).first()
    with pytest.raises(services.HazardNotFound):
        services.mark_notification_read(note, actor=personas.outsider)
    assert services.mark_notification_read(note, actor=personas.enterprise).read_at is not None
    assert list(Notification.objects.visible_to(personas.outsider)) == []


def _counts():
    return (Notification.objects.count(), Hazard.objects.get().events.count())


def test_scan_flags_overdue_once_and_escalates_major_hazards(loop, personas):
    hazard = loop.rectifying(major=True)
    day_after = hazard.deadline + dt.timedelta(days=1)
    result = services.scan_deadlines(today=day_after)
    assert (result.overdue, result.escalated) == (1, 1)
    assert hazard.events.filter(name=EventName.FLAG_OVERDUE).count() == 1
    assert any(kind == NotificationKind.ESCALATION for kind, _ in inbox(personas.bureau))
    assert any(kind == NotificationKind.OVERDUE for kind, _ in inbox(personas.enterprise))
    assert any(kind == NotificationKind.OVERDUE for kind, _ in inbox(personas.safety_unit))
    assert loop.fresh(hazard).version == hazard.version  # bookkeeping does not make forms stale

    counts = _counts()
    assert services.scan_deadlines(today=day_after) == services.ScanResult()
    assert services.scan_deadlines(today=day_after + dt.timedelta(days=5)) == services.ScanResult()
    assert _counts() == counts
    assert hazard in Hazard.objects.overdue(day_after)


def test_scan_reminds_the_owner_once_before_the_deadline(loop, personas):
    hazard = loop.rectifying()
    day_before = hazard.deadline - dt.timedelta(days=1)
    assert services.scan_deadlines(today=hazard.deadline - dt.timedelta(days=10)).reminded == 0
    assert services.scan_deadlines(today=day_before).reminded == 1
    assert inbox(personas.enterprise)[0][0] == NotificationKind.REMINDER
    counts = _counts()
    assert services.scan_deadlines(today=day_before).reminded == 0
    assert _counts() == counts


def test_a_pending_extension_holds_the_clock_and_a_new_deadline_starts_a_new_one(loop, personas):
    hazard = loop.with_extension_request()
    day_after = hazard.deadline + dt.timedelta(days=1)
    assert services.scan_deadlines(today=day_after).overdue == 0
    services.decide_extension(hazard, actor=personas.safety_unit, version=hazard.version, approve=True)
    hazard = loop.fresh(hazard)
    assert services.scan_deadlines(today=day_after).overdue == 0
    assert services.scan_deadlines(today=hazard.deadline + dt.timedelta(days=1)).overdue == 1


def test_general_overdue_hazard_is_not_escalated_and_the_task_wraps_the_scan(loop, personas):
    hazard = loop.rectifying()
    result = tasks.scan_deadlines.call((hazard.deadline + dt.timedelta(days=1)).isoformat())
    assert result == {"overdue": 1, "escalated": 0, "reminded": 0, "unconfirmed": 0}
    assert not any(kind == NotificationKind.ESCALATION for kind, _ in inbox(personas.bureau))


def test_reinspection_clock_reminds_the_provider(loop, personas):
    hazard = loop.awaiting_reinspection()
    services.scan_deadlines(today=hazard.reinspection_due)
    assert any(kind == NotificationKind.REMINDER for kind, _ in inbox(personas.provider))


# --- configuration --------------------------------------------------------------------------


def test_a_district_level_maps_onto_a_legal_level(loop, personas):
    larger = HazardLevel.objects.create(
        code="larger",
        name="较大隐患",
        legal_level="major",
        order=20,
        default_time_limit=30,
        time_limit_basis="calendar",
    )
    hazard = services.register_hazard(
        actor=personas.expert,
        enterprise=loop.d.coal,
        level=larger,
        category=HazardCategory.PRODUCTION,
        form="state",
        title="瓦斯监测探头失效",
        description="现场检查发现",
    )
    assert hazard.legal_level == "major" and hazard.is_suspected_major and not hazard.listed_supervision
    assert hazard.deadline == rules.add_calendar_days(timezone.localdate(), 30)


def test_workday_overrides_shift_deadlines(loop, personas):
    today = timezone.localdate()
    plain = services.add_working_days(today, 1)
    WorkdayOverride.objects.create(date=plain, is_working_day=False, note="临时调休")
    assert services.add_working_days(today, 1) > plain


@override_settings(HAZARD_FEEDBACK_GATE_GENERAL=False)
def test_an_unroutable_hazard_waits_for_the_bureau(loop, personas, district):
    from hazardloop.registry.models import MemberUnitDuty

    MemberUnitDuty.objects.all().delete()
    hazard = loop.register()
    assert hazard.status == S.FOUND
    assert any("手动交办" in title for _, title in inbox(personas.bureau))
    with pytest.raises(services.HazardError):
        services.route_hazard(hazard, actor=personas.bureau, version=hazard.version)
    services.route_hazard(hazard, actor=personas.bureau, version=hazard.version, member_unit=district.safety)
    assert loop.fresh(hazard).status == S.ROUTED
