"""Background tasks of the registry. Thin: ids in, a service call, a logged run.

Run a worker with `hazardloop db_worker` (django-tasks-db's command); without one, the import
page runs small files itself and large ones wait in the queue."""

from __future__ import annotations

import logging

from django_tasks import task

from . import services
from .models import ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import(job_id: int) -> str:
    """Run one pending import job; returns the status it ended in."""
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    job = services.run_import_job(job)
    logger.info(
        "import job %s (%s) ended %s: %s created, %s updated, %s problems",
        job.pk,
        job.kind,
        job.status,
        job.created_count,
        job.updated_count,
        job.error_count,
    )
    return job.status
