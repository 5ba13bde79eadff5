"""Background task: the statistics reminders, a thin wrapper around the service.

A scheduler runs `hazardloop statistics_reminders --enqueue` once a day; a worker
(`hazardloop db_worker`) picks the task up."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django_tasks import task

from . import services

logger = logging.getLogger(__name__)


@task()
def statistics_reminders(today: str | None = None) -> dict:
    """Remind enterprises and townships of statistics tables falling due; `today` (ISO date)
    is for re-running a missed day."""
    result = services.send_statistics_reminders(today=dt.date.fromisoformat(today) if today else None)
    logger.info("statistics_reminders(%s): %s", today or "today", result)
    return dataclasses.asdict(result)
