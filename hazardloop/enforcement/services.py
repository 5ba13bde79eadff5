"""The only writers of enforcement records. Pages, API, commands and the demo call these.

Each service: lock what it reads, check scope (404) and capability (403), validate (per-field
Chinese errors), change the rows, write the audit row — all in one transaction, so a refusal
leaves nothing changed. Hazards linked to a new action move through the hazards app's own
services (`start_enforcement`, `conclude_enforcement`), never by hand.

Audit: recording writes RECORD_CREATED (200); fulfilment and revocation are state changes of
the action and write STATE_TRANSITION (300) with the action's event name, as hazards do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from hazardloop.accounts.choices import Role
from hazardloop.core.access import may, require
from hazardloop.core.errors import NotVisible, Refused, ServiceError
from hazardloop.core.workflows import take
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import EnforcementReason, HazardStatus, LegalLevel, NotificationKind
from hazardloop.hazards.models import Hazard
from hazardloop.registry.models import Enterprise, MemberUnit

from . import rules
from .choices import ActionKind
from .models import EnforcementAction

S = HazardStatus

# The states from which hazards.start_enforcement takes a hazard into enforcement.
ENFORCEABLE_STATES = frozenset({S.AWAITING_PLAN, S.RECTIFYING})


# --- errors ---------------------------------------------------------------------------------


class EnforcementError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class EnforcementPermissionDenied(EnforcementError, Refused):
    """The actor's role (or unit) may not do this."""


class EnforcementNotFound(EnforcementError, NotVisible):
    """Not there, or not the actor's to see — deliberately indistinguishable."""


def _not_found(what: str | None = None) -> EnforcementNotFound:
    return EnforcementNotFound(what or _("记录不存在或不在您的管辖范围内。"))


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        message = "；".join(m for messages in errors.values() for m in messages)
        raise EnforcementError(message, errors=errors)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _require_capability(actor) -> None:
    require(actor, "enforcement.record", _("您没有权限登记执法处理。"))


def _check_unit(actor, member_unit: MemberUnit) -> None:
    """A member unit acts in its own name only (`enforcement.may_record_for`); the bureau for any
    unit of its district, and a unit outside it is not found."""
    if not may(actor, "enforcement.may_record_for", member_unit):
        raise EnforcementPermissionDenied(_("只能以本单位名义登记执法处理。"))
    if not MemberUnit.objects.visible_to(actor).filter(pk=member_unit.pk).exists():
        raise _not_found(_("执法单位不存在或不在您的管辖范围内。"))


# --- configuration --------------------------------------------------------------------------


def art113_thresholds() -> tuple[int, int]:
    return (
        int(getattr(settings, "ENFORCEMENT_ART113_THRESHOLD_180_DAYS", rules.SHORT_THRESHOLD)),
        int(getattr(settings, "ENFORCEMENT_ART113_THRESHOLD_365_DAYS", rules.LONG_THRESHOLD)),
    )


def art113_dates(enterprise_id: int) -> list[dt.date]:
    """The decision dates of the enterprise's standing penalties tied to major hazards."""
    return list(
        EnforcementAction.objects.filter(enterprise_id=enterprise_id)
        .art113_relevant()
        .values_list("decided_on", flat=True)
    )


def art113_status(enterprise_id: int, on: dt.date | None = None) -> rules.RepeatCount:
    short, long = art113_thresholds()
    return rules.repeat_count(
        art113_dates(enterprise_id),
        on or timezone.localdate(),
        short_threshold=short,
        long_threshold=long,
    )


def art113_statuses(enterprise_ids: Iterable[int], on: dt.date | None = None) -> dict[int, rules.RepeatCount]:
    """The counter for many enterprises with one query (list pages)."""
    on = on or timezone.localdate()
    short, long = art113_thresholds()
    ids = set(enterprise_ids)
    dates: dict[int, list[dt.date]] = {pk: [] for pk in ids}
    since = rules.window_start(on, rules.LONG_WINDOW_DAYS)
    rows = (
        EnforcementAction.objects.filter(enterprise_id__in=ids, decided_on__gte=since, decided_on__lte=on)
        .art113_relevant()
        .values_list("enterprise_id", "decided_on")
    )
    for enterprise_id, day in rows:
        dates[enterprise_id].append(day)
    return {
        pk: rules.repeat_count(days, on, short_threshold=short, long_threshold=long)
        for pk, days in dates.items()
    }


def flagged_enterprise_ids(
    enterprise_ids: Iterable[int] | None = None, on: dt.date | None = None
) -> set[int]:
    """Enterprises over the Art. 113 threshold on `on` (default today)."""
    on = on or timezone.localdate()
    since = rules.window_start(on, rules.LONG_WINDOW_DAYS)
    candidates = EnforcementAction.objects.filter(decided_on__gte=since, decided_on__lte=on).art113_relevant()
    if enterprise_ids is not None:
        candidates = candidates.filter(enterprise_id__in=enterprise_ids)
    ids = set(candidates.values_list("enterprise_id", flat=True))
    return {pk for pk, count in art113_statuses(ids, on).items() if count.flagged}


# --- input ----------------------------------------------------------------------------------


def _amount(errors, field: str, value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        _add(errors, field, _("%(label)s应为数字。") % {"label": label})
        return None
    if not amount.is_finite():
        _add(errors, field, _("%(label)s应为数字。") % {"label": label})
        return None
    if amount < 0:
        _add(errors, field, _("%(label)s不能为负数。") % {"label": label})
        return None
    if amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):
        _add(errors, field, _("%(label)s格式不正确（最多两位小数）。") % {"label": label})
        return None
    return amount


def _date(errors, field: str, value, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        _add(errors, field, _("%(label)s格式不正确。") % {"label": label})
        return None


@dataclass
class ActionData:
    """What a recording carries besides the parties and the hazards."""

    facts: str = ""
    document_number: str = ""
    decided_on: dt.date | str | None = None
    legal_basis_law: str = ""
    legal_basis_article: str = ""
    legal_basis_item: str = ""
    legal_basis: str = ""
    deadline: dt.date | str | None = None
    unit_fine_amount: Decimal | str | None = None
    individual_fine_amount: Decimal | str | None = None
    individual_name: str = ""
    daily_amount: Decimal | str | None = None
    daily_start: dt.date | str | None = None


def _clean(kind: str, data: ActionData, errors: dict[str, list[str]]) -> dict:
    today = timezone.localdate()
    clean: dict = {}
    if kind not in ActionKind.values:
        _add(errors, "kind", _("请选择处理类型。"))
    for field in (
        "facts",
        "document_number",
        "legal_basis_law",
        "legal_basis_article",
        "legal_basis_item",
        "legal_basis",
        "individual_name",
    ):
        clean[field] = (getattr(data, field) or "").strip()
    if not clean["facts"]:
        _add(errors, "facts", _("请填写违法事实及处理内容。"))
    if not clean["document_number"]:
        _add(errors, "document_number", _("请填写文书编号。"))
    elif len(clean["document_number"]) > 64:
        _add(errors, "document_number", _("文书编号不能超过64个字符。"))
    decided_on = _date(errors, "decided_on", data.decided_on, _("决定日期"))
    if decided_on is None and "decided_on" not in errors:
        _add(errors, "decided_on", _("请填写决定日期。"))
    elif decided_on is not None and decided_on > today:
        _add(errors, "decided_on", _("决定日期不能晚于今天。"))
    clean["decided_on"] = decided_on

    if rules.needs_legal_basis(kind):
        if not clean["legal_basis_law"]:
            _add(errors, "legal_basis_law", _("行政处罚须写明所依据的法律法规。"))
        if not clean["legal_basis_article"]:
            _add(errors, "legal_basis_article", _("行政处罚须写明所依据的条款。"))

    deadline = _date(errors, "deadline", data.deadline, _("履行期限"))
    if rules.needs_deadline(kind) and deadline is None and "deadline" not in errors:
        _add(errors, "deadline", _("该处理类型须规定履行期限。"))
    if deadline is not None and decided_on is not None and deadline < decided_on:
        _add(errors, "deadline", _("履行期限不能早于决定日期。"))
    clean["deadline"] = deadline

    unit_amount = _amount(errors, "unit_fine_amount", data.unit_fine_amount, _("单位罚款金额"))
    individual_amount = _amount(
        errors, "individual_fine_amount", data.individual_fine_amount, _("个人罚款金额")
    )
    daily_amount = _amount(errors, "daily_amount", data.daily_amount, _("每日罚款金额"))
    daily_start = _date(errors, "daily_start", data.daily_start, _("按日处罚起算日"))
    if rules.needs_amount(kind):
        if not (unit_amount or individual_amount) and not (
            {"unit_fine_amount", "individual_fine_amount"} & errors.keys()
        ):
            _add(errors, "unit_fine_amount", _("罚款须填写单位或个人罚款金额（大于零）。"))
    elif (unit_amount or individual_amount) and kind != ActionKind.CONFISCATION:
        _add(errors, "unit_fine_amount", _("只有罚款、按日连续处罚或没收违法所得才填写金额。"))
    if individual_amount and not clean["individual_name"]:
        _add(errors, "individual_name", _("请填写被处罚人姓名。"))
    if clean["individual_name"] and not individual_amount and "individual_fine_amount" not in errors:
        _add(errors, "individual_fine_amount", _("请填写个人罚款金额。"))
    if kind == ActionKind.DAILY_PENALTY:
        # Work Safety Law Art. 112: the same amount again for every day the refusal lasts.
        if not daily_amount and "daily_amount" not in errors:
            _add(errors, "daily_amount", _("按日连续处罚须填写每日罚款金额（大于零）。"))
        if daily_start is None and "daily_start" not in errors:
            _add(errors, "daily_start", _("按日连续处罚须填写起算日。"))
        elif daily_start is not None and decided_on is not None and daily_start < decided_on:
            _add(errors, "daily_start", _("按日处罚起算日不能早于决定日期。"))
    elif daily_amount or daily_start:
        _add(errors, "daily_amount", _("只有按日连续处罚才填写每日金额和起算日。"))
    clean.update(
        unit_fine_amount=unit_amount,
        individual_fine_amount=individual_amount,
        daily_amount=daily_amount,
        daily_start=daily_start,
    )
    return clean


# --- recording ------------------------------------------------------------------------------


def _visible_hazards(actor, pks: list[int]) -> list[Hazard]:
    found = list(Hazard.objects.visible_to(actor).filter(pk__in=pks).select_related("enterprise"))
    if len(found) != len(set(pks)):
        raise _not_found(_("隐患不存在或不在您的管辖范围内。"))
    return sorted(found, key=lambda h: h.pk)


def _bureau_users(enterprise: Enterprise):
    from hazardloop.accounts.models import User

    return User.objects.filter(is_active=True, role=Role.BUREAU, region__code=enterprise.township.code[:6])


@transaction.atomic
def record_enforcement_action(
    *,
    actor,
    member_unit: MemberUnit,
    enterprise: Enterprise,
    kind: str,
    hazards: Iterable[Hazard | int] = (),
    data: ActionData | None = None,
    reason: str = "",
    **fields,
) -> EnforcementAction:
    """Record one enforcement decision (处理) and take its hazards into enforcement.

    Precondition: the actor is a member-unit user of `member_unit`, or the district bureau
    (providers, experts, enterprises, townships and leaders never: 政府购买服务管理办法 Art. 10);
    the enterprise and every hazard are visible to the actor; every hazard is the enterprise's.
    Fields come as `data` (ActionData) or as keyword arguments of the same names.

    Effects: the action; each linked hazard awaiting its plan or rectifying goes to
    under_enforcement through hazards.start_enforcement (with `reason`, or 逾期 when the
    deadline has passed and 拒不整改 otherwise; halted for a halt order on a major hazard).
    When the enterprise thereby crosses the Art. 113 threshold, the district bureau is told
    in its inbox that closure may be proposed.

    Events: audit RECORD_CREATED; the hazards' own start_enforcement events.
    Errors: EnforcementNotFound (404), EnforcementPermissionDenied (403), EnforcementError
    (per-field Chinese messages); nothing is changed on any refusal."""
    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import record_event

    _require_capability(actor)
    if member_unit is None:
        _raise_if({"member_unit": [_("请选择执法单位。")]})
    if enterprise is None:
        _raise_if({"enterprise": [_("请选择企业。")]})
    _check_unit(actor, member_unit)
    # One recording per enterprise at a time, so that the Art. 113 crossing is seen exactly once.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    hazard_pks = [h.pk if isinstance(h, Hazard) else int(h) for h in hazards or ()]
    linked = _visible_hazards(actor, hazard_pks)
    enterprise_visible = Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
    # A member unit may act on a hazard routed to it at an enterprise outside its duties.
    if not enterprise_visible and not any(h.enterprise_id == enterprise.pk for h in linked):
        raise _not_found(_("企业不存在或不在您的管辖范围内。"))

    if data is None:
        data = ActionData(**fields)
    elif fields:
        raise TypeError("pass the fields either as data or as keyword arguments")
    errors: dict[str, list[str]] = {}
    clean = _clean(kind, data, errors)
    strangers = [h.number for h in linked if h.enterprise_id != enterprise.pk]
    if strangers:
        _add(errors, "hazards", _("以下隐患不属于该企业：%(numbers)s") % {"numbers": "、".join(strangers)})
    if reason and reason not in EnforcementReason.values:
        _add(errors, "reason", _("请选择转入执法处理的原因。"))
    if (
        clean["document_number"]
        and EnforcementAction.objects.filter(
            member_unit=member_unit, document_number=clean["document_number"]
        ).exists()
    ):
        _add(errors, "document_number", _("本单位已有该文书编号的执法记录。"))
    _raise_if(errors)

    short, long = art113_thresholds()
    before = rules.repeat_count(
        art113_dates(enterprise.pk), clean["decided_on"], short_threshold=short, long_threshold=long
    )
    try:
        with transaction.atomic():
            action = EnforcementAction.objects.create(
                member_unit=member_unit, enterprise=enterprise, kind=kind, created_by=actor, **clean
            )
    except IntegrityError as exc:  # two clerks drew the same number at once
        raise EnforcementError(
            _("本单位已有该文书编号的执法记录。"),
            errors={"document_number": [_("本单位已有该文书编号的执法记录。")]},
        ) from exc
    action.hazards.set(linked)

    moved = _start_enforcement(action, linked, actor=actor, reason=reason)
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=action,
        data={
            "model": "enforcement.enforcementaction",
            "document_number": action.document_number,
            "kind": action.kind,
            "member_unit": member_unit.pk,
            "enterprise": enterprise.pk,
            "decided_on": action.decided_on,
            "hazards": [h.number for h in linked],
            "moved_to_enforcement": moved,
            "unit_fine_amount": action.unit_fine_amount,
            "individual_fine_amount": action.individual_fine_amount,
        },
    )
    after = rules.repeat_count(
        art113_dates(enterprise.pk), clean["decided_on"], short_threshold=short, long_threshold=long
    )
    if rules.crosses(before, after):
        _notify_art113(action, after, linked, actor=actor)
    return action


def _start_enforcement(action: EnforcementAction, linked: list[Hazard], *, actor, reason: str) -> list[str]:
    """Take the enforceable hazards into enforcement; a refusal there undoes everything."""
    moved: list[str] = []
    today = timezone.localdate()
    note = _("%(kind)s（%(number)s）：%(facts)s") % {
        "kind": action.get_kind_display(),
        "number": action.document_number,
        "facts": action.facts,
    }
    for hazard in linked:
        current = Hazard.objects.get(pk=hazard.pk)
        if current.status not in ENFORCEABLE_STATES:
            continue
        why = reason or (
            EnforcementReason.OVERDUE
            if current.deadline and current.deadline < today
            else EnforcementReason.REFUSED
        )
        try:
            hazard_services.start_enforcement(
                current,
                actor=actor,
                version=current.version,
                reason=why,
                note=note,
                halt=rules.halts(action.kind) and current.legal_level == LegalLevel.MAJOR,
            )
        except hazard_services.HazardNotFound as exc:
            raise _not_found(_("隐患不存在或不在您的管辖范围内。")) from exc
        except hazard_services.HazardPermissionDenied as exc:
            raise EnforcementPermissionDenied(exc.message) from exc
        except hazard_services.HazardError as exc:
            detail = "；".join(m for messages in exc.errors.values() for m in messages) or exc.message
            field = "reason" if "reason" in exc.errors else "hazards"
            raise EnforcementError(
                _("隐患%(number)s不能转入执法处理：%(detail)s")
                % {"number": current.number, "detail": detail},
                errors={
                    field: [_("隐患%(number)s：%(detail)s") % {"number": current.number, "detail": detail}]
                },
            ) from exc
        moved.append(current.number)
    return moved


def _notify_art113(
    action: EnforcementAction, count: rules.RepeatCount, linked: list[Hazard], *, actor
) -> None:
    enterprise = action.enterprise
    major = next((h for h in linked if h.legal_level == LegalLevel.MAJOR), None)
    title = _("%(enterprise)s已达安全生产法第一百一十三条情形，可提请关闭") % {"enterprise": enterprise.name}
    body = _(
        "截至%(on)s，该企业因重大事故隐患受到行政处罚：180日内%(short)s次、一年内%(long)s次"
        "（标准：180日内%(short_threshold)s次或一年内%(long_threshold)s次）。"
        "依据《安全生产法》第一百一十三条，可提请县级以上人民政府予以关闭，并由有关部门吊销其有关证照。"
        "最近一次处罚：%(number)s（%(unit)s）。"
    ) % {
        "on": count.on.isoformat(),
        "short": count.short,
        "long": count.long,
        "short_threshold": count.short_threshold,
        "long_threshold": count.long_threshold,
        "number": action.document_number,
        "unit": action.member_unit.name,
    }
    hazard_services.notify(
        _bureau_users(enterprise),
        hazard=major,
        kind=NotificationKind.ESCALATION,
        title=title,
        body=body,
        exclude=actor if actor.role != Role.BUREAU else None,
        dedupe_key=f"art113:{enterprise.pk}:{action.pk}",
    )


# --- after the decision ---------------------------------------------------------------------


def _lock_action(action: EnforcementAction | int, *, actor) -> EnforcementAction:
    pk = action.pk if isinstance(action, EnforcementAction) else int(action)
    locked = EnforcementAction.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not EnforcementAction.objects.visible_to(actor).filter(pk=pk).exists():
        raise _not_found()
    _require_capability(actor)
    return locked


def _take(action: EnforcementAction, step: str, *, actor, not_now: str, **step_args) -> None:
    """Take a step declared on EnforcementAction: only the deciding unit or the bureau
    (`enforcement.may_act`, 403), and only in a state that opens it (400)."""
    take(
        getattr(action, step),
        actor,
        not_now=not_now % {"status": action.get_status_display()},
        error=EnforcementError,
        refused=_("只有作出决定的单位才能办理该记录。"),
        **step_args,
    )


def _audit_transition(action: EnforcementAction, name: str, *, actor, from_status: str, data: dict) -> None:
    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import record_event

    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=action,
        data={
            "model": "enforcement.enforcementaction",
            "document_number": action.document_number,
            "event": name,
            "from": from_status,
            "to": action.status,
            "data": data,
        },
    )


@transaction.atomic
def record_fulfilment(
    action: EnforcementAction | int,
    *,
    actor,
    fulfilled_on: dt.date | str | None,
    note: str,
    new_deadline: dt.date | str | None = None,
) -> EnforcementAction:
    """The party carried out the decision (fine paid, halt observed …).

    Precondition: the action is in force; the actor is its unit or the bureau. With
    `new_deadline`, every linked hazard still under enforcement goes back to rectification
    through hazards.conclude_enforcement. Effects: status fulfilled. Event: audit 300
    (fulfil). Errors as record_enforcement_action."""
    action = _lock_action(action, actor=actor)
    if not may(actor, "enforcement.may_act", action):
        raise EnforcementPermissionDenied(_("只有作出决定的单位才能办理该记录。"))
    errors: dict[str, list[str]] = {}
    if not can_proceed(action.fulfil):
        _add(
            errors,
            "status",
            _("该记录当前状态为“%(status)s”，不能登记履行。") % {"status": action.get_status_display()},
        )
    day = _date(errors, "fulfilled_on", fulfilled_on, _("履行日期"))
    if day is None and "fulfilled_on" not in errors:
        _add(errors, "fulfilled_on", _("请填写履行日期。"))
    elif day is not None and day > timezone.localdate():
        _add(errors, "fulfilled_on", _("履行日期不能晚于今天。"))
    elif day is not None and day < action.decided_on:
        _add(errors, "fulfilled_on", _("履行日期不能早于决定日期。"))
    note = (note or "").strip()
    if not note:
        _add(errors, "note", _("请填写履行情况。"))
    deadline = _date(errors, "new_deadline", new_deadline, _("新的整改期限"))
    _raise_if(errors)
    from_status = action.status
    _take(
        action,
        "fulfil",
        actor=actor,
        not_now=_("该记录当前状态为“%(status)s”，不能登记履行。"),
        on=day,
        note=note,
    )
    action.save(update_fields=["status", "fulfilled_on", "fulfilment_note", "updated_at"])
    concluded = []
    if deadline is not None:
        for hazard in action.hazards.filter(status=S.UNDER_ENFORCEMENT).order_by("pk"):
            _conclude(hazard, action, actor=actor, deadline=deadline, note=note)
            concluded.append(hazard.number)
    _audit_transition(
        action,
        "fulfil",
        actor=actor,
        from_status=from_status,
        data={"fulfilled_on": day, "concluded": concluded},
    )
    return action


def _conclude(hazard: Hazard, action: EnforcementAction, *, actor, deadline: dt.date, note: str) -> Hazard:
    try:
        return hazard_services.conclude_enforcement(
            hazard,
            actor=actor,
            version=hazard.version,
            note=_("%(number)s：%(note)s") % {"number": action.document_number, "note": note},
            deadline=deadline,
            halt=rules.halts(action.kind) and hazard.legal_level == LegalLevel.MAJOR,
        )
    except hazard_services.HazardNotFound as exc:
        raise _not_found(_("隐患不存在或不在您的管辖范围内。")) from exc
    except hazard_services.HazardPermissionDenied as exc:
        raise EnforcementPermissionDenied(exc.message) from exc
    except hazard_services.HazardError as exc:
        field = "new_deadline" if "deadline" in exc.errors else "hazards"
        messages = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        raise EnforcementError(
            _("隐患%(number)s：%(detail)s") % {"number": hazard.number, "detail": "；".join(messages)},
            errors={field: messages},
        ) from exc


@transaction.atomic
def conclude_hazard_enforcement(
    action: EnforcementAction | int, hazard: Hazard | int, *, actor, deadline: dt.date | str | None, note: str
) -> Hazard:
    """Enforcement of one linked hazard is done: it returns to rectification with a new deadline
    (to awaiting_plan if major without an approved plan), through hazards.conclude_enforcement.

    Precondition: the hazard is linked to the action and under enforcement; actor as for
    record_fulfilment. Errors as record_enforcement_action."""
    action = _lock_action(action, actor=actor)
    _take(
        action, "conclude_hazard", actor=actor, not_now=_("该记录当前状态为“%(status)s”，不能结束执法处理。")
    )
    pk = hazard.pk if isinstance(hazard, Hazard) else int(hazard)
    current = action.hazards.filter(pk=pk).first()
    if current is None or not Hazard.objects.visible_to(actor).filter(pk=pk).exists():
        raise _not_found(_("隐患不存在或不在您的管辖范围内。"))
    errors: dict[str, list[str]] = {}
    day = _date(errors, "new_deadline", deadline, _("新的整改期限"))
    if day is None and "new_deadline" not in errors:
        _add(errors, "new_deadline", _("请填写新的整改期限。"))
    if current.status != S.UNDER_ENFORCEMENT:
        _add(errors, "hazards", _("隐患%(number)s不在执法处理中。") % {"number": current.number})
    _raise_if(errors)
    return _conclude(current, action, actor=actor, deadline=day, note=(note or "").strip())


@transaction.atomic
def revoke_action(action: EnforcementAction | int, *, actor, reason: str) -> EnforcementAction:
    """The decision is withdrawn (复议、诉讼撤销 or corrected by the unit). A revoked penalty no
    longer counts towards Art. 113. Linked hazards keep their state: concluding their
    enforcement is a separate decision. Event: audit 300 (revoke)."""
    action = _lock_action(action, actor=actor)
    if not may(actor, "enforcement.may_act", action):
        raise EnforcementPermissionDenied(_("只有作出决定的单位才能办理该记录。"))
    errors: dict[str, list[str]] = {}
    if not can_proceed(action.revoke):
        _add(errors, "status", _("该记录已撤销。"))
    reason = (reason or "").strip()
    if not reason:
        _add(errors, "reason", _("请填写撤销理由。"))
    _raise_if(errors)
    from_status = action.status
    _take(action, "revoke", actor=actor, not_now=_("该记录已撤销。"), at=timezone.now(), reason=reason)
    action.save(update_fields=["status", "revoked_at", "revoke_reason", "updated_at"])
    _audit_transition(action, "revoke", actor=actor, from_status=from_status, data={"reason": reason})
    return action
