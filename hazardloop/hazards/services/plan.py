"""The governance plan of a major hazard (治理方案, Order 16 Art. 15)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import (
    AttachmentKind,
    Decision,
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    GovernancePlan,
    Hazard,
)
from ._core import (
    S,
    _apply,
    _attach,
    _clean_files,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
)
from .errors import HazardError
from .notify import _label, _notify_party

# --- governance plan (major hazards) --------------------------------------------------------

PLAN_ELEMENT_LABELS = {
    "goal_and_tasks": "治理的目标和任务",
    "methods_and_measures": "采取的方法和措施",
    "funds_and_materials": "经费和物资的落实",
    "responsible_body_and_people": "负责治理的机构和人员",
    "time_limit_and_requirements": "治理的时限和要求",
    "safety_and_emergency": "安全措施和应急预案",
}


@transaction.atomic
def submit_plan(
    hazard: Hazard,
    *,
    actor,
    version: int,
    goal_and_tasks: str,
    methods_and_measures: str,
    funds_and_materials: str,
    responsible_body_and_people: str,
    time_limit_and_requirements: str,
    safety_and_emergency: str,
    funds_amount: Decimal | None = None,
    files: Sequence = (),
) -> GovernancePlan:
    """The enterprise submits the governance plan (治理方案) of a major hazard.

    Guard: all six elements of Order 16 Art. 15 present. Effects: a pending plan; the hazard
    moves awaiting_plan → plan_review. Event: submit_plan."""
    hazard = _lock(hazard, actor=actor, capability="hazards.submit_plan", version=version)
    _expect_state(hazard, [S.AWAITING_PLAN], _("提交治理方案"))
    given = {
        "goal_and_tasks": goal_and_tasks,
        "methods_and_measures": methods_and_measures,
        "funds_and_materials": funds_and_materials,
        "responsible_body_and_people": responsible_body_and_people,
        "time_limit_and_requirements": time_limit_and_requirements,
        "safety_and_emergency": safety_and_emergency,
    }
    values = {k: (v or "").strip() for k, v in given.items()}
    missing = [k for k, v in values.items() if not v]
    errors: dict[str, list[str]] = {
        k: [_("请填写%(element)s。") % {"element": _(PLAN_ELEMENT_LABELS[k])}] for k in missing
    }
    if funds_amount is not None and funds_amount < 0:
        errors.setdefault("funds_amount", []).append(_("治理经费不能为负数。"))
    files = _clean_files(errors, "files", files)
    if missing:
        labels = "、".join(_(PLAN_ELEMENT_LABELS[k]) for k in missing)
        raise HazardError(_("治理方案缺少：%(elements)s。") % {"elements": labels}, errors=errors)
    _raise_if(errors)
    plan = GovernancePlan.objects.create(
        hazard=hazard, submitted_by=actor, submitted_at=timezone.now(), funds_amount=funds_amount, **values
    )
    event = _apply(hazard, EventName.SUBMIT_PLAN, actor=actor, data={"plan": plan.pk})
    _attach(hazard, event, AttachmentKind.EVIDENCE, files, actor)
    _notify_party(
        hazard,
        Party.MEMBER_UNIT,
        NotificationKind.TASK,
        _("重大隐患治理方案待审核：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
    )
    return plan


def _pending_plan(hazard: Hazard) -> GovernancePlan:
    plan = hazard.plans.select_for_update().filter(decision=Decision.PENDING).first()
    if plan is None:  # the state machine and the plan rows disagree: a bug, not a user error
        raise HazardError(_("没有待审核的治理方案。"))
    return plan


@transaction.atomic
def approve_plan(hazard: Hazard, *, actor, version: int, note: str = "") -> GovernancePlan:
    """The member unit approves the pending plan; the hazard moves plan_review → rectifying.
    Event: approve_plan."""
    hazard = _lock(hazard, actor=actor, capability="hazards.review_plan", version=version)
    _expect_state(hazard, [S.PLAN_REVIEW], _("审核治理方案"))
    plan = _pending_plan(hazard)
    now = timezone.now()
    plan.decision, plan.decided_by, plan.decided_at, plan.decision_note = Decision.APPROVED, actor, now, note
    plan.save()
    _apply(hazard, EventName.APPROVE_PLAN, actor=actor, note=note, data={"plan": plan.pk}, at=now)
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.TASK,
        _("治理方案已批准，请按方案整改：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
    )
    return plan


@transaction.atomic
def reject_plan(hazard: Hazard, *, actor, version: int, note: str) -> GovernancePlan:
    """The member unit sends the plan back with its reasons; plan_review → awaiting_plan.
    Event: reject_plan."""
    hazard = _lock(hazard, actor=actor, capability="hazards.review_plan", version=version)
    _expect_state(hazard, [S.PLAN_REVIEW], _("审核治理方案"))
    errors: dict[str, list[str]] = {}
    note = _require_text(errors, "note", note, _("请填写退回理由。"))
    _raise_if(errors)
    plan = _pending_plan(hazard)
    plan.decision, plan.decided_by, plan.decided_at, plan.decision_note = (
        Decision.REFUSED,
        actor,
        timezone.now(),
        note,
    )
    plan.save()
    _apply(hazard, EventName.REJECT_PLAN, actor=actor, note=note, data={"plan": plan.pk})
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.TASK,
        _("治理方案被退回，请修改后重新提交：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
        body=note,
    )
    return plan
