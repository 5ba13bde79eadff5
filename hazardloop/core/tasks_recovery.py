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

Job tasks (an import, a plan solve: a task that runs one row of a job table to its end) say more
than a timestamp can. Their task holds a *lease* on its job while it runs: on PostgreSQL a
session advisory lock, which the database server drops by itself the moment the worker's
connection dies, so a dead worker is told from a slow one at once and a live job is never taken
away, however long it runs. On other databases (SQLite: one machine, the development set-up)
there is no lease and the time limit above decides. For a job task whose worker is gone,
recovery also puts the job row right, in the same transaction as the task row:

- re-queued task: the job goes back to pending and the re-run does it again from the start
  (a job whose work the dead run had already committed is *settled* instead: finished as done,
  so nothing is applied twice — the kind says how to see that);
- failed task (worker lost twice): the job is marked failed with a Chinese message the user sees;
- a job left running or pending with no task at all (the page ran it itself and its server
  process died, or the process died between saving the job and queueing it) is queued again
  once it is older than the time limit and nobody holds its lease.

Run it from cron (`hazardloop recover_tasks`) and before starting workers."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.compat import TaskResultStatus  # whichever django-tasks names it
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

DEFAULT_STALE_AFTER_MINUTES = 30
# A task re-queued once and found stale again is failed instead of retried a second time.
MAX_CLAIMS = 2
# A worker claims its task row, then takes the job's lease a moment later; a RUNNING job task
# younger than this is left alone even when its lease is free.
LEASE_GRACE = dt.timedelta(seconds=60)
# How long a starting job task waits for a lease that recovery holds for a few milliseconds
# while it re-queues the job, before concluding a live worker has it.
LEASE_WAIT_SECONDS = 10.0


class WorkerLost(Exception):
    """The worker running the task stopped without recording an outcome, twice."""


@dataclasses.dataclass
class Recovery:
    requeued: list[str] = dataclasses.field(default_factory=list)  # result ids put back to READY
    failed: list[str] = dataclasses.field(default_factory=list)  # result ids given up on
    # Jobs ("registry.import#12"), by what became of them.
    jobs_requeued: list[str] = dataclasses.field(default_factory=list)
    jobs_settled: list[str] = dataclasses.field(default_factory=list)
    jobs_failed: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class JobKind:
    """How recovery treats the job rows one task runs. Registered by the app's tasks.py with
    `register_job_task`; every callable takes a job id and runs inside recovery's transaction
    while recovery holds the job's lease.

    - `reclaim(job_id)`: the job's worker is gone and its task goes back to the queue. Put a
      running job back to pending (conditionally on its status) and answer "requeued"; if the
      dead run had committed its work, finish the job as done instead and answer "settled";
      answer "pending" for a job still pending, "" for one that has ended (nothing to do).
    - `abandon(job_id)`: the task is given up on; mark a running or pending job failed with a
      Chinese message and answer "failed" (or "settled" as above, or "" when it has ended).
    - `orphans(cutoff)`: ids of jobs pending or running since before `cutoff` — recovery
      re-queues those that no task is queued or running for.
    - `enqueue(job_id)`: queue the task for the job again."""

    lease: str
    task_path: str
    reclaim: Callable[[int], str]
    abandon: Callable[[int], str]
    orphans: Callable[[dt.datetime], Iterable[int]]
    enqueue: Callable[[int], object]


_JOB_KINDS: dict[str, JobKind] = {}


def register_job_task(kind: JobKind) -> None:
    _JOB_KINDS[kind.task_path] = kind


def stale_after() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "TASKS_STALE_AFTER_MINUTES", DEFAULT_STALE_AFTER_MINUTES))


# --- leases ------------------------------------------------------------------------------------


def leases_supported(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def _lease_key(lease: str, job_id: int) -> tuple[int, int]:
    # pg_advisory_lock(int4, int4): the kind's name hashed into the first key, the job id the second.
    kind = zlib.crc32(lease.encode()) & 0x7FFFFFFF
    return kind, int(job_id)


def _try_lock(lease: str, job_id: int, using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _lease_key(lease, job_id))
        return bool(cursor.fetchone()[0])


def _unlock(lease: str, job_id: int, using: str) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _lease_key(lease, job_id))


@contextlib.contextmanager
def job_lease(lease: str, job_id: int, *, wait: float = 0.0, using: str = "default") -> Iterator[bool]:
    """Hold the lease on job `job_id` of kind `lease` for the block; yields whether this process
    got it (False: another live process holds it). Without lease support it yields True and
    holds nothing.

    The lease is a session advisory lock on the process's own database connection: it outlives
    transactions and ends with the connection, so a process that dies drops it. TCP keepalives
    are set on the session so that the server also notices a worker host that vanished (power
    loss, network) within about a minute and a half instead of the system's two hours."""
    if not leases_supported(using):
        yield True
        return
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SET tcp_keepalives_idle = 60; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3"
        )
    deadline = time.monotonic() + wait
    held = _try_lock(lease, job_id, using)
    while not held and time.monotonic() < deadline:
        time.sleep(0.2)
        held = _try_lock(lease, job_id, using)
    try:
        yield held
    finally:
        if held:
            _unlock(lease, job_id, using)


def _job_id(result: DBTaskResult) -> int | None:
    args = (result.args_kwargs or {}).get("args") or []
    try:
        return int(args[0])
    except (IndexError, TypeError, ValueError):
        return None


def _label(kind: JobKind, job_id: int) -> str:
    return f"{kind.lease}#{job_id}"


# --- recovery ----------------------------------------------------------------------------------


def recover_stale_tasks(
    older_than: dt.timedelta | None = None, *, now: dt.datetime | None = None
) -> Recovery:
    """Re-queue task results whose worker is gone, and put their job rows right.

    Precondition: none; safe to run at any time and from several hosts at once. Effects: a
    RUNNING result is taken as lost when its job lease is free and it started more than
    LEASE_GRACE ago (job tasks on PostgreSQL), or when it started before `now - older_than`
    (default: the setting; every other task, and every task elsewhere). Each lost result claimed
    fewer than MAX_CLAIMS times goes back to READY (started_at cleared, the dead worker's id kept
    in worker_ids) and its job is reclaimed (pending again, or settled as done); one claimed
    MAX_CLAIMS times or more becomes FAILED with WorkerLost and its job failed with a message.
    Then jobs pending or running with no task and no lease, older than the limit, are queued
    again. Each change is logged. Errors: none."""
    autodiscover_modules("tasks")  # the apps' tasks modules register their job kinds
    now = now or timezone.now()
    cutoff = now - (older_than if older_than is not None else stale_after())
    leases = leases_supported()
    outcome = Recovery()
    grace = now - LEASE_GRACE
    earliest = max(cutoff, grace) if leases else cutoff
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=earliest).order_by(
        "started_at"
    )
    for result in stale.only("id", "task_path", "started_at", "worker_ids", "args_kwargs"):
        kind = _JOB_KINDS.get(result.task_path)
        job_id = _job_id(result) if kind else None
        if kind is None or job_id is None:
            if result.started_at < cutoff:
                _recover_result(result, None, None, outcome)
            continue
        if result.started_at >= (grace if leases else cutoff):
            continue
        with job_lease(kind.lease, job_id) as free:
            if free:  # held: a live worker is running the job, however long it takes
                _recover_result(result, kind, job_id, outcome)
    for kind in list(_JOB_KINDS.values()):
        _recover_orphans(kind, cutoff, outcome)
    return outcome


def _recover_result(
    result: DBTaskResult, kind: JobKind | None, job_id: int | None, outcome: Recovery
) -> None:
    # Only the row exactly as read moves: if its worker finished it, or another recovery
    # re-queued it and a worker claimed it again, started_at or status differ and nothing happens.
    same = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )
    claims = len(result.worker_ids or [])
    with transaction.atomic():
        if claims >= MAX_CLAIMS:
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"WorkerLost: worker(s) {', '.join(map(str, result.worker_ids))} stopped "
                f"without finishing the task; not retried again.\n",
            )
            if not changed:
                return
            outcome.failed.append(str(result.pk))
            logger.error(
                "task %s (%s) lost its worker %s times (workers %s); marked failed",
                result.pk,
                result.task_path,
                claims,
                result.worker_ids,
            )
            done = kind.abandon(job_id) if kind is not None else ""
            if done == "failed":
                outcome.jobs_failed.append(_label(kind, job_id))
                logger.error("job %s marked failed: its worker was lost twice", _label(kind, job_id))
            elif done == "settled":
                outcome.jobs_settled.append(_label(kind, job_id))
                logger.warning(
                    "job %s had committed its work before its worker died; marked done", _label(kind, job_id)
                )
            return
        changed = same.update(status=TaskResultStatus.READY, started_at=None)
        if not changed:
            return
        outcome.requeued.append(str(result.pk))
        logger.warning(
            "task %s (%s) was running on worker %s since %s; its worker is gone, re-queued",
            result.pk,
            result.task_path,
            (result.worker_ids or ["?"])[-1],
            result.started_at.isoformat(),
        )
        if kind is None:
            return
        done = kind.reclaim(job_id)
        if done == "requeued":
            outcome.jobs_requeued.append(_label(kind, job_id))
            logger.warning("job %s put back to pending for the re-queued task", _label(kind, job_id))
        elif done == "settled":
            outcome.jobs_settled.append(_label(kind, job_id))
            logger.warning(
                "job %s had committed its work before its worker died; marked done", _label(kind, job_id)
            )


def _recover_orphans(kind: JobKind, cutoff: dt.datetime, outcome: Recovery) -> None:
    candidates = list(kind.orphans(cutoff))
    if not candidates:
        return
    # A job with a task still queued or running is the task's business (above).
    live = {
        _job_id(result)
        for result in DBTaskResult.objects.filter(
            task_path=kind.task_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).only("args_kwargs")
    }
    for job_id in candidates:
        if job_id in live:
            continue
        with job_lease(kind.lease, job_id) as free:
            if not free:
                continue
            with transaction.atomic():
                done = kind.reclaim(job_id)
                if done == "settled":
                    outcome.jobs_settled.append(_label(kind, job_id))
                    logger.warning(
                        "job %s (no task) had committed its work; marked done", _label(kind, job_id)
                    )
                    continue
                if done not in ("requeued", "pending"):
                    continue  # it ended meanwhile
                # Pending already, or just put back to pending: queue it after commit, so a
                # worker never picks up a job whose row it cannot yet see.
                transaction.on_commit(lambda job_id=job_id: kind.enqueue(job_id))
            outcome.jobs_requeued.append(_label(kind, job_id))
            logger.warning("job %s had no task (its process died); queued again", _label(kind, job_id))
