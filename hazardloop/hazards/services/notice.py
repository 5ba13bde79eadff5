"""The rectification notice (整改通知书)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..choices import (
    DeadlineBasis,
    DeadlineSource,
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
    RectificationNotice,
)
from ._core import (
    S,
    _apply,
    _check_new_deadline,
    _expect_state,
    _lock,
    _next_number,
    _raise_if,
    _require_text,
)
from .config import default_deadline
from .errors import HazardError
from .notify import _label, _notify_party


@transaction.atomic
def issue_notice(
    hazard: Hazard,
    *,
    actor,
    version: int,
    requirements: str,
    deadline: dt.date | None = None,
    legal_basis: str = "",
    halt: bool = False,
    others: Sequence[tuple[Hazard, int]] = (),
    basis: str | None = None,
) -> RectificationNotice:
    """Issue a rectification notice (整改通知书) for a routed hazard and, optionally, `others`
    (pairs of hazard and the version seen) of the same enterprise and member unit.

    Effects: a notice numbered per member unit and year; each hazard gets the deadline (given,
    else its suggested one if still ahead, else the level's default) and moves to `rectifying`,
    or to `awaiting_plan` when major. `halt` orders a halt (major hazards only). `basis` says
    how a given deadline was counted (calendar or working days; calendar if not said). Event:
    issue_notice per hazard."""
    pairs = sorted([(hazard, version), *others], key=lambda pair: pair[0].pk)
    locked = [_lock(h, actor=actor, capability="hazards.issue_notice", version=v) for h, v in pairs]
    for row in locked:
        _expect_state(row, [S.ROUTED], _("下达整改通知"))
        if row.is_suspected_major:
            raise HazardError(
                _("疑似重大隐患%(number)s须先经认定（认定为重大隐患或一般隐患），方可下达整改通知。")
                % {"number": row.number}
            )
    errors: dict[str, list[str]] = {}
    requirements = _require_text(errors, "requirements", requirements, _("请填写整改要求。"))
    _check_new_deadline(errors, "deadline", deadline, required=False)
    if basis is not None and basis not in DeadlineBasis.values:
        errors.setdefault("basis", []).append(_("请选择期限计算方式。"))
    first = locked[0]
    if any(
        r.enterprise_id != first.enterprise_id or r.member_unit_id != first.member_unit_id for r in locked
    ):
        errors.setdefault("hazards", []).append(_("一份整改通知书只能针对同一企业、同一督办单位的隐患。"))
    if halt and any(not r.is_major for r in locked):
        errors.setdefault("halt", []).append(_("只有重大隐患才能责令停产停业整改。"))
    _raise_if(errors)

    now = timezone.now()
    today = timezone.localdate(now)
    unit = first.member_unit
    serial = _next_number(f"notice:{unit.pk}:{today.year}")
    notice_deadline = deadline or max(
        (r.deadline for r in locked if r.deadline and r.deadline > today),
        default=None,
    )
    given_basis, basis = basis, DeadlineBasis.CALENDAR
    # The notice records how its issuer arrived at the deadline: the inspector only suggests.
    source = DeadlineSource.SET
    if notice_deadline is None:
        notice_deadline, basis = default_deadline(first.level, today)
        source = DeadlineSource.DEFAULT
    elif deadline is None:
        basis = first.deadline_basis or DeadlineBasis.CALENDAR
        source = DeadlineSource.ADOPTED
    elif given_basis:
        basis = given_basis
    notice = RectificationNotice.objects.create(
        member_unit=unit,
        year=today.year,
        serial=serial,
        number=rules.notice_number(unit.name, today.year, serial),
        enterprise=first.enterprise,
        issued_by=actor,
        issued_at=now,
        deadline=notice_deadline,
        deadline_basis=basis,
        deadline_source=source,
        legal_basis=legal_basis,
        requirements=requirements,
        halt_ordered=halt,
    )
    notice.hazards.set(locked)
    # An enterprise without an account gets an activation code printed on the notice and sent
    # to its contact, so that it can answer the notice itself (decision 0060).
    from hazardloop.onboarding.services import code_for_notice

    code_for_notice(first.enterprise, actor=actor, notice_number=notice.number)
    for row in locked:
        _apply(
            row,
            EventName.ISSUE_NOTICE,
            actor=actor,
            note=requirements,
            data={"notice": notice.number, "deadline": notice_deadline, "halt": halt},
            deadline=notice_deadline,
            basis=basis,
            halt=halt,
        )
        if row.status == S.AWAITING_PLAN:
            title = _("请提交重大隐患治理方案（%(notice)s）：%(hazard)s")
        else:
            title = _("整改通知书 %(notice)s：%(hazard)s")
        _notify_party(
            row,
            Party.ENTERPRISE,
            NotificationKind.TASK,
            title % {"notice": notice.number, "hazard": _label(row)},
            actor=actor,
            body=_("整改期限：%(deadline)s") % {"deadline": notice_deadline.isoformat()},
        )
    return notice
