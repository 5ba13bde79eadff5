"""The nightly deadline scan: overdue flags, escalation and reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import (
    DUE_FIELD_OF_STATE,
    OWNER_OF_STATE,
    Decision,
    EventName,
    GradeBasis,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
)
from ._core import (
    _apply,
    _lock,
    _today,
)
from .config import time_limits
from .notify import _label, _notify_party, notify, party_users

# --- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    overdue: int = 0
    escalated: int = 0
    reminded: int = 0
    unconfirmed: int = 0  # suspected majors past their time limit for 认定, escalated to the bureau


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
    unconfirmed = _escalate_unconfirmed(today)
    return ScanResult(overdue=overdue, escalated=escalated, reminded=reminded, unconfirmed=unconfirmed)


def _escalate_unconfirmed(today: dt.date) -> int:
    """A suspected major the departments did not decide within its time limit is put before the
    district bureau once (the inbox's dedupe key makes a second run send nothing)."""
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    count = 0
    late = Hazard.objects.open().filter(grade_basis=GradeBasis.SUSPECTED, confirmation_due__lt=start_of_day)
    for hazard in late.select_related("enterprise__township"):
        sent = notify(
            party_users(hazard, Party.BUREAU),
            hazard=hazard,
            kind=NotificationKind.ESCALATION,
            title=_("疑似重大隐患超过认定时限未认定：%(hazard)s") % {"hazard": _label(hazard)},
            dedupe_key=f"unconfirmed:{hazard.pk}",
        )
        count += bool(sent)
    return count
