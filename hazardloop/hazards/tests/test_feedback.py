"""mark_fed_back on a meeting's worth of hazards: the rows it writes for each hazard, all or
nothing, and a number of queries that does not grow with the number of hazards."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.audit.services import verify_chain
from hazardloop.hazards import services
from hazardloop.hazards.choices import EventName
from hazardloop.hazards.choices import HazardStatus as S
from hazardloop.hazards.models import Hazard, HazardEvent

pytestmark = pytest.mark.django_db

MEETING = "2026年第11次联席会议"


def _snapshot(hazards):
    """Per hazard: its fields that feedback touches, its last event number, its audit rows."""
    ct = ContentType.objects.get_for_model(Hazard)
    out = {}
    for hazard in hazards:
        fresh = Hazard.objects.get(pk=hazard.pk)
        out[hazard.pk] = {
            "fed_back_at": fresh.fed_back_at,
            "meeting": fresh.fed_back_meeting,
            "version": fresh.version,
            "status": fresh.status,
            "events": list(
                HazardEvent.objects.filter(hazard=hazard).order_by("seq").values_list("seq", "name")
            ),
            "audit": AuditEvent.objects.filter(target_type=ct, target_id=str(hazard.pk)).count(),
        }
    return out


def test_each_hazard_gets_its_event_and_audit_row_and_the_chain_holds(loop, district, personas):
    fresh = [loop.routed(), loop.routed(enterprise=district.machine, actor=personas.bureau), loop.noticed()]
    earlier = loop.routed()
    services.mark_fed_back([earlier], "2026年第10次联席会议", personas.bureau)
    before = _snapshot([*fresh, earlier])
    audit_head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    marked = services.mark_fed_back([*fresh, earlier], MEETING, personas.bureau)

    assert sorted(h.pk for h in marked) == sorted(h.pk for h in fresh)
    after = _snapshot([*fresh, earlier])
    assert after[earlier.pk] == before[earlier.pk]  # heard at an earlier meeting: untouched
    new_audit = list(AuditEvent.objects.filter(seq__gt=audit_head).order_by("seq"))
    assert len(new_audit) == len(fresh)
    by_target = {int(row.target_id): row for row in new_audit}
    for hazard in fresh:
        was, now = before[hazard.pk], after[hazard.pk]
        assert was["fed_back_at"] is None and now["fed_back_at"] is not None
        assert now["meeting"] == MEETING
        assert (now["version"], now["status"]) == (was["version"], was["status"])
        last_seq = was["events"][-1][0]
        assert now["events"] == [*was["events"], (last_seq + 1, EventName.RECORD_FEEDBACK)]
        event = HazardEvent.objects.get(hazard=hazard, seq=last_seq + 1)
        assert (event.actor, event.from_state, event.to_state, event.data) == (
            personas.bureau,
            was["status"],
            was["status"],
            {"meeting": MEETING},
        )
        audit = by_target[hazard.pk]
        assert audit.event_type == EventType.STATE_TRANSITION
        assert audit.actor == personas.bureau
        assert audit.target_repr == str(Hazard.objects.get(pk=hazard.pk))
        assert audit.data == {
            "number": hazard.number,
            "event": EventName.RECORD_FEEDBACK,
            "seq": last_seq + 1,
            "from": was["status"],
            "to": was["status"],
            "version": was["version"],
            "data": {"meeting": MEETING},
        }
        assert now["audit"] == was["audit"] + 1
    assert verify_chain().ok


def test_one_hazard_out_of_scope_marks_none(loop, district, personas):
    ours = [loop.routed(), loop.routed()]
    theirs = loop.register(enterprise=district.outsider, actor=personas.outsider)
    before = _snapshot([*ours, theirs])
    with pytest.raises(services.HazardNotFound):
        services.mark_fed_back([*ours, theirs], MEETING, personas.bureau)
    assert _snapshot([*ours, theirs]) == before


def test_a_failure_after_the_update_rolls_everything_back(loop, personas, monkeypatch):
    hazards = [loop.routed(), loop.routed()]
    before = _snapshot(hazards)
    audit_rows = AuditEvent.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("hazardloop.audit.services.record_events", broken)
    with pytest.raises(RuntimeError):
        services.mark_fed_back(hazards, MEETING, personas.bureau)
    assert _snapshot(hazards) == before
    assert AuditEvent.objects.count() == audit_rows


def test_queries_do_not_grow_with_the_number_of_hazards(loop, personas):
    few = [loop.routed() for _ in range(2)]
    many = [loop.routed() for _ in range(7)]
    with CaptureQueriesContext(connection) as two:
        services.mark_fed_back(few, "M-1", personas.bureau)
    with CaptureQueriesContext(connection) as seven:
        services.mark_fed_back(many, "M-1", personas.bureau)
    assert len(seven) == len(two)
    assert all(Hazard.objects.get(pk=h.pk).fed_back_meeting == "M-1" for h in [*few, *many])


def test_the_gate_routes_the_general_hazards_it_held(loop, personas, settings):
    held = loop.found()
    assert held.status == S.FOUND
    settings.HAZARD_FEEDBACK_GATE_GENERAL = True
    services.mark_fed_back([held], MEETING, personas.bureau)
    names = list(HazardEvent.objects.filter(hazard=held).order_by("seq").values_list("name", flat=True))
    assert names[-2:] == [EventName.RECORD_FEEDBACK, EventName.ROUTE]
    assert Hazard.objects.get(pk=held.pk).status == S.ROUTED
    assert verify_chain().ok
