import datetime as dt

import pytest
from django.utils import timezone

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import Refused
from hazardloop.enforcement import services
from hazardloop.enforcement.choices import ActionKind, ActionStatus
from hazardloop.enforcement.models import EnforcementAction
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import HazardStatus, NotificationKind
from hazardloop.hazards.models import Hazard, Notification

from .conftest import CJK_RE, fields_for

pytestmark = pytest.mark.django_db
S = HazardStatus


def fresh(hazard):
    return Hazard.objects.get(pk=hazard.pk)


# --- who may record ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["provider", "expert", "enterprise", "township", "leader", "admin"])
def test_roles_outside_government_enforcement_are_refused(personas, record, persona):
    with pytest.raises(Refused):
        record(actor=getattr(personas, persona))
    assert not EnforcementAction.objects.exists()


def test_member_unit_records_in_its_own_name_only(personas, district, record):
    with pytest.raises(Refused):
        record(actor=personas.fire, member_unit=district.safety)
    assert not EnforcementAction.objects.exists()


def test_bureau_records_for_a_unit_of_its_district(personas, district, record):
    action = record(actor=personas.bureau, member_unit=district.fire)
    assert action.member_unit == district.fire
    assert action.created_by == personas.bureau


def test_hazard_routed_to_another_unit_is_not_found(personas, district, loop, record):
    hazard = loop.rectifying(major=True)  # routed to the safety unit
    with pytest.raises(services.EnforcementNotFound):
        record(actor=personas.fire, member_unit=district.fire, hazards=[hazard])
    assert fresh(hazard).status == S.RECTIFYING
    assert not EnforcementAction.objects.exists()


def test_enterprise_outside_the_bureau_district_is_not_found(personas, district, record):
    with pytest.raises(services.EnforcementNotFound):
        record(actor=personas.bureau, enterprise=district.outsider)


# --- validation per kind -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "overrides", "field"),
    [
        (ActionKind.FINE, {"unit_fine_amount": None}, "unit_fine_amount"),
        (ActionKind.FINE, {"unit_fine_amount": "-1"}, "unit_fine_amount"),
        (ActionKind.FINE, {"unit_fine_amount": "abc"}, "unit_fine_amount"),
        (ActionKind.FINE, {"individual_fine_amount": "20000"}, "individual_name"),
        (ActionKind.FINE, {"individual_name": "张三"}, "individual_fine_amount"),
        (ActionKind.FINE, {"legal_basis_law": ""}, "legal_basis_law"),
        (ActionKind.WARNING, {"legal_basis_article": ""}, "legal_basis_article"),
        (ActionKind.DAILY_PENALTY, {"daily_amount": None}, "daily_amount"),
        (ActionKind.DAILY_PENALTY, {"daily_start": None}, "daily_start"),
        (ActionKind.ORDER_RECTIFY_BY_DEADLINE, {"deadline": None}, "deadline"),
        (ActionKind.HALT_FOR_RECTIFICATION, {"deadline": None}, "deadline"),
        (ActionKind.WARNING, {"unit_fine_amount": "100"}, "unit_fine_amount"),
        (ActionKind.INTERVIEW, {"daily_amount": "100"}, "daily_amount"),
        (ActionKind.INTERVIEW, {"facts": " "}, "facts"),
        (ActionKind.INTERVIEW, {"document_number": ""}, "document_number"),
        (ActionKind.INTERVIEW, {"decided_on": dt.date(2999, 1, 1)}, "decided_on"),
        ("nonsense", {}, "kind"),
    ],
)
def test_each_kind_is_validated_with_chinese_field_errors(record, kind, overrides, field):
    with pytest.raises(services.EnforcementError) as caught:
        record(kind, **overrides)
    assert field in caught.value.errors
    assert all(CJK_RE.search(m) for m in caught.value.errors[field])
    assert not EnforcementAction.objects.exists()


def test_orders_and_interviews_need_no_legal_basis_or_amount(record):
    action = record(ActionKind.INTERVIEW, legal_basis_law="", legal_basis_article="")
    assert action.status == ActionStatus.IN_FORCE
    assert not action.is_penalty


def test_fine_keeps_unit_and_individual_amounts(record):
    action = record(
        ActionKind.FINE, unit_fine_amount="50000.50", individual_fine_amount="8000", individual_name="李四"
    )
    action.refresh_from_db()
    assert str(action.unit_fine_amount) == "50000.50"
    assert action.individual_name == "李四"


def test_document_number_is_unique_per_unit(personas, district, record):
    record(ActionKind.WARNING, document_number="龙应急罚〔2026〕1号")
    with pytest.raises(services.EnforcementError) as caught:
        record(ActionKind.WARNING, document_number="龙应急罚〔2026〕1号")
    assert "document_number" in caught.value.errors
    # Another unit may use the same number.
    record(
        ActionKind.WARNING,
        actor=personas.fire,
        member_unit=district.fire,
        document_number="龙应急罚〔2026〕1号",
    )


# --- hazards ---------------------------------------------------------------------------------


def test_enforceable_hazards_move_to_under_enforcement(personas, loop, record):
    major = loop.rectifying(major=True)
    waiting = loop.awaiting_plan()
    review = loop.plan_review()
    action = record(ActionKind.FINE, hazards=[major, waiting, review])
    assert fresh(major).status == S.UNDER_ENFORCEMENT
    assert fresh(waiting).status == S.UNDER_ENFORCEMENT
    assert fresh(review).status == S.PLAN_REVIEW  # start_enforcement does not take it; linked only
    assert set(action.hazards.all()) == {major, waiting, review}
    event = fresh(major).events.order_by("-seq").first()
    assert event.name == "start_enforcement"
    assert action.document_number in event.note
    audit = AuditEvent.objects.filter(event_type=EventType.RECORD_CREATED, target_id=str(action.pk)).get()
    assert audit.data["moved_to_enforcement"] == sorted([major.number, waiting.number]) or set(
        audit.data["moved_to_enforcement"]
    ) == {major.number, waiting.number}


def test_halt_order_halts_a_major_hazard(loop, record):
    major = loop.rectifying(major=True)
    record(ActionKind.ORDER_WITHDRAW_HALT, hazards=[major])
    assert fresh(major).halted


def test_validation_failure_leaves_hazards_unchanged(loop, record):
    major = loop.rectifying(major=True)
    with pytest.raises(services.EnforcementError):
        record(ActionKind.FINE, hazards=[major], unit_fine_amount=None)
    assert fresh(major).status == S.RECTIFYING
    assert fresh(major).version == major.version
    assert not EnforcementAction.objects.exists()


def test_refusal_by_the_hazard_service_undoes_everything(personas, loop, record):
    first = loop.rectifying(major=True)
    second = loop.with_extension_request()  # start_enforcement refuses: extension pending
    with pytest.raises(services.EnforcementError) as caught:
        record(ActionKind.FINE, hazards=[first, second])
    assert "hazards" in caught.value.errors
    assert fresh(first).status == S.RECTIFYING
    assert not EnforcementAction.objects.exists()
    assert not AuditEvent.objects.filter(
        event_type=EventType.RECORD_CREATED, data__model="enforcement.enforcementaction"
    ).exists()


def test_overdue_reason_before_the_deadline_is_refused(loop, record):
    hazard = loop.rectifying()
    with pytest.raises(services.EnforcementError) as caught:
        record(ActionKind.ORDER_IMMEDIATE_REMOVAL, hazards=[hazard], reason="overdue")
    assert "reason" in caught.value.errors
    assert fresh(hazard).status == S.RECTIFYING


def test_hazard_of_another_enterprise_is_refused(personas, district, loop, record):
    hazard = loop.rectifying(enterprise=district.machine, actor=personas.bureau)
    with pytest.raises(services.EnforcementError) as caught:
        record(ActionKind.WARNING, hazards=[hazard])
    assert "hazards" in caught.value.errors
    assert fresh(hazard).status == S.RECTIFYING


def test_fulfilment_with_new_deadline_concludes_linked_hazards(personas, loop, record):
    hazard = loop.rectifying(major=True)
    action = record(ActionKind.FINE, hazards=[hazard])
    deadline = timezone.localdate() + dt.timedelta(days=20)
    services.record_fulfilment(
        action,
        actor=personas.safety_unit,
        fulfilled_on=timezone.localdate(),
        note="罚款已缴清",
        new_deadline=deadline,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.FULFILLED
    assert fresh(hazard).status == S.RECTIFYING
    assert fresh(hazard).deadline == deadline


def test_fulfilment_is_refused_twice_and_for_others(personas, district, loop, record):
    action = record(ActionKind.WARNING)
    with pytest.raises(services.EnforcementNotFound):  # fire does not see safety's record
        services.record_fulfilment(action, actor=personas.fire, fulfilled_on=timezone.localdate(), note="x")
    # The safety unit sees the fire unit's action on a hazard routed to it, but may not act on it.
    theirs = record(
        ActionKind.WARNING, actor=personas.bureau, member_unit=district.fire, hazards=[loop.rectifying()]
    )
    with pytest.raises(Refused):
        services.record_fulfilment(
            theirs, actor=personas.safety_unit, fulfilled_on=timezone.localdate(), note="x"
        )
    with pytest.raises(services.EnforcementNotFound):
        services.record_fulfilment(
            action, actor=personas.provider, fulfilled_on=timezone.localdate(), note="x"
        )
    services.record_fulfilment(
        action, actor=personas.bureau, fulfilled_on=timezone.localdate(), note="已履行"
    )
    with pytest.raises(services.EnforcementError) as caught:
        services.record_fulfilment(
            action, actor=personas.bureau, fulfilled_on=timezone.localdate(), note="已履行"
        )
    assert "status" in caught.value.errors


def test_conclude_one_hazard(personas, loop, record):
    hazard = loop.awaiting_plan()
    action = record(ActionKind.ORDER_RECTIFY_BY_DEADLINE, hazards=[hazard])
    with pytest.raises(services.EnforcementError) as caught:
        services.conclude_hazard_enforcement(
            action, hazard, actor=personas.safety_unit, deadline=None, note="x"
        )
    assert "new_deadline" in caught.value.errors
    services.conclude_hazard_enforcement(
        action,
        hazard,
        actor=personas.safety_unit,
        deadline=timezone.localdate() + dt.timedelta(days=15),
        note="整改期限重定",
    )
    assert fresh(hazard).status == S.AWAITING_PLAN  # major without an approved plan


def test_revoke_needs_a_reason_and_stops_counting(personas, loop, record):
    action = record(ActionKind.FINE, hazards=[loop.rectifying(major=True)])
    assert services.art113_status(action.enterprise_id).short == 1
    with pytest.raises(services.EnforcementError):
        services.revoke_action(action, actor=personas.safety_unit, reason=" ")
    services.revoke_action(action, actor=personas.safety_unit, reason="行政复议决定撤销")
    action.refresh_from_db()
    assert action.status == ActionStatus.REVOKED
    assert services.art113_status(action.enterprise_id).short == 0


# --- Art. 113 ----------------------------------------------------------------------------------


def bureau_art113(personas):
    return Notification.objects.filter(recipient=personas.bureau, title__contains="第一百一十三条")


def test_third_major_hazard_penalty_in_180_days_notifies_the_bureau(personas, district, loop, record):
    major = loop.rectifying(major=True)
    today = timezone.localdate()
    record(ActionKind.FINE, hazards=[major], decided_on=today - dt.timedelta(days=100))
    record(ActionKind.WARNING, hazards=[major], decided_on=today - dt.timedelta(days=50))
    record(ActionKind.INTERVIEW, hazards=[major])  # not a penalty: does not count
    assert not bureau_art113(personas).exists()
    assert not services.art113_status(district.coal.pk).flagged
    record(ActionKind.FINE, hazards=[major])
    notes = list(bureau_art113(personas))
    assert len(notes) == 1
    assert notes[0].kind == NotificationKind.ESCALATION
    assert "提请关闭" in notes[0].title
    assert services.art113_status(district.coal.pk).flagged
    assert district.coal.pk in services.flagged_enterprise_ids()
    # A fourth does not notify again: the enterprise was already over the line.
    record(ActionKind.FINE, hazards=[major])
    assert bureau_art113(personas).count() == 1


def test_penalties_for_general_hazards_do_not_count(personas, district, loop, record):
    general = loop.rectifying()
    for _ in range(4):
        record(ActionKind.FINE, hazards=[general])
    assert services.art113_status(district.coal.pk).long == 0
    assert not bureau_art113(personas).exists()


def test_thresholds_come_from_settings(settings, personas, district, loop, record):
    settings.ENFORCEMENT_ART113_THRESHOLD_180_DAYS = 1
    record(ActionKind.FINE, hazards=[loop.rectifying(major=True)])
    assert bureau_art113(personas).count() == 1


def test_the_hazard_services_are_used_not_bypassed(monkeypatch, loop, record):
    calls = []
    original = hazard_services.start_enforcement

    def spy(*args, **kwargs):
        calls.append(kwargs["version"])
        return original(*args, **kwargs)

    monkeypatch.setattr(hazard_services, "start_enforcement", spy)
    hazard = loop.rectifying(major=True)
    record(ActionKind.FINE, hazards=[hazard])
    assert calls == [hazard.version]


def test_fields_helper_is_valid_for_every_kind(record):
    for kind in ActionKind.values:
        record(kind, **({} if kind != ActionKind.CONFISCATION else {}))
    assert EnforcementAction.objects.count() == len(ActionKind.values)
    assert fields_for(ActionKind.FINE)["unit_fine_amount"] == "30000"


def test_batch_counter_agrees_with_single_counter(personas, district, loop, record):
    major = loop.rectifying(major=True)
    today = timezone.localdate()
    for days in (400, 200, 100, 10):
        record(ActionKind.FINE, hazards=[major], decided_on=today - dt.timedelta(days=days))
    record(ActionKind.WARNING, enterprise=district.chem)
    batch = services.art113_statuses([district.coal.pk, district.chem.pk])
    assert batch[district.coal.pk] == services.art113_status(district.coal.pk)
    assert (batch[district.coal.pk].short, batch[district.coal.pk].long) == (2, 3)
    assert batch[district.chem.pk].long == 0
