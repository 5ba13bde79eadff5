"""The only writers of the closed loop. Pages, API, commands and tasks call these.

Every service that acts on a hazard has the same shape (CONVENTIONS.md rule 4):

1. lock the hazard row (`select_for_update`);
2. scope: a hazard the actor may not see is `HazardNotFound` (a 404), whether it exists or not;
3. capability: a role that may not do this is `HazardPermissionDenied` (a 403);
4. concurrency: `version` is the version the actor saw; any other → `HazardConflict`;
5. guard: state and data; a refusal raises `HazardError` with a Chinese message;
6. the transition declared on the model, a timeline event and an audit row (event type 300),
   all in one transaction — a refusal at any step leaves nothing changed;
7. inbox notifications are written in the same transaction, their e-mails sent on commit.

`version` grows with every user action. Bookkeeping marks (the meeting's feedback milestone and
the deadline scan's overdue and reminder flags) leave it alone, so that they never make a user's
open form stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core.errors import Conflict, NotVisible, Refused, ServiceError
from hazardloop.core.uploads import CleanFile, UploadRejected, clean_evidence
from hazardloop.registry.choices import EnterpriseStatus, HazardCategory
from hazardloop.registry.models import Enterprise, MemberUnit, MemberUnitDuty

from . import rules
from .choices import (
    DUE_FIELD_OF_STATE,
    OWNER_OF_STATE,
    RECTIFICATION_CLOCK_STATES,
    SOURCES_BY_ROLE,
    AssessedBy,
    AttachmentKind,
    DeadlineBasis,
    Decision,
    EnforcementReason,
    EventName,
    HazardForm,
    HazardStatus,
    LegalLevel,
    NotificationKind,
    Party,
    Verdict,
)
from .models import (
    ExtensionRequest,
    GovernancePlan,
    Hazard,
    HazardAttachment,
    HazardEvent,
    HazardLevel,
    Notification,
    NumberSequence,
    Rectification,
    RectificationNotice,
    ReInspection,
    ResumptionReview,
    RoutingRule,
    WorkdayOverride,
)

logger = logging.getLogger(__name__)
S = HazardStatus


# --- errors ---------------------------------------------------------------------------------


class HazardError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class HazardConflict(HazardError, Conflict):
    """Someone else changed the hazard after the actor looked at it."""


class HazardPermissionDenied(HazardError, Refused):
    """The actor's role may not do this."""


class HazardNotFound(HazardError, NotVisible):
    """Not there, or not the actor's to see — deliberately indistinguishable."""


def _conflict() -> HazardConflict:
    return HazardConflict(_("该隐患已被他人处理，请刷新后重试"))


def _not_found() -> HazardNotFound:
    return HazardNotFound(_("隐患不存在或不在您的管辖范围内。"))


# --- configuration --------------------------------------------------------------------------


def time_limits() -> rules.TimeLimits:
    defaults = rules.TimeLimits()
    return rules.TimeLimits(
        extension_notice_working_days=getattr(
            settings, "HAZARD_EXTENSION_NOTICE_WORKING_DAYS", defaults.extension_notice_working_days
        ),
        extension_decision_working_days=getattr(
            settings, "HAZARD_EXTENSION_DECISION_WORKING_DAYS", defaults.extension_decision_working_days
        ),
        resumption_review_days=getattr(
            settings, "HAZARD_RESUMPTION_REVIEW_DAYS", defaults.resumption_review_days
        ),
        reinspection_working_days=getattr(
            settings, "HAZARD_REINSPECTION_WORKING_DAYS", defaults.reinspection_working_days
        ),
        reminder_days=getattr(settings, "HAZARD_REMINDER_DAYS", defaults.reminder_days),
    )


def feedback_gate_general() -> bool:
    return bool(getattr(settings, "HAZARD_FEEDBACK_GATE_GENERAL", False))


def workday_overrides() -> dict[dt.date, bool]:
    return WorkdayOverride.objects.as_mapping()


def add_working_days(start: dt.date, n: int) -> dt.date:
    """Working-day arithmetic with the district's own calendar adjustments."""
    return rules.add_working_days(start, n, workday_overrides())


def default_deadline(level: HazardLevel, start: dt.date) -> tuple[dt.date, str]:
    basis = level.time_limit_basis
    return rules.deadline_from(start, level.default_time_limit, basis, workday_overrides()), basis


# --- the common steps -----------------------------------------------------------------------


def _require(actor, capability: str) -> None:
    if not scoping.can(actor, capability):
        raise HazardPermissionDenied(_("您没有权限执行此操作。"))


def _visible(actor, pk) -> bool:
    return scoping.scope(Hazard.objects.filter(pk=pk), actor).exists()


def _lock(hazard: Hazard | int, *, actor, capability: str, version: int | None) -> Hazard:
    """Steps 1–4: the locked, current row, or the right refusal. `version=None` only for
    bookkeeping callers that must not conflict with users."""
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    locked = Hazard.objects.select_for_update().filter(pk=pk).first()
    if locked is None or (actor is not None and not _visible(actor, pk)):
        raise _not_found()
    if actor is not None:
        _require(actor, capability)
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
    """Step 6: run the model's transition `name`, save, and write the event and the audit row."""
    from_state = hazard.status
    try:
        getattr(hazard, name)(**kwargs)
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


def _district_code(hazard: Hazard) -> str:
    return hazard.enterprise.township.code[:6]


def party_users(hazard: Hazard, party: str):
    """The active users who act for `party` on this hazard."""
    from hazardloop.accounts.models import User

    users = User.objects.filter(is_active=True)
    if party == Party.ENTERPRISE:
        return users.filter(role=Role.ENTERPRISE, enterprise_id=hazard.enterprise_id)
    if party == Party.MEMBER_UNIT and hazard.member_unit_id:
        return users.filter(role=Role.MEMBER_UNIT, member_unit_id=hazard.member_unit_id)
    if party == Party.PROVIDER and hazard.provider_id:
        return users.filter(role=Role.PROVIDER, provider_id=hazard.provider_id) | users.filter(
            pk=hazard.reporter_id, role=Role.EXPERT
        )
    if party == Party.PROVIDER:
        # Nobody bought the re-inspection of this hazard: its member unit verifies it.
        return party_users(hazard, Party.MEMBER_UNIT)
    return users.filter(role=Role.BUREAU, region__code=_district_code(hazard))


def _send_mail(recipients: list[tuple[str, str, str]]) -> None:
    for address, subject, body in recipients:
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # a mail outage must not undo or hide a committed change
            logger.exception("hazard notification mail to %s failed", address)


def notify(
    users: Iterable,
    *,
    hazard: Hazard | None,
    kind: str,
    title: str,
    body: str = "",
    exclude=None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Put a message in each user's inbox (skipping `exclude`, and anyone who already has
    `dedupe_key`), and e-mail those with an address once the transaction commits."""
    recipients = {u.pk: u for u in users if exclude is None or u.pk != exclude.pk}
    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient_id__in=recipients, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = {pk: u for pk, u in recipients.items() if pk not in already}
    created = [
        Notification.objects.create(
            recipient=user, hazard=hazard, kind=kind, title=title[:200], body=body, dedupe_key=dedupe_key
        )
        for user in recipients.values()
    ]
    mails = [(u.email, title, body or title) for u in recipients.values() if u.email]
    if mails:
        transaction.on_commit(lambda: _send_mail(mails))
    return created


def _notify_party(hazard: Hazard, party: str, kind: str, title: str, *, actor=None, body="", dedupe_key=""):
    return notify(
        party_users(hazard, party),
        hazard=hazard,
        kind=kind,
        title=title,
        body=body,
        exclude=actor,
        dedupe_key=dedupe_key,
    )


def _label(hazard: Hazard) -> str:
    return f"{hazard.number} {hazard.title}"


@transaction.atomic
def mark_notification_read(notification: Notification, *, actor) -> Notification:
    """Mark one of the actor's own messages read; someone else's is not found."""
    row = Notification.objects.select_for_update().filter(pk=notification.pk, recipient_id=actor.pk).first()
    if row is None:
        raise HazardNotFound(_("消息不存在。"))
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row


# --- registration and routing ---------------------------------------------------------------


def _actor_provider_id(actor) -> int | None:
    if actor.role == Role.PROVIDER:
        return actor.provider_id
    if actor.role == Role.EXPERT:
        return actor.expert.provider_id
    return None


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
) -> Hazard:
    """Register a hazard found at `enterprise`.

    Precondition: the actor may register (expert, provider: provider inspection; enterprise:
    self-inspection; member unit, bureau: department inspection or tip-off) and sees the
    enterprise. Effects: a numbered hazard in `found` with a suggested deadline (given, or the
    level's default time limit); a major hazard is put under listed supervision (挂牌督办) and
    the bureau told at once; then the hazard is routed by the rules unless the district makes
    general hazards wait for the monthly meeting. With `on_the_spot` (an inspector's 立查立改 of
    a general hazard) it is closed at once instead of routed. Events: register, then route or
    close_on_the_spot. Raises HazardNotFound, HazardPermissionDenied, HazardError.
    """
    _require(actor, "hazards.register")
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
    major = level.legal_level == LegalLevel.MAJOR
    clean_photos = _clean_files(errors, "photos", photos)
    spot_evidence: list[CleanFile] = []
    if on_the_spot is not None:
        _require(actor, "hazards.close_on_the_spot")
        for field, messages in _on_the_spot_errors(on_the_spot, major=major, cleaned=spot_evidence).items():
            errors.setdefault(field, []).extend(messages)
    _raise_if(errors)

    if deadline is None:
        deadline, basis = default_deadline(level, found_on)
    else:
        basis = DeadlineBasis.CALENDAR
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
        listed_supervision=major,
        listed_at=now if major else None,
    )
    event = _append_event(
        hazard,
        EventName.REGISTER,
        actor=actor,
        from_state="",
        data={"level": level.code, "legal_level": hazard.legal_level, "source": source, "deadline": deadline},
    )
    _attach(hazard, event, AttachmentKind.BEFORE, clean_photos, actor)
    if on_the_spot is not None:
        _close_on_the_spot(hazard, on_the_spot, actor=actor, evidence=spot_evidence)
        return hazard
    if major:
        _notify_party(
            hazard,
            Party.BUREAU,
            NotificationKind.TASK,
            _("重大隐患已登记并挂牌督办：%(hazard)s") % {"hazard": _label(hazard)},
            actor=actor,
        )
    if major or not feedback_gate_general():
        _auto_route(hazard)
    return hazard


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


@transaction.atomic
def mark_fed_back(hazards: Iterable[Hazard], meeting_ref: str, actor) -> list[Hazard]:
    """Record that the monthly joint meeting (联席会议) heard these hazards.

    A milestone, not a state: each hazard not yet fed back gets `fed_back_at` and a
    record_feedback event (its version unchanged); those already fed back are left as they are.
    With HAZARD_FEEDBACK_GATE_GENERAL on, general hazards still in `found` are then routed by
    the rules. Returns the hazards marked. Raises HazardNotFound if any is out of the actor's
    scope or gone (nothing is marked then).

    A meeting pack covers a month of a district's findings, so the set is handled at once: one
    locking read, one scope check, one UPDATE, one insert of the timeline events and one of the
    audit rows, whatever the number of hazards. Only the routing the gate releases goes hazard by
    hazard, as each route is a transition of its own with its notification."""
    _require(actor, "hazards.mark_fed_back")
    meeting_ref = (meeting_ref or "").strip()
    if not meeting_ref:
        raise HazardError(_("请填写会议编号。"))
    pks = sorted({h.pk for h in hazards})
    if not pks:
        return []
    locked = list(Hazard.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    visible = set(scoping.scope(Hazard.objects.filter(pk__in=pks), actor).values_list("pk", flat=True))
    if len(locked) != len(pks) or len(visible) != len(pks):
        raise _not_found()
    pending = [hazard for hazard in locked if hazard.fed_back_at is None]
    if not pending:
        return []
    now = timezone.now()
    for hazard in pending:
        # The model's transition sets the fields (no save: the UPDATE below writes them all).
        hazard.record_feedback(at=now, meeting=meeting_ref)
        hazard.updated_at = now
    Hazard.objects.filter(pk__in=[h.pk for h in pending]).update(
        fed_back_at=now, fed_back_meeting=meeting_ref, updated_at=now
    )
    last_seq = dict(
        HazardEvent.objects.filter(hazard__in=pending)
        .order_by()
        .values_list("hazard_id")
        .annotate(last=Max("seq"))
    )
    data = {"meeting": meeting_ref}
    events = [
        HazardEvent(
            hazard=hazard,
            seq=last_seq.get(hazard.pk, 0) + 1,
            actor=actor,
            at=now,
            name=EventName.RECORD_FEEDBACK,
            from_state=hazard.status,
            to_state=hazard.status,
            note="",
            data=data,
        )
        for hazard in pending
    ]
    HazardEvent.objects.bulk_create(events)
    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import record_events

    record_events(
        EventType.STATE_TRANSITION,
        actor=actor,
        items=[
            (
                hazard,
                {
                    "number": hazard.number,
                    "event": EventName.RECORD_FEEDBACK,
                    "seq": event.seq,
                    "from": hazard.status,
                    "to": hazard.status,
                    "version": hazard.version,
                    "data": data,
                },
            )
            for hazard, event in zip(pending, events, strict=True)
        ],
    )
    if feedback_gate_general():
        for hazard in pending:
            if hazard.status == S.FOUND:
                _auto_route(hazard)
    return pending


# --- supervision: the notice ----------------------------------------------------------------


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
    if notice_deadline is None:
        notice_deadline, basis = default_deadline(first.level, today)
    elif deadline is None:
        basis = first.deadline_basis or DeadlineBasis.CALENDAR
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
        legal_basis=legal_basis,
        requirements=requirements,
        halt_ordered=halt,
    )
    notice.hazards.set(locked)
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


# --- rectification and re-inspection ---------------------------------------------------------


def _parse_cost(value) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation as exc:
        raise HazardError(_("整改费用格式不正确。"), errors={"cost": [_("整改费用格式不正确。")]}) from exc


@transaction.atomic
def submit_rectification(
    hazard: Hazard,
    *,
    actor,
    version: int,
    measures: str,
    responsible_person: str,
    completed_on: dt.date | None,
    cost=0,
    evidence: Sequence = (),
) -> Rectification:
    """The enterprise reports this round's rectification done.

    Guard: measures, responsible person, completion date (not in the future) and at least one
    piece of evidence. Effects: the round's record; a pending extension is withdrawn;
    rectifying → awaiting_reinspection with a re-inspection due date. Event:
    submit_rectification."""
    hazard = _lock(hazard, actor=actor, capability="hazards.submit_rectification", version=version)
    _expect_state(hazard, [S.RECTIFYING], _("提交整改"))
    errors: dict[str, list[str]] = {}
    measures = _require_text(errors, "measures", measures, _("请填写整改措施。"))
    responsible_person = _require_text(
        errors, "responsible_person", responsible_person, _("请填写整改责任人。")
    )
    if completed_on is None:
        errors.setdefault("completed_on", []).append(_("请填写完成日期。"))
    elif completed_on > _today():
        errors.setdefault("completed_on", []).append(_("完成日期不能晚于今天。"))
    amount = _parse_cost(cost)
    if amount < 0:
        errors.setdefault("cost", []).append(_("整改费用不能为负数。"))
    if not evidence:
        errors.setdefault("evidence", []).append(_("请上传整改佐证材料（照片或文件）。"))
    evidence = _clean_files(errors, "evidence", evidence)
    _raise_if(errors)
    record = Rectification.objects.create(
        hazard=hazard,
        round=hazard.round,
        measures=measures,
        cost=amount,
        responsible_person=responsible_person,
        completed_on=completed_on,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    _withdraw_pending_extension(hazard)
    due = add_working_days(_today(), time_limits().reinspection_working_days)
    event = _apply(
        hazard,
        EventName.SUBMIT_RECTIFICATION,
        actor=actor,
        note=measures,
        data={"rectification": record.pk, "round": record.round, "cost": amount},
        reinspection_due=due,
    )
    _attach(hazard, event, AttachmentKind.AFTER, evidence, actor)
    _notify_party(
        hazard,
        Party.PROVIDER,
        NotificationKind.TASK,
        _("整改已完成，请于%(due)s前复查：%(hazard)s") % {"due": due.isoformat(), "hazard": _label(hazard)},
        actor=actor,
    )
    return record


def may_reinspect(hazard: Hazard, actor) -> bool:
    """Re-inspection is bought from the provider that found the hazard; government verifies only
    what no provider covers."""
    if actor.role in {Role.EXPERT, Role.PROVIDER}:
        return hazard.provider_id is None or hazard.provider_id == _actor_provider_id(actor)
    return hazard.provider_id is None


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

    Passed: the hazard is closed (销号), or, under a halt, awaits the enterprise's resumption
    application (event pass_reinspection). Failed: findings required; back to rectifying with
    the round counted and optionally a new deadline (event fail_reinspection)."""
    hazard = _lock(hazard, actor=actor, capability="hazards.reinspect", version=version)
    if not may_reinspect(hazard, actor):
        raise HazardPermissionDenied(_("该隐患的复查由排查服务机构负责。"))
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
        event = _apply(hazard, EventName.PASS_REINSPECTION, actor=actor, note=findings, data=data, at=now)
        if hazard.status == S.CLOSED:
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
    if hazard.reporter_id != actor.pk:
        raise HazardPermissionDenied(_("只有现场发现该隐患的检查人员才能立查立改销号。"))
    _expect_state(hazard, [S.FOUND], _("立查立改"))
    fix = OnTheSpotFix(measures=measures, responsible_person=responsible_person, evidence=evidence)
    cleaned: list[CleanFile] = []
    _raise_if(_on_the_spot_errors(fix, major=hazard.is_major, cleaned=cleaned))
    _close_on_the_spot(hazard, fix, actor=actor, evidence=cleaned)
    return hazard


@transaction.atomic
def overturn_hazard(hazard: Hazard, *, actor, version: int, reason: str) -> Hazard:
    """误判撤销: the bureau or the member unit finds the hazard was wrongly recorded.

    Precondition: found or routed. Effects: overturned with the reason; when a provider found
    it, the event says so, and evaluation counts it against the provider. Event: overturn."""
    hazard = _lock(hazard, actor=actor, capability="hazards.overturn", version=version)
    _expect_state(hazard, [S.FOUND, S.ROUTED], _("撤销"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写撤销理由。"))
    _raise_if(errors)
    _apply(
        hazard,
        EventName.OVERTURN,
        actor=actor,
        note=reason,
        data={"against_provider": hazard.provider_id},
        at=timezone.now(),
        reason=reason,
    )
    notify(
        list(party_users(hazard, Party.PROVIDER)) + list(party_users(hazard, Party.ENTERPRISE)),
        hazard=hazard,
        kind=NotificationKind.INFO,
        title=_("隐患已撤销（误判）：%(hazard)s") % {"hazard": _label(hazard)},
        body=reason,
        exclude=actor,
    )
    return hazard


# --- enforcement (处理): government only ----------------------------------------------------


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


# --- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    overdue: int = 0
    escalated: int = 0
    reminded: int = 0


def _clock_key(hazard: Hazard) -> str:
    return f"{hazard.status}:{hazard.due_date.isoformat()}"


def _open_clocks(qs, flag_field: str) -> list[int]:
    """The hazards whose current clock has not been flagged in `flag_field` yet, read without
    locks so that a nightly run touches only the rows it will change."""
    # While an extension request waits for its decision, the deadline it asks to move is not
    # held against the enterprise.
    rows = qs.exclude(extension_requests__decision=Decision.PENDING).values(
        "pk", "status", flag_field, *set(DUE_FIELD_OF_STATE.values())
    )
    return [
        row["pk"]
        for row in rows
        if row[flag_field] != f"{row['status']}:{row[DUE_FIELD_OF_STATE[row['status']]].isoformat()}"
    ]


def scan_deadlines(*, today: dt.date | None = None) -> ScanResult:
    """Flag hazards whose clock ran out and remind owners of clocks about to run out.

    Each hazard is handled in its own transaction under its row lock. A clock (state and due
    date) is flagged overdue once and reminded once, so running the scan again sends nothing
    twice; a new deadline is a new clock. Overdue: the owner and the member unit are told, and
    for a major hazard the district bureau too (escalation). Reminder: the owner, within
    HAZARD_REMINDER_DAYS of the due date. Events: flag_overdue, flag_reminded (actor: system)."""
    today = today or _today()
    limits = time_limits()
    overdue = escalated = reminded = 0
    for pk in _open_clocks(Hazard.objects.overdue(today), "overdue_flagged"):
        with transaction.atomic():
            hazard = _lock(pk, actor=None, capability="", version=None)
            due = hazard.due_date
            if due is None or due >= today or hazard.overdue_flagged == _clock_key(hazard):
                continue
            key = _clock_key(hazard)
            _apply(hazard, EventName.FLAG_OVERDUE, actor=None, data={"due": due}, bump=False, key=key)
            title = _("隐患已逾期（期限%(due)s）：%(hazard)s") % {
                "due": due.isoformat(),
                "hazard": _label(hazard),
            }
            owner = OWNER_OF_STATE[hazard.status]
            recipients = {u.pk: u for u in party_users(hazard, owner)}
            recipients.update({u.pk: u for u in party_users(hazard, Party.MEMBER_UNIT)})
            notify(
                recipients.values(),
                hazard=hazard,
                kind=NotificationKind.OVERDUE,
                title=title,
                dedupe_key=f"overdue:{key}",
            )
            overdue += 1
            if hazard.is_major:
                notify(
                    party_users(hazard, Party.BUREAU),
                    hazard=hazard,
                    kind=NotificationKind.ESCALATION,
                    title=_("重大隐患逾期未整改，请督办：%(hazard)s") % {"hazard": _label(hazard)},
                    dedupe_key=f"escalation:{key}",
                )
                escalated += 1
    last = today + dt.timedelta(days=limits.reminder_days)
    for pk in _open_clocks(Hazard.objects.due_within(today, last), "reminded"):
        with transaction.atomic():
            hazard = _lock(pk, actor=None, capability="", version=None)
            due = hazard.due_date
            if due is None or not (today <= due <= last) or hazard.reminded == _clock_key(hazard):
                continue
            key = _clock_key(hazard)
            _apply(hazard, EventName.FLAG_REMINDED, actor=None, data={"due": due}, bump=False, key=key)
            _notify_party(
                hazard,
                OWNER_OF_STATE[hazard.status],
                NotificationKind.REMINDER,
                _("隐患将于%(due)s到期：%(hazard)s") % {"due": due.isoformat(), "hazard": _label(hazard)},
                dedupe_key=f"reminder:{key}",
            )
            reminded += 1
    return ScanResult(overdue=overdue, escalated=escalated, reminded=reminded)
