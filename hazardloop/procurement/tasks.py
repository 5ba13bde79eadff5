"""Background tasks of procurement. Thin: ids in, a service call, a logged run.

A worker (`hazardloop db_worker`) runs long solves; the plan page runs small ones itself.

The task holds its job's lease while it runs, and the job kind registered below tells
`recover_tasks` (hazardloop/core/tasks_recovery.py) what to do with a planning job whose worker
died. A solve stores its plan in one transaction together with the plan's audit event, so the
audit log says whether the dead run got that far: if it did, the job is finished as done with
that plan (solving again would store a second plan); if not, nothing was stored and the job goes
back to pending for the re-queued task, or is failed with a message once the worker has been
lost twice. Either way the contract is no longer held by a job "求解中" for ever."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.core import tasks_recovery

from . import services
from .models import InspectionPlan, PlanningJob, PlanningJobStatus

logger = logging.getLogger(__name__)

LEASE = "procurement.planning"
OPEN = (PlanningJobStatus.PENDING, PlanningJobStatus.RUNNING)


@task()
def run_planning(job_id: int) -> str:
    """Run one pending planning job; returns the status it ended in."""
    with tasks_recovery.job_lease(LEASE, job_id, wait=tasks_recovery.LEASE_WAIT_SECONDS) as held:
        if not held:
            # The same job delivered twice while its first worker is alive: that one finishes it.
            logger.warning("planning job %s is being run by another live worker; left to it", job_id)
            return PlanningJob.objects.values_list("status", flat=True).get(pk=job_id)
        job = services.run_planning_job(PlanningJob.objects.get(pk=job_id))
    logger.info("planning job %s (%s, %s) ended %s", job.pk, job.contract_id, job.kind, job.status)
    return job.status


# --- recovery of jobs whose worker died (called by tasks_recovery under the job's lease) ---------


def _committed_plan(job: PlanningJob) -> int | None:
    """The plan the job's run stored (a solve) or re-planned (a re-plan) since the job was
    created, read from the audit events written in the same transaction; None if none."""
    if job.kind == "replan":
        plans = [job.params.get("plan")]
        event = EventType.RECORD_UPDATED
    else:
        plans = list(
            InspectionPlan.objects.filter(contract_id=job.contract_id, year=job.year).values_list(
                "pk", flat=True
            )
        )
        event = EventType.RECORD_CREATED
    found = (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(InspectionPlan),
            target_id__in=[str(pk) for pk in plans if pk is not None],
            event_type=event,
            timestamp__gte=job.created_at,
        )
        .order_by("-seq")
        .values_list("target_id", flat=True)
        .first()
    )
    return int(found) if found else None


def _settle(job: PlanningJob) -> str:
    plan = _committed_plan(job)
    if plan is None:
        return ""
    moved = PlanningJob.objects.filter(pk=job.pk, status__in=OPEN).update(
        status=PlanningJobStatus.DONE, plan_id=plan, finished_at=timezone.now()
    )
    return "settled" if moved else ""


def _reclaim(job_id: int) -> str:
    job = PlanningJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in OPEN:
        return ""
    if job.status == PlanningJobStatus.PENDING:
        return "pending"
    if settled := _settle(job):
        return settled
    moved = PlanningJob.objects.filter(pk=job_id, status=PlanningJobStatus.RUNNING).update(
        status=PlanningJobStatus.PENDING
    )
    return "requeued" if moved else ""


def _abandon(job_id: int) -> str:
    job = PlanningJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in OPEN:
        return ""
    if settled := _settle(job):
        return settled
    moved = PlanningJob.objects.filter(pk=job_id, status__in=OPEN).update(
        status=PlanningJobStatus.FAILED,
        finished_at=timezone.now(),
        message=_(
            "计划编制中断：执行求解的后台进程两次在处理中意外退出，已停止重试，未保存新的计划。"
            "请稍后重新编制；如再次中断，请改用贪心基线或联系管理员。"
        ),
    )
    return "failed" if moved else ""


def _orphans(cutoff: dt.datetime) -> list[int]:
    # A planning job keeps no start time of its own; a job older than the limit that no task
    # is queued or running for (recovery checks that) was left by a dead process.
    return list(
        PlanningJob.objects.filter(status__in=OPEN, created_at__lt=cutoff).values_list("pk", flat=True)
    )


tasks_recovery.register_job_task(
    tasks_recovery.JobKind(
        lease=LEASE,
        task_path=run_planning.module_path,
        reclaim=_reclaim,
        abandon=_abandon,
        orphans=_orphans,
        enqueue=run_planning.enqueue,
    )
)
