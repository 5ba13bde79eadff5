"""The monthly joint meeting's feedback milestone (联席会议反馈)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.core import access

from ..choices import (
    EventName,
)
from ..models import (
    Hazard,
    HazardEvent,
)
from ._core import (
    S,
)
from .config import feedback_gate_general
from .errors import HazardError, _not_found
from .route import _auto_route


@transaction.atomic
def mark_fed_back(hazards: Iterable[Hazard], meeting_ref: str, actor) -> list[Hazard]:
    """Record that the monthly joint meeting (联席会议) heard these hazards.

    A milestone, not a state: each hazard not yet fed back gets `fed_back_at` and a
    record_feedback event (its version unchanged); those already fed back are left as they are.
    With HAZARD_FEEDBACK_GATE_GENERAL on, general hazards still in `found` are then routed by
    the rules. Returns the hazards marked. Raises HazardNotFound if any is out of the actor's
    scope or gone (nothing is marked then).

    A meeting pack covers a month of a district's findings, so the set is handled at once: one
    locking read, one scope check, one UPDATE, one insert of the timeline events and one of the
    audit rows, whatever the number of hazards. Only the routing the gate releases goes hazard by
    hazard, as each route is a transition of its own with its notification."""
    access.require(actor, "hazards.mark_fed_back")
    meeting_ref = (meeting_ref or "").strip()
    if not meeting_ref:
        raise HazardError(_("请填写会议编号。"))
    pks = sorted({h.pk for h in hazards})
    if not pks:
        return []
    locked = list(Hazard.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    visible = set(scoping.scope(Hazard.objects.filter(pk__in=pks), actor).values_list("pk", flat=True))
    if len(locked) != len(pks) or len(visible) != len(pks):
        raise _not_found()
    pending = [hazard for hazard in locked if hazard.fed_back_at is None]
    if not pending:
        return []
    now = timezone.now()
    for hazard in pending:
        # The model's transition sets the fields (no save: the UPDATE below writes them all).
        hazard.record_feedback(at=now, meeting=meeting_ref)
        hazard.updated_at = now
    Hazard.objects.filter(pk__in=[h.pk for h in pending]).update(
        fed_back_at=now, fed_back_meeting=meeting_ref, updated_at=now
    )
    # The event carries the state as of its own time (the meeting may be recorded after the
    # hazard moved on, e.g. minutes entered late or a demo built backwards): the state the
    # hazard's last event up to that moment left it in.
    as_of = _states_as_of([h.pk for h in pending], now)
    last_seq = dict(
        HazardEvent.objects.filter(hazard__in=pending)
        .order_by()
        .values_list("hazard_id")
        .annotate(last=Max("seq"))
    )
    data = {"meeting": meeting_ref}
    events = [
        HazardEvent(
            hazard=hazard,
            seq=last_seq.get(hazard.pk, 0) + 1,
            actor=actor,
            at=now,
            name=EventName.RECORD_FEEDBACK,
            from_state=as_of.get(hazard.pk, S.FOUND),
            to_state=as_of.get(hazard.pk, S.FOUND),
            note="",
            data=data,
        )
        for hazard in pending
    ]
    HazardEvent.objects.bulk_create(events)
    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import record_events

    record_events(
        EventType.STATE_TRANSITION,
        actor=actor,
        items=[
            (
                hazard,
                {
                    "number": hazard.number,
                    "event": EventName.RECORD_FEEDBACK,
                    "seq": event.seq,
                    "from": event.from_state,
                    "to": event.to_state,
                    "version": hazard.version,
                    "data": data,
                },
            )
            for hazard, event in zip(pending, events, strict=True)
        ],
    )
    if feedback_gate_general():
        for hazard in pending:
            if hazard.status == S.FOUND:
                _auto_route(hazard)
    return pending


def _states_as_of(pks: list[int], moment) -> dict[int, str]:
    """Each hazard's state as its timeline stood at `moment` (the to_state of its last event at
    or before it), in one query."""
    states: dict[int, str] = {}
    rows = (
        HazardEvent.objects.filter(hazard_id__in=pks, at__lte=moment)
        .exclude(to_state="")
        .order_by("hazard_id", "at", "seq")
        .values_list("hazard_id", "to_state")
    )
    for hazard_id, state in rows:
        states[hazard_id] = state  # the last one per hazard wins
    return states
