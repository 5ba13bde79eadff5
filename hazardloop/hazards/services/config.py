"""Time limits and the district calendar the loop counts its deadlines by."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .. import rules
from ..models import (
    HazardLevel,
    WorkdayOverride,
)

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
