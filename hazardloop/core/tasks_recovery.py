"""Recovery of background tasks whose worker died (进程被强制终止、主机重启).

django-tasks-db marks a task RUNNING when a worker claims it (`DBTaskResult.claim`: status,
`started_at`, the worker id appended to `worker_ids`) and SUCCESSFUL or FAILED when it ends. It
has no heartbeat: a worker killed outright (SIGKILL, OOM, power loss) leaves its task RUNNING
for ever and no worker picks it up again. `recover_stale_tasks` puts such a task back in the
queue:

- a RUNNING result started more than `older_than` ago (setting TASKS_STALE_AFTER_MINUTES) is
  taken to have lost its worker, so the setting must exceed the longest task we run;
- it goes back to READY once: the change is a conditional update on the row as it was read, so
  two recoveries running at the same time cannot both re-queue it;
- a result that went stale again after that (two claims or more in `worker_ids`) is not retried
  for ever, in case it is the task that kills its worker: it is marked FAILED with WorkerLost.

Our task functions are thin and claim their job rows on a status (pending → running) before
doing any work, so a task re-run after a crash never applies a job twice.

Run it from cron (`hazardloop recover_tasks`) and before starting workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus  # whichever django-tasks names it
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

DEFAULT_STALE_AFTER_MINUTES = 30
# A task re-queued once and found stale again is failed instead of retried a second time.
MAX_CLAIMS = 2


class WorkerLost(Exception):
    """The worker running the task stopped without recording an outcome, twice."""


@dataclasses.dataclass
class Recovery:
    requeued: list[str] = dataclasses.field(default_factory=list)  # result ids put back to READY
    failed: list[str] = dataclasses.field(default_factory=list)  # result ids given up on


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "TASKS_STALE_AFTER_MINUTES", DEFAULT_STALE_AFTER_MINUTES))


def recover_stale_tasks(
    older_than: dt.timedelta | None = None, *, now: dt.datetime | None = None
) -> Recovery:
    """Re-queue RUNNING task results started before `now - older_than` (default: the setting).

    Precondition: none; safe to run at any time and from several hosts at once. Effects: each
    stale result claimed fewer than MAX_CLAIMS times goes back to READY (started_at cleared, the
    dead worker's id kept in worker_ids); one claimed MAX_CLAIMS times or more becomes FAILED
    with WorkerLost. Each change is logged. Errors: none."""
    cutoff = (now or timezone.now()) - (older_than if older_than is not None else stale_after())
    outcome = Recovery()
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).order_by(
        "started_at"
    )
    for result in stale.only("id", "task_path", "started_at", "worker_ids"):
        # Only the row exactly as read moves: if its worker finished it, or another recovery
        # re-queued it and a worker claimed it again, started_at or status differ and nothing happens.
        same = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        claims = len(result.worker_ids or [])
        if claims >= MAX_CLAIMS:
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: worker(s) {', '.join(map(str, result.worker_ids))} stopped "
                f"without finishing the task; not retried again.\n",
            )
            if changed:
                outcome.failed.append(str(result.pk))
                logger.error(
                    "task %s (%s) lost its worker %s times (workers %s); marked failed",
                    result.pk,
                    result.task_path,
                    claims,
                    result.worker_ids,
                )
            continue
        changed = same.update(status=TaskResultStatus.READY, started_at=None)
        if changed:
            outcome.requeued.append(str(result.pk))
            logger.warning(
                "task %s (%s) was running on worker %s since %s; its worker is gone, re-queued",
                result.pk,
                result.task_path,
                (result.worker_ids or ["?"])[-1],
                result.started_at.isoformat(),
            )
    return outcome
