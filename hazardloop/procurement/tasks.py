"""Background tasks of procurement. Thin: ids in, a service call, a logged run.

A worker (`hazardloop db_worker`) runs long solves; the plan page runs small ones itself."""

from __future__ import annotations

import logging

from django_tasks import task

from . import services
from .models import PlanningJob

logger = logging.getLogger(__name__)


@task()
def run_planning(job_id: int) -> str:
    """Run one pending planning job; returns the status it ended in."""
    job = services.run_planning_job(PlanningJob.objects.get(pk=job_id))
    logger.info("planning job %s (%s, %s) ended %s", job.pk, job.contract_id, job.kind, job.status)
    return job.status
