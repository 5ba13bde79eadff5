"""Registration of a hazard, and 立查立改 (closing a general hazard during the visit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.core import access
from hazardloop.core.uploads import CleanFile
from hazardloop.registry.choices import EnterpriseStatus, HazardCategory
from hazardloop.registry.models import Enterprise

from .. import rules
from ..access import actor_provider_id as _actor_provider_id
from ..choices import (
    GOVERNMENT_ACTORS,
    SOURCES_BY_ROLE,
    AttachmentKind,
    DeadlineBasis,
    EventName,
    GradeBasis,
    HazardForm,
    LegalLevel,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
    HazardLevel,
    Rectification,
)
from ._core import (
    S,
    _append_event,
    _apply,
    _attach,
    _clean_files,
    _expect_state,
    _lock,
    _next_number,
    _raise_if,
    _require_text,
)
from .config import default_deadline, feedback_gate_general, time_limits
from .errors import HazardNotFound
from .notify import _label, _notify_party
from .route import _auto_route


@dataclass(frozen=True)
class OnTheSpotFix:
    """What an inspector records when a general hazard is fixed during the visit (立查立改)."""

    measures: str
    responsible_person: str
    evidence: Sequence = ()


def _on_the_spot_errors(
    fix: OnTheSpotFix, *, major: bool, cleaned: list[CleanFile] | None = None
) -> dict[str, list[str]]:
    """The guard of 立查立改; the checked evidence files are appended to `cleaned`."""
    errors: dict[str, list[str]] = {}
    if major:
        errors.setdefault("level", []).append(_("重大隐患不能立查立改，须制定治理方案。"))
    _require_text(errors, "measures", fix.measures, _("请填写整改措施。"))
    _require_text(errors, "responsible_person", fix.responsible_person, _("请填写整改责任人。"))
    if not fix.evidence:
        errors.setdefault("evidence", []).append(_("请上传整改后的照片。"))
    elif cleaned is not None:
        cleaned.extend(_clean_files(errors, "evidence", fix.evidence))
    return errors


def _close_on_the_spot(hazard: Hazard, fix: OnTheSpotFix, *, actor, evidence: Sequence = ()) -> None:
    now = timezone.now()
    record = Rectification.objects.create(
        hazard=hazard,
        round=hazard.round,
        measures=fix.measures.strip(),
        responsible_person=fix.responsible_person.strip(),
        completed_on=timezone.localdate(now),
        submitted_by=actor,
        submitted_at=now,
    )
    event = _apply(
        hazard,
        EventName.CLOSE_ON_THE_SPOT,
        actor=actor,
        note=record.measures,
        data={"rectification": record.pk},
        at=now,
    )
    _attach(hazard, event, AttachmentKind.AFTER, evidence or fix.evidence, actor)
    _notify_party(
        hazard,
        Party.ENTERPRISE,
        NotificationKind.INFO,
        _("隐患已立查立改销号：%(hazard)s") % {"hazard": _label(hazard)},
        actor=actor,
    )


def _major_level() -> HazardLevel | None:
    """The district's level for major hazards (the first active one mapped onto 重大)."""
    return (
        HazardLevel.objects.filter(active=True, legal_level=LegalLevel.MAJOR).order_by("order", "id").first()
    )


@transaction.atomic
def register_hazard(
    *,
    actor,
    enterprise: Enterprise,
    level: HazardLevel,
    category: str,
    form: str,
    title: str,
    description: str,
    source: str | None = None,
    location: str = "",
    legal_basis: str = "",
    legal_basis_law: str = "",
    legal_basis_article: str = "",
    legal_basis_item: str = "",
    suggested_measure: str = "",
    found_at: dt.datetime | None = None,
    deadline: dt.date | None = None,
    inspection_id: int | None = None,
    photos: Sequence = (),
    on_the_spot: OnTheSpotFix | None = None,
    criterion: bool = False,
    grading_reason: str = "",
) -> Hazard:
    """Register a hazard found at `enterprise`.

    Precondition: the actor may register (expert, provider: provider inspection; enterprise:
    self-inspection; member unit, bureau: department inspection or tip-off) and sees the
    enterprise. Grading: `criterion` says the finding is on a 重大事故隐患判定标准 item, which makes
    it major by rule; only a government actor may register such a finding as general, and then
    with `grading_reason` (its decision). A major hazard reported by anyone else (provider, expert,
    enterprise) is a *suspected* major (重大隐患待认定) with a time limit for a department to
    confirm or regrade it; the reporter's own grade and reason stay in the register event.
    Listing (挂牌督办) is never automatic: it is a later government act (`list_major`).
    Effects: a numbered hazard in `found` with a suggested deadline (given, or the level's
    default time limit); the bureau is told at once of a major hazard; then the hazard is routed
    by the rules unless the district makes general hazards wait for the monthly meeting. With `on_the_spot` (an inspector's 立查立改 of
    a general hazard) it is closed at once instead of routed. Events: register, then route or
    close_on_the_spot. Raises HazardNotFound, HazardPermissionDenied, HazardError.
    """
    access.require(actor, "hazards.register")
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise HazardNotFound(_("企业不存在或不在您的管辖范围内。"))
    allowed_sources = SOURCES_BY_ROLE.get(actor.role, frozenset())
    source = source or sorted(allowed_sources)[0]
    errors: dict[str, list[str]] = {}
    if source not in allowed_sources:
        errors.setdefault("source", []).append(_("您的角色不能登记该来源的隐患。"))
    if not level.active:
        errors.setdefault("level", []).append(_("该隐患等级已停用。"))
    if category not in HazardCategory.values:
        errors.setdefault("category", []).append(_("请选择有效的隐患类别。"))
    if form not in HazardForm.values:
        errors.setdefault("form", []).append(_("请选择有效的隐患形态（物的状态、人的行为或管理缺陷）。"))
    title = _require_text(errors, "title", title, _("请填写隐患名称。"))
    description = _require_text(errors, "description", description, _("请填写隐患描述。"))
    now = timezone.now()
    found_at = found_at or now
    if found_at > now:
        errors.setdefault("found_at", []).append(_("发现时间不能晚于现在。"))
    if enterprise.status == EnterpriseStatus.CLOSED:
        errors.setdefault("enterprise", []).append(_("企业已关闭，不能登记隐患。"))
    found_on = timezone.localdate(found_at)
    if deadline is not None and deadline < found_on:
        errors.setdefault("deadline", []).append(_("整改期限不能早于发现日期。"))
    if inspection_id is not None:
        from hazardloop.inspections.models import Inspection

        # The link is a foreign key now: it must name a visit, and a visit to this enterprise.
        if not Inspection.objects.filter(pk=inspection_id, enterprise=enterprise).exists():
            errors.setdefault("inspection", []).append(_("检查记录不存在或不是对该企业的检查。"))
    government = actor.role in GOVERNMENT_ACTORS
    grading_reason = (grading_reason or "").strip()
    reported_level = level
    if criterion and level.legal_level != LegalLevel.MAJOR and not (government and grading_reason):
        if government:
            errors.setdefault("grading_reason", []).append(
                _("判定标准所列情形应判定为重大隐患；认定为一般隐患须写明理由。")
            )
        else:
            # Major by rule; the reporter's view (and reason) goes to the department to decide.
            level = _major_level()
            if level is None:
                errors.setdefault("level", []).append(_("未配置重大隐患等级，请联系管理员。"))
                level = reported_level
    major = level.legal_level == LegalLevel.MAJOR
    clean_photos = _clean_files(errors, "photos", photos)
    spot_evidence: list[CleanFile] = []
    if on_the_spot is not None:
        access.require(actor, "hazards.close_on_the_spot")
        for field, messages in _on_the_spot_errors(on_the_spot, major=major, cleaned=spot_evidence).items():
            errors.setdefault(field, []).extend(messages)
    _raise_if(errors)

    if deadline is None or level != reported_level:
        deadline, basis = default_deadline(level, found_on)
    else:
        basis = DeadlineBasis.CALENDAR
    if major and not government:
        grade_basis = GradeBasis.SUSPECTED
    elif government and (major or criterion):
        grade_basis = GradeBasis.GOVERNMENT
    else:
        grade_basis = GradeBasis.REPORTED
    district = enterprise.township.code[:6]
    serial = _next_number(f"hazard:{district}:{found_on.year}")
    hazard = Hazard.objects.create(
        number=rules.hazard_number(district, found_on.year, serial),
        enterprise=enterprise,
        source=source,
        reporter=actor,
        provider_id=_actor_provider_id(actor),
        inspection_id=inspection_id,
        level=level,
        legal_level=level.legal_level,
        category=category,
        form=form,
        title=title,
        description=description,
        location=location,
        legal_basis=legal_basis,
        legal_basis_law=legal_basis_law,
        legal_basis_article=legal_basis_article,
        legal_basis_item=legal_basis_item,
        suggested_measure=suggested_measure,
        found_at=found_at,
        deadline=deadline,
        deadline_basis=basis,
        criterion=criterion,
        grade_basis=grade_basis,
        graded_at=now if grade_basis == GradeBasis.GOVERNMENT else None,
        confirmation_due=now + dt.timedelta(hours=time_limits().major_confirmation_hours)
        if grade_basis == GradeBasis.SUSPECTED
        else None,
    )
    event = _append_event(
        hazard,
        EventName.REGISTER,
        actor=actor,
        from_state="",
        note=grading_reason,
        data={
            "level": level.code,
            "legal_level": hazard.legal_level,
            "source": source,
            "deadline": deadline,
            "criterion": criterion,
            "grade_basis": grade_basis,
            **({"reported_level": reported_level.code} if reported_level != level else {}),
        },
    )
    _attach(hazard, event, AttachmentKind.BEFORE, clean_photos, actor)
    if on_the_spot is not None:
        _close_on_the_spot(hazard, on_the_spot, actor=actor, evidence=spot_evidence)
        return hazard
    if major:
        if grade_basis == GradeBasis.SUSPECTED:
            title = _("疑似重大隐患待认定（请于%(due)s前认定）：%(hazard)s") % {
                "due": timezone.localtime(hazard.confirmation_due).strftime("%Y-%m-%d %H:%M"),
                "hazard": _label(hazard),
            }
        else:
            title = _("重大隐患已登记：%(hazard)s") % {"hazard": _label(hazard)}
        _notify_party(hazard, Party.BUREAU, NotificationKind.TASK, title, actor=actor)
    if major or not feedback_gate_general():
        _auto_route(hazard)
    return hazard


@transaction.atomic
def close_on_the_spot(
    hazard: Hazard, *, actor, version: int, measures: str, responsible_person: str, evidence: Sequence = ()
) -> Hazard:
    """立查立改 for a hazard still in `found` (registered earlier during the visit, and waiting
    for the meeting or for manual routing). `register_hazard(on_the_spot=…)` does the same in one
    step. Guard: general level, the actor is its reporter (an inspector, never the enterprise),
    measures, responsible person and evidence. Effects: the rectification record and found →
    closed. Event: close_on_the_spot."""
    hazard = _lock(hazard, actor=actor, capability="hazards.close_on_the_spot", version=version)
    access.require_may(
        actor,
        "hazards.may_close_on_the_spot",
        hazard,
        message=_("只有现场发现该隐患的检查人员才能立查立改销号。"),
    )
    _expect_state(hazard, [S.FOUND], _("立查立改"))
    fix = OnTheSpotFix(measures=measures, responsible_person=responsible_person, evidence=evidence)
    cleaned: list[CleanFile] = []
    _raise_if(_on_the_spot_errors(fix, major=hazard.is_major, cleaned=cleaned))
    _close_on_the_spot(hazard, fix, actor=actor, evidence=cleaned)
    return hazard
