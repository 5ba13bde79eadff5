"""Major hazards as government acts: 认定 (confirm or grade general), regrade (一般↔重大),
挂牌督办 (listing with a numbered 督办通知书) and 验收 (acceptance with a 整改复查意见书, which
alone closes and de-lists a major hazard).

The law gives these to the government alone (Law Art. 41 ¶3, Order 16 Arts. 20 and 23;
政府购买服务管理办法 Art. 10 keeps them out of what may be bought): each service requires a
government capability, and the model's transition carries the same guard (`permission=`), which
`_apply` checks for every actor. See docs/decisions/0030-major-hazards-government-acts.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.core import access
from hazardloop.registry.models import MemberUnit

from .. import rules
from ..choices import (
    AttachmentKind,
    Decision,
    EventName,
    LegalLevel,
    ListingLevel,
    NotificationKind,
    Party,
    Verdict,
)
from ..models import REGRADABLE_STATES, Acceptance, Hazard, HazardLevel, MajorHazardListing
from ._core import (
    S,
    _apply,
    _attach,
    _check_new_deadline,
    _clean_files,
    _expect_state,
    _lock,
    _next_number,
    _raise_if,
    _require_text,
    _today,
)
from .config import default_deadline, time_limits, workday_overrides
from .errors import HazardError
from .notify import _district_code, _label, _notify_party


def _recomputed_deadline(hazard: Hazard, level: HazardLevel) -> tuple[dt.date | None, str]:
    """The new level's default time limit, counted from the finding for a hazard not yet noticed
    and from today for one already under a notice (the old limit was set for the old grade)."""
    start = timezone.localdate(hazard.found_at) if hazard.status in (S.FOUND, S.ROUTED) else _today()
    deadline, basis = default_deadline(level, start)
    if hazard.status not in (S.FOUND, S.ROUTED) and deadline <= _today():
        deadline = _today() + dt.timedelta(days=1)
    return deadline, basis


def _check_level(errors, level: HazardLevel | None, legal_level: str | None = None) -> None:
    if level is None or not level.active:
        errors.setdefault("level", []).append(_("请选择有效的隐患等级。"))
    elif legal_level is not None and level.legal_level != legal_level:
        errors.setdefault("level", []).append(_("所选等级与认定结论不符。"))


@transaction.atomic
def confirm_major(hazard: Hazard, *, actor, version: int, note: str = "") -> Hazard:
    """认定: a department confirms a suspected major hazard. Precondition: suspected, found or
    routed. Effects: the grade is settled by government; a notice may now be issued. Listing is
    a separate act. Event: confirm_major."""
    hazard = _lock(hazard, actor=actor, capability="hazards.grade", version=version)
    if not hazard.is_suspected_major:
        raise HazardError(_("该隐患不是待认定的重大隐患。"))
    now = timezone.now()
    late = hazard.confirmation_due is not None and now > hazard.confirmation_due
    _apply(hazard, EventName.CONFIRM_MAJOR, actor=actor, note=note, data={"late": late}, at=now)
    _notify_party(
        hazard,
        Party.PROVIDER,
        NotificationKind.INFO,
        _("已认定为重大隐患：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
    )
    return hazard


@transaction.atomic
def grade_general(hazard: Hazard, *, actor, version: int, level: HazardLevel, reason: str) -> Hazard:
    """A department grades a suspected major hazard general, with its reason (also for a finding
    on a criterion item: the government has decided otherwise). Effects: the general level, its
    default deadline. Event: grade_general."""
    hazard = _lock(hazard, actor=actor, capability="hazards.grade", version=version)
    if not hazard.is_suspected_major:
        raise HazardError(_("该隐患不是待认定的重大隐患。"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写认定为一般隐患的理由。"))
    _check_level(errors, level, LegalLevel.GENERAL)
    _raise_if(errors)
    deadline, basis = _recomputed_deadline(hazard, level)
    previous = hazard.level.code
    _apply(
        hazard,
        EventName.GRADE_GENERAL,
        actor=actor,
        note=reason,
        data={
            "from_level": previous,
            "to_level": level.code,
            "deadline": deadline,
            "criterion": hazard.criterion,
        },
        at=timezone.now(),
        level=level,
        deadline=deadline,
        basis=basis,
    )
    _notify_party(
        hazard,
        Party.PROVIDER,
        NotificationKind.INFO,
        _("疑似重大隐患经认定为一般隐患：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
        body=reason,
    )
    return hazard


@transaction.atomic
def regrade(hazard: Hazard, *, actor, version: int, level: HazardLevel, reason: str) -> Hazard:
    """Regrade a hazard (一般↔重大, or between levels of one legal grade) as a government decision.

    Precondition: before the re-inspection (found … rectifying); a halted hazard cannot become
    general (a halt is ordered only for major hazards: lift it through the resumption review).
    Effects: the new level and its default deadline (recomputed); to major: a rectifying hazard
    without an approved plan waits for its governance plan; to general: a pending plan is
    withdrawn, the hazard rectifies on, and a listing ends (摘牌). Event: regrade."""
    hazard = _lock(hazard, actor=actor, capability="hazards.grade", version=version)
    _expect_state(hazard, REGRADABLE_STATES, _("调整等级"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写调整等级的理由。"))
    _check_level(errors, level)
    if level is not None and level.pk == hazard.level_id:
        errors.setdefault("level", []).append(_("新等级与当前等级相同。"))
    if level is not None and level.legal_level == LegalLevel.GENERAL and hazard.halted:
        errors.setdefault("level", []).append(
            _("该隐患已责令停产停业整改，须经复产审查后方可调整为一般隐患。")
        )
    _raise_if(errors)
    deadline, basis = _recomputed_deadline(hazard, level)
    previous = (hazard.level.code, hazard.legal_level)
    if level.legal_level == LegalLevel.GENERAL:
        hazard.plans.filter(decision=Decision.PENDING).update(
            decision=Decision.WITHDRAWN, decided_at=timezone.now()
        )
    _apply(
        hazard,
        EventName.REGRADE,
        actor=actor,
        note=reason,
        data={
            "from_level": previous[0],
            "to_level": level.code,
            "from_legal_level": previous[1],
            "to_legal_level": level.legal_level,
            "deadline": deadline,
        },
        at=timezone.now(),
        level=level,
        deadline=deadline,
        basis=basis,
    )
    message = _("隐患等级调整为%(level)s，整改期限%(deadline)s：%(hazard)s") % {
        "level": level.name,
        "deadline": deadline.isoformat() if deadline else "—",
        "hazard": _label(hazard),
    }
    for party in (Party.ENTERPRISE, Party.PROVIDER):
        _notify_party(hazard, party, NotificationKind.INFO, message, actor=actor, body=reason)
    return hazard


@transaction.atomic
def list_major(
    hazard: Hazard,
    *,
    actor,
    version: int,
    level: str,
    supervising_unit: MemberUnit | None,
    deadline: dt.date,
    requirements: str,
) -> MajorHazardListing:
    """挂牌督办: list a confirmed major hazard for supervision at a level (区/市/省), with the
    supervising unit (督办单位, of the hazard's district), a deadline and a numbered 督办通知书.
    Event: list_major."""
    hazard = _lock(hazard, actor=actor, capability="hazards.list_major", version=version)
    if not hazard.is_major:
        raise HazardError(_("只有重大隐患才能挂牌督办。"))
    if hazard.is_suspected_major:
        raise HazardError(_("重大隐患须先经认定，方可挂牌督办。"))
    if hazard.is_listed:
        raise HazardError(_("该隐患已挂牌督办。"))
    errors: dict[str, list[str]] = {}
    if level not in ListingLevel.values:
        errors.setdefault("level", []).append(_("请选择督办级别。"))
    supervising_unit = supervising_unit or hazard.member_unit
    if supervising_unit is None:
        errors.setdefault("supervising_unit", []).append(_("请选择督办单位。"))
    elif supervising_unit.district.code != _district_code(hazard):
        errors.setdefault("supervising_unit", []).append(_("督办单位须为本区的部门。"))
    requirements = _require_text(errors, "requirements", requirements, _("请填写督办要求。"))
    _check_new_deadline(errors, "deadline", deadline, required=True)
    _raise_if(errors)
    now = timezone.now()
    year = timezone.localdate(now).year
    district = _district_code(hazard)
    serial = _next_number(f"listing:{district}:{year}")
    listing = MajorHazardListing.objects.create(
        hazard=hazard,
        number=rules.listing_number(district, year, serial),
        level=level,
        supervising_unit=supervising_unit,
        deadline=deadline,
        requirements=requirements,
        listed_by=actor,
        listed_at=now,
    )
    _apply(
        hazard,
        EventName.LIST_MAJOR,
        actor=actor,
        note=requirements,
        data={"listing": listing.number, "level": level, "unit": supervising_unit.pk, "deadline": deadline},
        at=now,
    )
    for party in (Party.ENTERPRISE, Party.MEMBER_UNIT):
        _notify_party(
            hazard,
            party,
            NotificationKind.TASK,
            _("重大隐患挂牌督办（%(number)s，期限%(deadline)s）：%(hazard)s")
            % {"number": listing.number, "deadline": deadline.isoformat(), "hazard": _label(hazard)},
            actor=actor,
        )
    return listing


@transaction.atomic
def accept_rectification(
    hazard: Hazard,
    *,
    actor,
    version: int,
    verdict: str,
    opinion: str,
    deadline: dt.date | None = None,
    evidence: Sequence = (),
) -> Acceptance:
    """验收: the department decides on a major hazard's re-inspected rectification, with a numbered
    整改复查意见书. Passed: closed (验收销号) and de-listed (摘牌), event accept_rectification.
    Not passed: back to rectifying, round counted, optionally a new deadline, event
    refuse_acceptance. When the hazard is listed, only the listing's supervising unit or the
    bureau accepts."""
    hazard = _lock(hazard, actor=actor, capability="hazards.accept", version=version)
    access.require_may(actor, "hazards.may_accept", hazard, message=_("该重大隐患由挂牌督办单位验收。"))
    _expect_state(hazard, [S.AWAITING_ACCEPTANCE], _("验收"))
    errors: dict[str, list[str]] = {}
    if verdict not in Verdict.values:
        errors.setdefault("verdict", []).append(_("请选择验收结论。"))
    opinion = _require_text(errors, "opinion", opinion, _("请填写复查意见。"))
    if verdict == Verdict.FAILED:
        _check_new_deadline(errors, "deadline", deadline, required=False)
    evidence = _clean_files(errors, "evidence", evidence)
    unit = hazard.member_unit
    if unit is None:
        errors.setdefault("hazard", []).append(_("该隐患尚未交办，无验收单位。"))
    _raise_if(errors)
    listing = hazard.listings.filter(delisted_at__isnull=True).select_related("supervising_unit").first()
    if listing is not None:
        unit = listing.supervising_unit
    now = timezone.now()
    year = timezone.localdate(now).year
    serial = _next_number(f"acceptance:{unit.pk}:{year}")
    record = Acceptance.objects.create(
        hazard=hazard,
        round=hazard.round,
        number=rules.acceptance_number(unit.name, year, serial),
        member_unit=unit,
        verdict=verdict,
        opinion=opinion,
        decided_by=actor,
        decided_at=now,
    )
    late = hazard.acceptance_due is not None and timezone.localdate(now) > hazard.acceptance_due
    data = {"acceptance": record.pk, "number": record.number, "round": record.round, "late": late}
    if verdict == Verdict.PASSED:
        event = _apply(hazard, EventName.ACCEPT_RECTIFICATION, actor=actor, note=opinion, data=data, at=now)
        title = _("重大隐患整改验收合格，已销号%(delisted)s：%(hazard)s") % {
            "delisted": _("并摘牌") if listing is not None else "",
            "hazard": _label(hazard),
        }
    else:
        event = _apply(
            hazard,
            EventName.REFUSE_ACCEPTANCE,
            actor=actor,
            note=opinion,
            data={**data, "deadline": deadline},
            deadline=deadline,
        )
        title = _("重大隐患整改验收不通过，请继续整改：%(hazard)s") % {"hazard": _label(hazard)}
    _attach(hazard, event, AttachmentKind.EVIDENCE, evidence, actor)
    for party in (Party.ENTERPRISE, Party.PROVIDER):
        _notify_party(hazard, party, NotificationKind.INFO, title, actor=actor, body=opinion)
    return record


def acceptance_due(today: dt.date) -> dt.date:
    return rules.add_calendar_days(today, time_limits().acceptance_days, workday_overrides())


__all__ = [
    "accept_rectification",
    "acceptance_due",
    "confirm_major",
    "grade_general",
    "list_major",
    "regrade",
]
