"""Resumption review (复产审查) of a halted major hazard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import rules
from ..choices import (
    AssessedBy,
    AttachmentKind,
    EventName,
    NotificationKind,
    Party,
    Verdict,
)
from ..models import (
    Hazard,
    ResumptionReview,
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
from .errors import HazardError
from .notify import _label, _notify_party


@transaction.atomic
def apply_resumption(
    hazard: Hazard,
    *,
    actor,
    version: int,
    assessed_by: str,
    assessment_summary: str,
    evidence: Sequence = (),
) -> ResumptionReview:
    """The enterprise of a halted major hazard applies in writing to resume after assessing
    the finished work (Order 16 Art. 18). Effects: an open review due within
    HAZARD_RESUMPTION_REVIEW_DAYS (Art. 23: ten days); awaiting_resumption → resumption_review.
    Event: apply_resumption."""
    hazard = _lock(hazard, actor=actor, capability="hazards.apply_resumption", version=version)
    _expect_state(hazard, [S.AWAITING_RESUMPTION], _("申请复产"))
    errors: dict[str, list[str]] = {}
    if assessed_by not in AssessedBy.values:
        errors.setdefault("assessed_by", []).append(_("请选择评估方式。"))
    assessment_summary = _require_text(
        errors, "assessment_summary", assessment_summary, _("请填写治理效果评估结论。")
    )
    if not evidence:
        errors.setdefault("evidence", []).append(_("请上传评估报告或复产申请书。"))
    evidence = _clean_files(errors, "evidence", evidence)
    _raise_if(errors)
    now = timezone.now()
    due = rules.add_calendar_days(
        timezone.localdate(now), time_limits().resumption_review_days, workday_overrides()
    )
    review = ResumptionReview.objects.create(
        hazard=hazard,
        assessed_by=assessed_by,
        assessment_summary=assessment_summary,
        applied_by=actor,
        applied_at=now,
        review_due=due,
    )
    event = _apply(
        hazard,
        EventName.APPLY_RESUMPTION,
        actor=actor,
        note=assessment_summary,
        data={"review": review.pk, "due": due},
        review_due=due,
    )
    _attach(hazard, event, AttachmentKind.EVIDENCE, evidence, actor)
    _notify_party(
        hazard,
        Party.MEMBER_UNIT,
        NotificationKind.TASK,
        _("复产申请待审查（请于%(due)s前现场审查）：%(hazard)s")
        % {"due": due.isoformat(), "hazard": _label(hazard)},
        actor=actor,
    )
    return review


@transaction.atomic
def review_resumption(
    hazard: Hazard,
    *,
    actor,
    version: int,
    verdict: str,
    findings: str = "",
    deadline: dt.date | None = None,
    evidence: Sequence = (),
) -> ResumptionReview:
    """The on-site resumption review. Passed: the halt is lifted and the hazard written off
    (核销, event pass_resumption_review). Failed: findings required; back to rectifying, round
    counted, optionally with a new deadline (event fail_resumption_review)."""
    hazard = _lock(hazard, actor=actor, capability="hazards.review_resumption", version=version)
    _expect_state(hazard, [S.RESUMPTION_REVIEW], _("复产审查"))
    review = hazard.resumption_reviews.select_for_update().filter(verdict="").first()
    if review is None:
        raise HazardError(_("没有待审查的复产申请。"))
    errors: dict[str, list[str]] = {}
    if verdict not in Verdict.values:
        errors.setdefault("verdict", []).append(_("请选择审查结论。"))
    if verdict == Verdict.FAILED:
        findings = _require_text(errors, "findings", findings, _("审查不合格须写明问题。"))
        _check_new_deadline(errors, "deadline", deadline, required=False)
    evidence = _clean_files(errors, "evidence", evidence)
    _raise_if(errors)
    now = timezone.now()
    review.verdict, review.findings, review.reviewed_by, review.reviewed_at = verdict, findings, actor, now
    review.save()
    data = {"review": review.pk, "late": timezone.localdate(now) > review.review_due}
    if verdict == Verdict.PASSED:
        event = _apply(
            hazard, EventName.PASS_RESUMPTION_REVIEW, actor=actor, note=findings, data=data, at=now
        )
        title = _("复产审查合格，隐患已核销，准予复产：%(hazard)s")
    else:
        event = _apply(
            hazard,
            EventName.FAIL_RESUMPTION_REVIEW,
            actor=actor,
            note=findings,
            data={**data, "deadline": deadline},
            deadline=deadline,
        )
        title = _("复产审查不合格，请继续整改：%(hazard)s")
    _attach(hazard, event, AttachmentKind.EVIDENCE, evidence, actor)
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.INFO,
        title % {"hazard": _label(hazard)},
        actor=actor,
        body=findings,
    )
    return review
