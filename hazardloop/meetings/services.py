"""The only writers of the joint meeting. Pages, API, the demo and commands call these.

Each service: lock the meeting row (`select_for_update`), check scope (a meeting the actor may
not see is `MeetingNotFound`, a 404), take the step declared on `Meeting` (the actor refused by
its access predicate is `Refused`, a 403; a state that does not allow it is `MeetingError`),
check the data (`MeetingError` with Chinese messages, nothing written), then write and record
an audit row in the same transaction. Hazards change only through
`hazardloop.hazards.services`; a refusal there undoes the whole decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core.access import require
from hazardloop.core.errors import NotVisible, ServiceError
from hazardloop.core.workflows import take
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import RECTIFICATION_CLOCK_STATES, Decision, HazardStatus
from hazardloop.hazards.models import Hazard
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import MemberUnit, Region

from . import pack as pack_figures
from . import rules
from .choices import DecisionKind, DecisionOutcome, MeetingStatus
from .models import Attendance, Meeting, MeetingDecision, MeetingPack, Minutes


class MeetingError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class MeetingNotFound(MeetingError, NotVisible):
    """Not there, or not the actor's to see."""


def _lock(meeting: Meeting | int, *, actor) -> Meeting:
    """The meeting locked, if it is in the actor's scope (else 404)."""
    pk = meeting.pk if isinstance(meeting, Meeting) else meeting
    locked = Meeting.objects.select_for_update().select_related("district").filter(pk=pk).first()
    if locked is None or not scoping.scope(Meeting.objects.filter(pk=pk), actor).exists():
        raise MeetingNotFound(_("会议不存在或不在您的管辖范围内。"))
    return locked


def _take(meeting: Meeting, step: str, *, actor, action: str, **step_args) -> None:
    """Take `step` (a transition declared on Meeting): Refused when the actor may not take it,
    MeetingError when the meeting's state does not allow it."""
    take(
        getattr(meeting, step),
        actor,
        not_now=_("会议当前状态为“%(status)s”，不能%(action)s。")
        % {"status": meeting.get_status_display(), "action": action},
        error=MeetingError,
        **step_args,
    )


def _lock_and_take(meeting: Meeting | int, step: str, *, actor, action: str) -> Meeting:
    locked = _lock(meeting, actor=actor)
    _take(locked, step, actor=actor, action=action)
    return locked


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise MeetingError("；".join(m for ms in errors.values() for m in ms), errors=errors)


def _audit(event_type, *, actor, meeting: Meeting, action: str, **data) -> None:
    record_event(
        event_type, actor=actor, target=meeting, data={"meeting": meeting.number, "action": action, **data}
    )


# --- scheduling -------------------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    *,
    actor,
    district: Region,
    year: int,
    month: int,
    scheduled_at: dt.datetime,
    place: str,
    convener=None,
    convener_name: str = "",
    member_units: Sequence[MemberUnit] | None = None,
) -> Meeting:
    """Schedule the joint meeting that reviews `year`-`month` in `district`.

    Precondition: the bureau of that district; no meeting for that month yet. Effects: the
    meeting (scheduled) and an attendance row per member unit invited (all the district's units
    when none are named). Audit: record created. Errors: MeetingError per field."""
    require(actor, "meetings.manage")
    errors: dict[str, list[str]] = {}
    if district is None or district.level != RegionLevel.DISTRICT:
        errors.setdefault("district", []).append(_("请选择区县。"))
    elif actor.region is None or not district.code.startswith(actor.region.code):
        raise MeetingNotFound(_("该区县不在您的管辖范围内。"))
    try:
        period = rules.Period(int(year), int(month))
    except (TypeError, ValueError):
        errors.setdefault("month", []).append(_("请填写正确的年度和月份。"))
        period = None
    place = (place or "").strip()
    if not place:
        errors.setdefault("place", []).append(_("请填写会议地点。"))
    if scheduled_at is None:
        errors.setdefault("scheduled_at", []).append(_("请填写会议时间。"))
    if period is not None and scheduled_at is not None:
        day = (
            timezone.localtime(scheduled_at).date()
            if timezone.is_aware(scheduled_at)
            else scheduled_at.date()
        )
        if day < period.next.first_day:
            errors.setdefault("scheduled_at", []).append(_("联席会议应在报告月份结束后召开。"))
    if convener is not None and (
        convener.role != Role.LEADER
        or convener.region is None
        or (district is not None and not district.code.startswith(convener.region.code))
    ):
        errors.setdefault("convener", []).append(_("召集人应为区分管领导。"))
    convener_name = (convener_name or "").strip()
    if convener is None and not convener_name:
        errors.setdefault("convener", []).append(_("请指定召集人。"))
    _raise_if(errors)
    if Meeting.objects.filter(district=district, year=period.year, month=period.month).exists():
        raise MeetingError(
            _("%(period)s的联席会议已安排。") % {"period": period.label()},
            errors={"month": [_("该月份已有联席会议。")]},
        )
    units = (
        list(member_units) if member_units is not None else list(MemberUnit.objects.filter(district=district))
    )
    if any(unit.district_id != district.pk for unit in units):
        raise MeetingError(
            _("只能邀请本区的成员单位。"), errors={"member_units": [_("只能邀请本区的成员单位。")]}
        )
    try:
        # The unique constraint settles a race between two schedulers the check above missed.
        with transaction.atomic():
            meeting = Meeting.objects.create(
                number=rules.meeting_number(district.code, period),
                district=district,
                year=period.year,
                month=period.month,
                scheduled_at=scheduled_at,
                place=place,
                convener=convener,
                convener_name=convener_name,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise MeetingError(_("%(period)s的联席会议已安排。") % {"period": period.label()}) from exc
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member_unit=unit) for unit in units])
    _audit(
        EventType.RECORD_CREATED, actor=actor, meeting=meeting, action="schedule", units=[u.pk for u in units]
    )
    return meeting


@transaction.atomic
def record_attendance(
    meeting: Meeting,
    *,
    actor,
    attended: Iterable[int],
    representatives: dict[int, str] | None = None,
    held_at: dt.datetime | None = None,
) -> Meeting:
    """The meeting was held: which invited member units came (ids of member units), and who
    represented them. Precondition: scheduled or held (attendance may be corrected until the
    minutes are published). Effects: status held, held_at. Audit: state transition."""
    meeting = _lock(meeting, actor=actor)
    previous = meeting.status
    _take(meeting, "hold", actor=actor, action=_("登记出席情况"), at=held_at or timezone.now())
    attended = {int(pk) for pk in attended}
    representatives = representatives or {}
    rows = list(meeting.attendances.select_for_update())
    unknown = attended - {row.member_unit_id for row in rows}
    if unknown:
        # The step above changed only the instance; raising rolls back and nothing is saved.
        raise MeetingError(_("所选单位未受邀参加本次会议。"))
    for row in rows:
        row.attended = row.member_unit_id in attended
        row.representative = (representatives.get(row.member_unit_id) or row.representative or "").strip()[
            :64
        ]
    Attendance.objects.bulk_update(rows, ["attended", "representative"])
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    _audit(
        EventType.STATE_TRANSITION,
        actor=actor,
        meeting=meeting,
        action="hold",
        **{"from": previous, "to": meeting.status, "attended": sorted(attended)},
    )
    return meeting


@transaction.atomic
def submit_unit_report(meeting: Meeting, *, actor, report: str) -> Attendance:
    """A member unit enters its own report to the meeting (what it did about the hazards routed
    to it). Precondition: the unit is invited; the minutes are not published yet."""
    meeting = _lock_and_take(meeting, "report", actor=actor, action=_("填报汇报材料"))
    report = (report or "").strip()
    if not report:
        raise MeetingError(_("请填写汇报内容。"), errors={"report": [_("请填写汇报内容。")]})
    row = meeting.attendances.select_for_update().filter(member_unit_id=actor.member_unit_id).first()
    if row is None:  # scope already requires the invitation; kept for clarity
        raise MeetingNotFound(_("会议不存在或不在您的管辖范围内。"))
    row.report, row.reported_by, row.reported_at = report, actor, timezone.now()
    row.save(update_fields=["report", "reported_by", "reported_at"])
    _audit(
        EventType.RECORD_UPDATED,
        actor=actor,
        meeting=meeting,
        action="unit_report",
        member_unit=row.member_unit_id,
    )
    return row


# --- the pack ---------------------------------------------------------------------------------


@transaction.atomic
def build_pack(meeting: Meeting, *, actor) -> MeetingPack:
    """Build the meeting pack now and freeze it: every figure as JSON and the hazards it covers.

    Precondition: the bureau; minutes not yet published. Effects: a new MeetingPack (older ones
    stay); every hazard in it not yet fed back is marked fed back through
    `hazards.services.mark_fed_back` with this meeting's number (a record_feedback event each).
    Audit: record created."""
    meeting = _lock_and_take(meeting, "build_pack", actor=actor, action=_("生成会议材料"))
    now = timezone.now()
    data, hazard_ids = pack_figures.compute(meeting, as_of=timezone.localdate(now))
    data["meta"]["built_at"] = now
    data["meta"]["built_by"] = str(actor)
    pack = MeetingPack.objects.create(
        meeting=meeting, data=data, hazard_ids=hazard_ids, built_at=now, built_by=actor
    )
    try:
        # Those fed back at an earlier meeting keep their mark; the service would skip them anyway.
        pending = Hazard.objects.filter(pk__in=hazard_ids, fed_back_at__isnull=True).only("pk")
        marked = hazard_services.mark_fed_back(pending, meeting.number, actor)
    except hazard_services.HazardError as exc:
        raise MeetingError(exc.message) from exc
    _audit(
        EventType.RECORD_CREATED,
        actor=actor,
        meeting=meeting,
        action="build_pack",
        pack=pack.pk,
        hazards=len(hazard_ids),
        marked=len(marked),
    )
    return pack


# --- minutes and decisions --------------------------------------------------------------------


@transaction.atomic
def record_minutes(meeting: Meeting, *, actor, text: str) -> Minutes:
    """Write (or rewrite) the minutes. Precondition: the meeting was held; not yet approved."""
    meeting = _lock_and_take(meeting, "record_minutes", actor=actor, action=_("记录会议纪要"))
    text = (text or "").strip()
    if not text:
        raise MeetingError(_("请填写纪要正文。"), errors={"text": [_("请填写纪要正文。")]})
    minutes, created = Minutes.objects.select_for_update().get_or_create(
        meeting=meeting, defaults={"text": text, "recorded_by": actor, "recorded_at": timezone.now()}
    )
    if not created:
        minutes.text, minutes.recorded_by, minutes.recorded_at = text, actor, timezone.now()
        minutes.save()
    _audit(
        EventType.RECORD_CREATED if created else EventType.RECORD_UPDATED,
        actor=actor,
        meeting=meeting,
        action="minutes",
    )
    return minutes


@transaction.atomic
def approve_minutes(meeting: Meeting, *, actor) -> Minutes:
    """The convening leader approves the minutes, which publishes them: held → minutes_published.
    Afterwards nothing of the meeting changes."""
    meeting = _lock_and_take(meeting, "publish_minutes", actor=actor, action=_("审定会议纪要"))
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise MeetingError(_("会议纪要尚未记录。"))
    minutes.approved_by, minutes.approved_at = actor, timezone.now()
    minutes.save()
    meeting.save(update_fields=["status", "updated_at"])
    _audit(
        EventType.STATE_TRANSITION,
        actor=actor,
        meeting=meeting,
        action="approve_minutes",
        **{"from": MeetingStatus.HELD, "to": meeting.status},
    )
    return minutes


def _apply_to_hazard(kind: str, hazard: Hazard, *, actor, text: str, member_unit, deadline) -> str | None:
    """Carry out one hazard's part of a decision through the hazard services. Returns what was
    done, or None when no service applies (the decision is then recorded only for this hazard).
    A refusal raises the service's HazardError."""
    label = hazard.number
    if kind == DecisionKind.ROUTE:
        hazard_services.route_hazard(
            hazard, actor=actor, version=hazard.version, member_unit=member_unit, note=text
        )
        return _("%(hazard)s 已交办至%(unit)s") % {"hazard": label, "unit": member_unit}
    if kind == DecisionKind.REASSIGN:
        hazard_services.reassign_hazard(
            hazard, actor=actor, version=hazard.version, member_unit=member_unit, reason=text
        )
        return _("%(hazard)s 已改派至%(unit)s") % {"hazard": label, "unit": member_unit}
    if kind == DecisionKind.DEADLINE:
        if hazard.status == HazardStatus.ROUTED:
            notice = hazard_services.issue_notice(
                hazard, actor=actor, version=hazard.version, requirements=text, deadline=deadline
            )
            return _("%(hazard)s 已下达整改通知（%(number)s），期限%(deadline)s") % {
                "hazard": label,
                "number": notice.number,
                "deadline": deadline.isoformat(),
            }
        if (
            hazard.status in RECTIFICATION_CLOCK_STATES
            and hazard.extension_requests.filter(decision=Decision.PENDING).exists()
        ):
            hazard_services.decide_extension(
                hazard, actor=actor, version=hazard.version, approve=True, note=text, deadline=deadline
            )
            return _("%(hazard)s 延期申请已同意，期限%(deadline)s") % {
                "hazard": label,
                "deadline": deadline.isoformat(),
            }
    return None


@transaction.atomic
def record_decision(
    meeting: Meeting,
    *,
    actor,
    kind: str,
    text: str,
    hazards: Sequence[Hazard] = (),
    member_unit: MemberUnit | None = None,
    deadline: dt.date | None = None,
) -> MeetingDecision:
    """Record a decision of the meeting and carry it out on its hazards at once.

    - route: each hazard still `found` is routed to `member_unit` (hazards.route_hazard);
    - reassign: each routed hazard is handed to `member_unit` (hazards.reassign_hazard);
    - deadline: a routed hazard gets its rectification notice with `deadline`
      (hazards.issue_notice); one with a pending extension request has it granted to `deadline`
      (hazards.decide_extension); for other states no service sets a deadline, so the decision
      is recorded for them only;
    - other: recorded as text.

    Precondition: the bureau; the meeting held, minutes not published. All or nothing: if a
    hazard service refuses any hazard, its Chinese message is raised as MeetingError and nothing
    is written (no decision, no hazard changed). Audit: record created."""
    meeting = _lock_and_take(meeting, "record_decision", actor=actor, action=_("记录议定事项"))
    errors: dict[str, list[str]] = {}
    if kind not in DecisionKind.values:
        errors.setdefault("kind", []).append(_("请选择议定事项类别。"))
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", []).append(_("请填写议定内容。"))
    hazards = list(hazards)
    if kind in {DecisionKind.ROUTE, DecisionKind.REASSIGN, DecisionKind.DEADLINE} and not hazards:
        errors.setdefault("hazards", []).append(_("请选择涉及的隐患。"))
    if kind in {DecisionKind.ROUTE, DecisionKind.REASSIGN} and member_unit is None:
        errors.setdefault("member_unit", []).append(_("请选择交办或改派的成员单位。"))
    if member_unit is not None and member_unit.district_id != meeting.district_id:
        errors.setdefault("member_unit", []).append(_("只能交办给本区的成员单位。"))
    if kind == DecisionKind.DEADLINE:
        if deadline is None:
            errors.setdefault("deadline", []).append(_("请填写整改期限。"))
        elif deadline <= timezone.localdate():
            errors.setdefault("deadline", []).append(_("整改期限应晚于今天。"))
    _raise_if(errors)
    visible = scoping.scope(Hazard.objects.filter(pk__in=[h.pk for h in hazards]), actor)
    if visible.count() != len({h.pk for h in hazards}):
        raise MeetingError(
            _("所选隐患不存在或不在您的管辖范围内。"),
            errors={"hazards": [_("所选隐患不存在或不在您的管辖范围内。")]},
        )
    seq = (meeting.decisions.aggregate(last=Max("seq"))["last"] or 0) + 1
    done: list[str] = []
    skipped: list[str] = []
    for hazard in sorted(hazards, key=lambda h: h.pk):
        fresh = Hazard.objects.get(pk=hazard.pk)  # the services lock and compare versions
        try:
            result = _apply_to_hazard(
                kind, fresh, actor=actor, text=text, member_unit=member_unit, deadline=deadline
            )
        except hazard_services.HazardError as exc:
            # Everything done for earlier hazards rolls back with this transaction.
            raise MeetingError(
                _("%(hazard)s：%(message)s") % {"hazard": fresh.number, "message": exc.message},
                errors=exc.errors,
            ) from exc
        if result is None:
            skipped.append(fresh.number)
        else:
            done.append(result)
    if kind == DecisionKind.OTHER or (done == [] and skipped == []):
        outcome = DecisionOutcome.RECORDED
    elif not skipped:
        outcome = DecisionOutcome.APPLIED
    elif done:
        outcome = DecisionOutcome.PARTLY_APPLIED
    else:
        outcome = DecisionOutcome.RECORDED
    detail = list(done)
    if skipped:
        detail.append(
            _("%(hazards)s 当前状态无相应的办理服务，已记录在案，由督办单位按议定事项办理。")
            % {"hazards": "、".join(skipped)}
        )
    decision = MeetingDecision.objects.create(
        meeting=meeting,
        seq=seq,
        kind=kind,
        text=text,
        member_unit=member_unit,
        deadline=deadline,
        outcome=outcome,
        outcome_detail="\n".join(str(line) for line in detail),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    decision.hazards.set([h.pk for h in hazards])
    _audit(
        EventType.RECORD_CREATED,
        actor=actor,
        meeting=meeting,
        action="decision",
        seq=seq,
        kind=kind,
        outcome=outcome,
        hazards=sorted(h.pk for h in hazards),
    )
    return decision
