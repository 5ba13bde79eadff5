"""Background tasks of the registry. Thin: ids in, a service call, a logged run.

Run a worker with `hazardloop db_worker` (django-tasks-db's command); without one, the import
page runs small files itself and large ones wait in the queue.

The task holds its job's lease while it runs, and the job kind registered below tells
`recover_tasks` (hazardloop/core/tasks_recovery.py) what to do with an import whose worker died:
put it back to pending for the re-queued task, or fail it with a message once the worker has
been lost twice. Re-running an interrupted import is safe: it validates the whole file first and
writes in one transaction, so a run killed mid-way left nothing behind, and rows are matched on
their keys (统一社会信用代码, 身份证号), so even a run killed just after its commit is not applied twice
— the re-run finds those rows unchanged."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from hazardloop.core import tasks_recovery

from . import imports, services
from .choices import ImportStatus
from .models import ImportJob

logger = logging.getLogger(__name__)

LEASE = "registry.import"
IN_PROGRESS = (ImportStatus.VALIDATING, ImportStatus.WRITING)


@task()
def run_import(job_id: int) -> str:
    """Run one pending import job; returns the status it ended in."""
    with tasks_recovery.job_lease(LEASE, job_id, wait=tasks_recovery.LEASE_WAIT_SECONDS) as held:
        if not held:
            # The same job delivered twice while its first worker is alive: that one finishes it.
            logger.warning("import job %s is being run by another live worker; left to it", job_id)
            return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
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


# --- recovery of imports whose worker died (called by tasks_recovery under the job's lease) -------


def _reclaim(job_id: int) -> str:
    status = ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
    if status == ImportStatus.PENDING:
        return "pending"
    if status not in IN_PROGRESS:
        return ""
    moved = ImportJob.objects.filter(pk=job_id, status=status).update(
        status=ImportStatus.PENDING, started_at=None, processed_rows=0, total_rows=0
    )
    return "requeued" if moved else ""


def _abandon(job_id: int) -> str:
    message = _(
        "导入中断：执行导入的后台进程两次在处理中意外退出，已停止重试。导入在一个事务内写入，"
        "不会留下写了一半的数据；请核对名录后重新上传（重复导入同一文件不会重复写入）。"
    )
    moved = ImportJob.objects.filter(pk=job_id, status__in=ImportStatus.running()).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        message=message,
        errors=[imports.Problem(None, "", "", message).as_dict()],
        error_count=1,
    )
    return "failed" if moved else ""


def _orphans(cutoff: dt.datetime) -> list[int]:
    return list(
        ImportJob.objects.filter(
            Q(status=ImportStatus.PENDING, created_at__lt=cutoff)
            | Q(status__in=IN_PROGRESS, started_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )


tasks_recovery.register_job_task(
    tasks_recovery.JobKind(
        lease=LEASE,
        task_path=run_import.module_path,
        reclaim=_reclaim,
        abandon=_abandon,
        orphans=_orphans,
        enqueue=run_import.enqueue,
    )
)
