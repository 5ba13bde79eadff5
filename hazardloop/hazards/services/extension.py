"""Extension requests and their decision (延期)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..choices import (
    RECTIFICATION_CLOCK_STATES,
    Decision,
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    ExtensionRequest,
    Hazard,
)
from ._core import (
    _apply,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
    _today,
)
from .config import time_limits, workday_overrides
from .errors import HazardError
from .notify import _label, _notify_party

# --- extensions -----------------------------------------------------------------------------


@transaction.atomic
def request_extension(
    hazard: Hazard, *, actor, version: int, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """The enterprise asks for a later deadline.

    Guard: the rectification clock runs; no other request pending; asked at least the configured
    number of working days before the deadline (HAZARD_EXTENSION_NOTICE_WORKING_DAYS per legal
    level). Effects: a pending request due for decision within
    HAZARD_EXTENSION_DECISION_WORKING_DAYS. Event: request_extension."""
    hazard = _lock(hazard, actor=actor, capability="hazards.request_extension", version=version)
    _expect_state(hazard, RECTIFICATION_CLOCK_STATES, _("申请延期"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写延期理由。"))
    if hazard.extension_requests.filter(decision=Decision.PENDING).exists():
        errors.setdefault("hazard", []).append(_("已有待审批的延期申请。"))
    if requested_deadline is None or hazard.deadline is None or requested_deadline <= hazard.deadline:
        errors.setdefault("requested_deadline", []).append(_("申请的期限应晚于原整改期限。"))
    _raise_if(errors)
    limits = time_limits()
    overrides = workday_overrides()
    today = _today()
    notice_days = limits.extension_notice(hazard.legal_level)
    latest = rules.latest_extension_request_day(hazard.deadline, notice_days, overrides)
    if today > latest:
        raise HazardError(
            _("延期申请应在整改期限前%(days)d个工作日提出（最迟%(latest)s），已超过申请时限。")
            % {"days": notice_days, "latest": latest.isoformat()},
            errors={"requested_deadline": [_("已超过申请时限。")]},
        )
    request = ExtensionRequest.objects.create(
        hazard=hazard,
        previous_deadline=hazard.deadline,
        requested_deadline=requested_deadline,
        reason=reason,
        requested_by=actor,
        requested_at=timezone.now(),
        decision_due=rules.add_working_days(today, limits.extension_decision_working_days, overrides),
    )
    _apply(
        hazard,
        EventName.REQUEST_EXTENSION,
        actor=actor,
        note=reason,
        data={"request": request.pk, "requested_deadline": requested_deadline},
    )
    _notify_party(
        hazard,
        Party.MEMBER_UNIT,
        NotificationKind.TASK,
        _("延期申请待审批（请于%(due)s前答复）：%(hazard)s")
        % {"due": request.decision_due.isoformat(), "hazard": _label(hazard)},
        actor=actor,
        body=reason,
    )
    return request


@transaction.atomic
def decide_extension(
    hazard: Hazard, *, actor, version: int, approve: bool, note: str = "", deadline: dt.date | None = None
) -> ExtensionRequest:
    """The member unit decides the pending extension request: approval moves the deadline to
    the requested date, or to `deadline` if the unit grants another one later than the current
    (event extend_deadline); refusal keeps it and needs a reason (event refuse_extension)."""
    hazard = _lock(hazard, actor=actor, capability="hazards.decide_extension", version=version)
    _expect_state(hazard, RECTIFICATION_CLOCK_STATES, _("审批延期"))
    request = hazard.extension_requests.select_for_update().filter(decision=Decision.PENDING).first()
    if request is None:
        raise HazardError(_("没有待审批的延期申请。"))
    errors: dict[str, list[str]] = {}
    if not approve:
        note = _require_text(errors, "note", note, _("请填写不同意延期的理由。"))
    elif deadline is not None and deadline <= request.previous_deadline:
        errors.setdefault("deadline", []).append(_("延期后的期限应晚于原整改期限。"))
    elif deadline is not None and deadline <= _today():
        errors.setdefault("deadline", []).append(_("整改期限应晚于今天。"))
    _raise_if(errors)
    granted = deadline or request.requested_deadline
    request.decision = Decision.APPROVED if approve else Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save()
    data = {"request": request.pk, "late": _today() > request.decision_due}
    if approve:
        _apply(
            hazard,
            EventName.EXTEND_DEADLINE,
            actor=actor,
            note=note,
            data={
                **data,
                "deadline_from": request.previous_deadline,
                "deadline_to": granted,
                "requested": request.requested_deadline,
            },
            deadline=granted,
        )
        title = _("延期申请已同意，新的整改期限为%(deadline)s：%(hazard)s")
    else:
        _apply(hazard, EventName.REFUSE_EXTENSION, actor=actor, note=note, data=data)
        title = _("延期申请未同意，整改期限仍为%(deadline)s：%(hazard)s")
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.INFO,
        title % {"deadline": hazard.deadline.isoformat(), "hazard": _label(hazard)},
        actor=actor,
        body=note,
    )
    return request


def _withdraw_pending_extension(hazard: Hazard) -> None:
    hazard.extension_requests.filter(decision=Decision.PENDING).update(
        decision=Decision.WITHDRAWN, decided_at=timezone.now()
    )
