"""Re-inspection (复查) of a rectification round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.core import access

from .. import rules
from ..access import actor_provider_id as _actor_provider_id
from ..choices import (
    AttachmentKind,
    EventName,
    NotificationKind,
    Party,
    Verdict,
)
from ..models import (
    Hazard,
    ReInspection,
)
from ._core import (
    S,
    _apply,
    _attach,
    _check_new_deadline,
    _clean_files,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
)
from .config import time_limits, workday_overrides
from .notify import _label, _notify_party


@transaction.atomic
def record_reinspection(
    hazard: Hazard,
    *,
    actor,
    version: int,
    verdict: str,
    findings: str = "",
    deadline: dt.date | None = None,
    evidence: Sequence = (),
) -> ReInspection:
    """Record the re-inspection (复查) of this round.

    Passed: a general hazard is closed (销号); a major one, under a halt, awaits the enterprise's
    resumption application, else the department's acceptance (验收), since only a government act
    closes and de-lists a major hazard (event pass_reinspection). Failed: findings required; back to rectifying with
    the round counted and optionally a new deadline (event fail_reinspection)."""
    hazard = _lock(hazard, actor=actor, capability="hazards.reinspect", version=version)
    access.require_may(actor, "hazards.may_reinspect", hazard, message=_("该隐患的复查由排查服务机构负责。"))
    _expect_state(hazard, [S.AWAITING_REINSPECTION], _("复查"))
    errors: dict[str, list[str]] = {}
    if verdict not in Verdict.values:
        errors.setdefault("verdict", []).append(_("请选择复查结论。"))
    if verdict == Verdict.FAILED:
        findings = _require_text(errors, "findings", findings, _("复查不合格须写明问题。"))
        _check_new_deadline(errors, "deadline", deadline, required=False)
    evidence = _clean_files(errors, "evidence", evidence)
    _raise_if(errors)
    now = timezone.now()
    record = ReInspection.objects.create(
        hazard=hazard,
        round=hazard.round,
        verdict=verdict,
        findings=findings,
        inspector=actor,
        provider_id=_actor_provider_id(actor),
        inspected_at=now,
    )
    data = {"reinspection": record.pk, "round": record.round}
    if verdict == Verdict.PASSED:
        due = rules.add_calendar_days(
            timezone.localdate(now), time_limits().acceptance_days, workday_overrides()
        )
        event = _apply(
            hazard,
            EventName.PASS_REINSPECTION,
            actor=actor,
            note=findings,
            data=data,
            at=now,
            acceptance_due=due,
        )
        if hazard.status == S.AWAITING_ACCEPTANCE:
            # A major hazard: the re-inspection is an opinion; the department accepts and closes.
            _notify_party(
                hazard,
                Party.MEMBER_UNIT,
                NotificationKind.TASK,
                _("重大隐患复查合格，请于%(due)s前验收销号：%(hazard)s")
                % {"due": due.isoformat(), "hazard": _label(hazard)},
            )
        elif hazard.status == S.CLOSED:
            _notify_party(
                hazard,
                Party.ENTERPRISE,
                NotificationKind.INFO,
                _("隐患已销号：%(hazard)s") % {"hazard": _label(hazard)},
            )
            _notify_party(
                hazard,
                Party.MEMBER_UNIT,
                NotificationKind.INFO,
                _("隐患已销号：%(hazard)s") % {"hazard": _label(hazard)},
            )
        else:
            _notify_party(
                hazard,
                Party.ENTERPRISE,
                NotificationKind.TASK,
                _("复查合格，请提交复产申请：%(hazard)s") % {"hazard": _label(hazard)},
            )
    else:
        event = _apply(
            hazard,
            EventName.FAIL_REINSPECTION,
            actor=actor,
            note=findings,
            data={**data, "deadline": deadline},
            deadline=deadline,
        )
        _notify_party(
            hazard,
            Party.ENTERPRISE,
            NotificationKind.TASK,
            _("复查不合格，请继续整改（第%(round)d轮）：%(hazard)s")
            % {"round": hazard.round, "hazard": _label(hazard)},
            body=findings,
        )
    _attach(hazard, event, AttachmentKind.EVIDENCE, evidence, actor)
    return record
