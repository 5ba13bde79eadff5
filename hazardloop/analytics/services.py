"""The analytics app's one writer: reminders of the statutory statistics' due dates.

Everything else in this app only reads. A reminder is a message in the hazards inbox
(`hazardloop.hazards.services.notify`), deduplicated per recipient and period, so the daily
run may repeat, or be re-run for a missed day, without sending anything twice."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.hazards.choices import NotificationKind
from hazardloop.hazards.services import notify
from hazardloop.registry.choices import EnterpriseStatus

from . import conf, rules

logger = logging.getLogger(__name__)


@dataclass
class ReminderResult:
    periods: list[str] = field(default_factory=list)
    sent: int = 0


def reminder_recipients():
    """Who files or aggregates the tables: active users of operating enterprises, and of
    townships."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.ENTERPRISE, enterprise__status=EnterpriseStatus.ACTIVE)
            | Q(role=Role.TOWNSHIP, region__isnull=False)
        )
        .order_by("pk")
    )


def dedupe_key(period: rules.Period) -> str:
    return f"statistics-due:{period.key}"


def send_statistics_reminders(*, today: dt.date | None = None, days: int | None = None) -> ReminderResult:
    """Remind enterprises and townships of a statistics table falling due.

    Precondition: none (a system job). Effects: for each ended period (last quarter; last
    year in January) whose due date (Order 16 Art. 14 via settings) lies within `days`
    (STATISTICS_REMINDER_DAYS) from `today`, one inbox message per recipient who has not yet
    had it for that period, mailed on commit. Errors: none; nothing is due → nothing sent."""
    today = today or timezone.localdate()
    days = conf.get("STATISTICS_REMINDER_DAYS") if days is None else days
    due_list = rules.periods_due_within(
        today,
        days,
        quarterly_day=conf.get("STATISTICS_QUARTERLY_DUE_DAY"),
        annual_month_day=tuple(conf.get("STATISTICS_ANNUAL_DUE")),
    )
    result = ReminderResult()
    for period, due in due_list:
        title = f"请于{due:%Y年%m月%d日}前报送{period.label}隐患排查治理情况统计表"
        body = (
            f"根据《安全生产事故隐患排查治理暂行规定》第十四条，{period.label}隐患排查治理情况统计表"
            f"应于{due:%Y年%m月%d日}前经主要负责人签字后报送。可在“法定统计”页面生成并导出。"
        )
        with transaction.atomic():
            created = notify(
                reminder_recipients(),
                hazard=None,
                kind=NotificationKind.REMINDER,
                title=title,
                body=body,
                dedupe_key=dedupe_key(period),
            )
        result.periods.append(period.key)
        result.sent += len(created)
    logger.info("statistics reminders on %s: %s", today, result)
    return result
