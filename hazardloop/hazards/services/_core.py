"""The common steps of every hazard service: lock, guard, apply the transition, record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hazardloop.core import access
from hazardloop.core.errors import Refused
from hazardloop.core.uploads import CleanFile, UploadRejected, clean_evidence

from ..choices import EventName, HazardStatus
from ..models import (
    Hazard,
    HazardAttachment,
    HazardEvent,
    NumberSequence,
)
from .errors import HazardError, _conflict, _not_found

# The states, short: the guards read `S.ROUTED`, `S.FOUND`, ….
S = HazardStatus


def _visible(actor, pk) -> bool:
    return access.visible(Hazard.objects.all(), actor, pk)


def _lock(hazard: Hazard | int, *, actor, capability: str, version: int | None) -> Hazard:
    """Steps 1–4: the locked, current row, or the right refusal. `version=None` only for
    bookkeeping callers that must not conflict with users."""
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    locked = Hazard.objects.select_for_update().filter(pk=pk).first()
    if locked is None or (actor is not None and not _visible(actor, pk)):
        raise _not_found()
    if actor is not None:
        access.require(actor, capability)
    if version is not None and locked.version != version:
        raise _conflict()
    return locked


def _expect_state(hazard: Hazard, states: Iterable[str], action: str) -> None:
    if hazard.status not in set(states):
        raise HazardError(
            _("隐患当前状态为“%(state)s”，不能%(action)s。")
            % {"state": hazard.get_status_display(), "action": action}
        )


def _require_text(errors: dict[str, list[str]], field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(message)
    return value


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        message = "；".join(m for messages in errors.values() for m in messages)
        raise HazardError(message, errors=errors)


def _append_event(
    hazard: Hazard, name: str, *, actor, from_state: str, note: str = "", data: dict | None = None
) -> HazardEvent:
    last = hazard.events.aggregate(last=Max("seq"))["last"] or 0
    event = HazardEvent.objects.create(
        hazard=hazard,
        seq=last + 1,
        actor=actor,
        at=timezone.now(),
        name=name,
        from_state=from_state,
        to_state=hazard.status,
        note=note,
        data=data or {},
    )
    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import record_event

    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=hazard,
        data={
            "number": hazard.number,
            "event": name,
            "seq": event.seq,
            "from": from_state,
            "to": hazard.status,
            "version": hazard.version,
            "data": data or {},
        },
    )
    return event


def _apply(
    hazard: Hazard,
    name: str,
    *,
    actor,
    note: str = "",
    data: dict | None = None,
    bump: bool = True,
    **kwargs,
) -> HazardEvent:
    """Step 6: run the model's transition `name`, save, and write the event and the audit row.

    The transition's own role guard (`permission=` on the model) is checked for every user
    actor, so a government act refuses a provider even if a capability were misconfigured. A
    hazard that leaves listed supervision here has its open listing ended (摘牌) by the same act."""
    from_state = hazard.status
    method = getattr(hazard, name)
    fsm_transition = method._django_fsm.get_transition(from_state)
    if actor is not None and fsm_transition is not None and not fsm_transition.has_perm(hazard, actor):
        raise Refused(_("该操作须由政府部门作出。"))
    was_listed = hazard.is_listed
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:
        raise HazardError(
            _("隐患当前状态为“%(state)s”，不能执行该操作。") % {"state": hazard.get_status_display()}
        ) from exc
    if bump:
        hazard.version += 1
    try:
        hazard.save()
    except ConcurrentTransition as exc:  # the row lock makes this unreachable; kept as a backstop
        raise _conflict() from exc
    if was_listed and not hazard.is_listed:
        hazard.listings.filter(delisted_at__isnull=True).update(
            delisted_at=hazard.delisted_at, delisted_by=actor, delist_reason=str(EventName(name).label)[:200]
        )
    return _append_event(hazard, name, actor=actor, from_state=from_state, note=note, data=data)


def _clean_files(errors: dict[str, list[str]], field: str, files: Iterable | None) -> list[CleanFile]:
    """Check every upload before anything changes (hazardloop.core.uploads): photos are
    re-encoded to JPEG, PDFs pass by signature, anything else is refused with a message under
    `field`. Called in the guard step, so a refused file leaves the hazard untouched."""
    cleaned: list[CleanFile] = []
    for upload in files or ():
        if isinstance(upload, CleanFile):
            cleaned.append(upload)
            continue
        try:
            cleaned.append(clean_evidence(upload))
        except UploadRejected as exc:
            errors.setdefault(field, []).append(str(exc))
    return cleaned


def _attach(hazard: Hazard, event: HazardEvent | None, kind: str, files: Iterable, actor) -> int:
    """Store files already checked by `_clean_files` (a raw upload is checked here too, as a
    backstop; a refusal then undoes the whole transaction)."""
    count = 0
    for upload in files or ():
        if not isinstance(upload, CleanFile):
            errors: dict[str, list[str]] = {}
            cleaned = _clean_files(errors, "evidence", [upload])
            _raise_if(errors)
            upload = cleaned[0]
        HazardAttachment.objects.create(
            hazard=hazard,
            event=event,
            kind=kind,
            file=upload.content,
            original_name=upload.original_name[:255],
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        count += 1
    return count


def _next_number(key: str) -> int:
    sequence, _created = NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


def _today() -> dt.date:
    return timezone.localdate()


def _check_new_deadline(errors, field: str, deadline: dt.date | None, *, required: bool) -> None:
    if deadline is None:
        if required:
            errors.setdefault(field, []).append(_("请填写整改期限。"))
        return
    if deadline <= _today():
        errors.setdefault(field, []).append(_("整改期限应晚于今天。"))


# --- notifications --------------------------------------------------------------------------
