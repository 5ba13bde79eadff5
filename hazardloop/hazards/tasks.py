"""Background tasks of the closed loop: thin wrappers that take plain values and call a service.

A scheduler (cron, or a systemd timer) runs `hazardloop scan_deadlines --enqueue` once a day;
a worker (`hazardloop db_worker`) picks the task up."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django_tasks import task

from . import services

logger = logging.getLogger(__name__)


@task()
def scan_deadlines(today: str | None = None) -> dict:
    """Flag overdue hazards, escalate overdue major ones and send reminders; `today` (ISO date)
    is for re-running a missed day."""
    result = services.scan_deadlines(today=dt.date.fromisoformat(today) if today else None)
    logger.info("scan_deadlines(%s): %s", today or "today", result)
    return dataclasses.asdict(result)
