"""Enforcement (处理): government only."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import (
    DeadlineBasis,
    Decision,
    EnforcementReason,
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
)
from ._core import (
    S,
    _apply,
    _check_new_deadline,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
    _today,
)
from .notify import _label, _notify_party


@transaction.atomic
def start_enforcement(
    hazard: Hazard, *, actor, version: int, reason: str, note: str, halt: bool = False
) -> Hazard:
    """The member unit takes an overdue or refused hazard into enforcement (处理).

    Guard: awaiting_plan or rectifying; reason `overdue` only after the deadline; no extension
    request pending; a halt only for a major hazard. Effects: under_enforcement; the note holds
    the enforcement record until the enforcement app links one. Event: start_enforcement."""
    hazard = _lock(hazard, actor=actor, capability="hazards.enforce", version=version)
    _expect_state(hazard, [S.AWAITING_PLAN, S.RECTIFYING], _("转入执法处理"))
    errors: dict[str, list[str]] = {}
    if reason not in EnforcementReason.values:
        errors.setdefault("reason", []).append(_("请选择执法原因。"))
    elif reason == EnforcementReason.OVERDUE and not (hazard.deadline and hazard.deadline < _today()):
        errors.setdefault("reason", []).append(_("整改期限未到，不能以逾期为由执法。"))
    note = _require_text(errors, "note", note, _("请填写执法处理情况。"))
    if hazard.extension_requests.filter(decision=Decision.PENDING).exists():
        errors.setdefault("hazard", []).append(_("请先审批该隐患的延期申请。"))
    if halt and not hazard.is_major:
        errors.setdefault("halt", []).append(_("只有重大隐患才能责令停产停业整改。"))
    _raise_if(errors)
    _apply(
        hazard,
        EventName.START_ENFORCEMENT,
        actor=actor,
        note=note,
        data={"reason": reason, "halt": halt},
        record=note,
        halt=halt,
    )
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.INFO,
        _("隐患已转入执法处理：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
        body=note,
    )
    return hazard


@transaction.atomic
def conclude_enforcement(
    hazard: Hazard, *, actor, version: int, note: str, deadline: dt.date, halt: bool = False
) -> Hazard:
    """Enforcement done: the hazard goes back to rectification with a new deadline — to
    awaiting_plan if it is major and has no approved plan yet, else rectifying. Event:
    conclude_enforcement."""
    hazard = _lock(hazard, actor=actor, capability="hazards.enforce", version=version)
    _expect_state(hazard, [S.UNDER_ENFORCEMENT], _("结束执法处理"))
    errors: dict[str, list[str]] = {}
    note = _require_text(errors, "note", note, _("请填写执法处理结果。"))
    _check_new_deadline(errors, "deadline", deadline, required=True)
    if halt and not hazard.is_major:
        errors.setdefault("halt", []).append(_("只有重大隐患才能责令停产停业整改。"))
    _raise_if(errors)
    _apply(
        hazard,
        EventName.CONCLUDE_ENFORCEMENT,
        actor=actor,
        note=note,
        data={"deadline": deadline, "halt": halt},
        record=note,
        deadline=deadline,
        basis=DeadlineBasis.CALENDAR,
        halt=halt,
    )
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.TASK,
        _("执法处理完毕，请于%(deadline)s前完成整改：%(hazard)s")
        % {"deadline": deadline.isoformat(), "hazard": _label(hazard)},
        actor=actor,
        body=note,
    )
    return hazard


# --- resumption review (复产审查) -------------------------------------------------------------
