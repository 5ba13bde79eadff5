"""Routing (交办) and reassignment (移送) to member units."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.registry.models import MemberUnit, MemberUnitDuty

from .. import rules
from ..choices import (
    OWNER_OF_STATE,
    EventName,
    LegalLevel,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
    RoutingRule,
)
from ._core import (
    S,
    _apply,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
)
from .config import feedback_gate_general
from .errors import HazardError
from .notify import _district_code, _label, _notify_party


def find_route(hazard: Hazard) -> tuple[MemberUnit | None, dict]:
    """The member unit the rules send this hazard to, and why: the highest-priority matching
    routing rule of the district, else the most specific matching member-unit duty."""
    enterprise = hazard.enterprise
    district_code = enterprise.township.code[:6]
    industry_code = enterprise.industry.code
    rule_rows = RoutingRule.objects.filter(active=True, member_unit__district__code=district_code)
    by_id = {row.pk: row for row in rule_rows}
    best = rules.best_route(
        (
            rules.RouteCandidate(
                target=row.pk,
                priority=row.priority,
                industry_prefix=row.industry_prefix,
                category=row.category,
                township_id=row.township_id,
                order=row.pk,
            )
            for row in by_id.values()
        ),
        industry_code,
        hazard.category,
        enterprise.township_id,
    )
    if best is not None:
        rule = by_id[best.target]
        return rule.member_unit, {"rule": rule.pk}
    duties = MemberUnitDuty.objects.filter(member_unit__district__code=district_code).select_related(
        "member_unit"
    )
    by_id = {row.pk: row for row in duties}
    best = rules.best_route(
        (
            rules.RouteCandidate(
                target=row.pk,
                industry_prefix=row.industry_prefix,
                category=row.hazard_category,
                order=row.member_unit_id,
            )
            for row in by_id.values()
        ),
        industry_code,
        hazard.category,
        None,
    )
    if best is not None:
        return by_id[best.target].member_unit, {"duty": best.target}
    return None, {}


def _auto_route(hazard: Hazard) -> bool:
    """Route by the rules as the system; tell the bureau when nothing matches."""
    unit, why = find_route(hazard)
    if unit is None:
        _notify_party(
            hazard,
            Party.BUREAU,
            NotificationKind.TASK,
            _("隐患无匹配的交办规则，请手动交办：%(hazard)s") % {"hazard": _label(hazard)},
        )
        return False
    _route(hazard, unit, actor=None, data={**why, "automatic": True})
    return True


def _route(hazard: Hazard, unit: MemberUnit, *, actor, note: str = "", data: dict | None = None) -> None:
    _apply(
        hazard,
        EventName.ROUTE,
        actor=actor,
        note=note,
        data={"member_unit": unit.pk, **(data or {})},
        member_unit=unit,
        at=timezone.now(),
    )
    _notify_party(
        hazard,
        Party.MEMBER_UNIT,
        NotificationKind.TASK,
        _("新交办隐患，请下达整改通知：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
    )


def _check_unit_district(hazard: Hazard, unit: MemberUnit) -> None:
    if unit.district.code != _district_code(hazard):
        raise HazardError(_("只能交办给本区的成员单位。"))


@transaction.atomic
def route_hazard(
    hazard: Hazard, *, actor, version: int, member_unit: MemberUnit | None = None, note: str = ""
) -> Hazard:
    """Route a found hazard to a member unit (given, or by the rules).

    Precondition: `found`; with HAZARD_FEEDBACK_GATE_GENERAL, a general hazard must have been
    fed back at the monthly meeting first. Event: route. Raises HazardError when no unit is given
    and no rule matches."""
    hazard = _lock(hazard, actor=actor, capability="hazards.route", version=version)
    _expect_state(hazard, [S.FOUND], _("交办"))
    if hazard.legal_level == LegalLevel.GENERAL and feedback_gate_general() and hazard.fed_back_at is None:
        raise HazardError(_("一般隐患须经联席会议反馈后方可交办。"))
    data: dict = {}
    if member_unit is None:
        member_unit, data = find_route(hazard)
        if member_unit is None:
            raise HazardError(_("没有匹配的交办规则，请指定成员单位。"))
    _check_unit_district(hazard, member_unit)
    _route(hazard, member_unit, actor=actor, note=note, data=data)
    return hazard


@transaction.atomic
def reassign_hazard(hazard: Hazard, *, actor, version: int, member_unit: MemberUnit, reason: str) -> Hazard:
    """Hand a routed hazard to another member unit (移送, Order 16 Art. 21), with the reason.

    Precondition: open and routed; the bureau, or the unit that holds it. Event: reassign."""
    hazard = _lock(hazard, actor=actor, capability="hazards.reassign", version=version)
    _expect_state(hazard, sorted(set(OWNER_OF_STATE) - {S.FOUND}), _("改派"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写改派理由。"))
    if member_unit.pk == hazard.member_unit_id:
        errors.setdefault("member_unit", []).append(_("该隐患已由此单位督办。"))
    _raise_if(errors)
    _check_unit_district(hazard, member_unit)
    previous = hazard.member_unit_id
    _apply(
        hazard,
        EventName.REASSIGN,
        actor=actor,
        note=reason,
        data={"from_unit": previous, "to_unit": member_unit.pk},
        member_unit=member_unit,
    )
    _notify_party(
        hazard,
        Party.MEMBER_UNIT,
        NotificationKind.TASK,
        _("隐患改派至本单位：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
        body=reason,
    )
    return hazard
