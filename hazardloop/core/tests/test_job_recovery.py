"""Import and planning jobs whose worker died mid-run are reclaimed exactly once — put back for a
re-run that then applies them once, settled when the dead run had already committed, or failed
with a message after a second loss — and a job whose worker is alive is never taken away.

On PostgreSQL the worker's lease is a real advisory lock: a child process takes it and is killed
with SIGKILL, as the kernel's OOM killer would, and the database server drops the lease by
itself. On SQLite (no lease) the time limit decides."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hazardloop.core import tasks_recovery
from hazardloop.core.tasks_recovery import recover_stale_tasks
from hazardloop.procurement import services as procurement
from hazardloop.procurement import tasks as procurement_tasks
from hazardloop.procurement.models import InspectionPlan, PlanningJob, PlanningJobStatus
from hazardloop.procurement.tests.conftest import qualified_provider
from hazardloop.registry import services as registry
from hazardloop.registry import tasks as registry_tasks
from hazardloop.registry.choices import ImportKind, ImportStatus
from hazardloop.registry.models import Enterprise, ImportJob
from hazardloop.registry.testing import next_credit_code
from hazardloop.registry.tests.xlsx_files import ENTERPRISE_HEADERS, enterprise_row, upload, xlsx

# The worker closes its database connection between tasks; inside a test transaction that would
# end the test's own connection on PostgreSQL (see test_tasks_recovery.py).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIMIT = dt.timedelta(minutes=30)
on_postgresql = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":", 1)[0] not in ("postgres", "postgresql"),
    reason="the lease is a PostgreSQL advisory lock",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _dsn() -> str:
    from psycopg.conninfo import make_conninfo

    s = connection.settings_dict
    return make_conninfo(
        dbname=s["NAME"],
        user=s["USER"],
        host=s["HOST"],
        port=s["PORT"] or None,
        password=s["PASSWORD"] or None,
    )


def _lease_holders(lease: str, job_id: int) -> int:
    kind, objid = tasks_recovery._lease_key(lease, job_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = %s AND objid = %s",
            [kind, objid],
        )
        return cursor.fetchone()[0]


HOLDER = (
    "import sys, time, psycopg\n"
    "c = psycopg.connect(sys.argv[1], autocommit=True)\n"
    "c.execute('SELECT pg_advisory_lock(%s, %s)', (int(sys.argv[2]), int(sys.argv[3])))\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


class Worker:
    """A process holding a job's lease as the task wrapper does, which can be killed outright.
    Without lease support (SQLite) it holds nothing."""

    def __init__(self, lease: str, job_id: int):
        self.lease, self.job_id, self.process = lease, job_id, None
        if connection.vendor != "postgresql":
            return
        kind, objid = tasks_recovery._lease_key(lease, job_id)
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, _dsn(), str(kind), str(objid)], stdout=subprocess.PIPE
        )
        assert self.process.stdout.readline().strip() == b"held"
        assert _lease_holders(lease, job_id) == 1

    def kill(self) -> None:
        if self.process is None:
            return
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()
        # The server ends the dead session when it reads the closed socket: a moment, not a timeout.
        deadline = time.monotonic() + 20
        while _lease_holders(self.lease, self.job_id) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _lease_holders(self.lease, self.job_id) == 0


def _claimed(task_result_id, *, minutes_ago: float, workers=("worker-dead",)) -> DBTaskResult:
    """The task row as a worker leaves it after `claim`."""
    result = DBTaskResult.objects.get(pk=task_result_id)
    result.status = TaskResultStatus.RUNNING
    result.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    result.worker_ids = list(workers)
    result.save(update_fields=["status", "started_at", "worker_ids"])
    return result


def _work():
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--worker-id", "worker-new")


# --- imports -----------------------------------------------------------------------------------


def _import_mid_run(
    personas, *, rows=3, status=ImportStatus.VALIDATING, minutes_ago=90.0, workers=("worker-dead",)
):
    """An enterprise import queued for a worker, which claimed the task and the job and got as far
    as `status` (nothing committed: the import writes in one transaction at its end)."""
    content = xlsx(
        [enterprise_row(f"中断企业{i}", next_credit_code()) for i in range(rows)], ENTERPRISE_HEADERS
    )
    job = registry.start_import(ImportKind.ENTERPRISES, upload(content), actor=personas.bureau)
    result = _claimed(registry_tasks.run_import.enqueue(job.pk).id, minutes_ago=minutes_ago, workers=workers)
    ImportJob.objects.filter(pk=job.pk).update(status=status, started_at=result.started_at, total_rows=rows)
    return job, result


def test_an_import_whose_worker_was_killed_is_reclaimed_once_and_then_applied_once(personas):
    job, result = _import_mid_run(personas)
    worker = Worker(registry_tasks.LEASE, job.pk)
    if worker.process is not None:
        # Alive, 90 minutes in, past the time limit: its lease says it is still working.
        assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()
    worker.kill()

    outcome = recover_stale_tasks(LIMIT)
    assert outcome.requeued == [str(result.pk)]
    assert outcome.jobs_requeued == [f"registry.import#{job.pk}"]
    job.refresh_from_db()
    assert (job.status, job.started_at) == (ImportStatus.PENDING, None)
    # Exactly once: a second recovery, before and after the worker runs it, finds nothing.
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()

    _work()
    job.refresh_from_db()
    result.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 3)
    assert Enterprise.objects.filter(name__startswith="中断企业").count() == 3
    assert (result.status, result.worker_ids) == (TaskResultStatus.SUCCESSFUL, ["worker-dead", "worker-new"])
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()


def test_a_running_import_within_the_limit_is_left_alone(personas):
    job, result = _import_mid_run(personas, status=ImportStatus.WRITING, minutes_ago=5)
    worker = Worker(registry_tasks.LEASE, job.pk)  # alive (on PostgreSQL it holds the lease)
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()
    job.refresh_from_db()
    result.refresh_from_db()
    assert (job.status, result.status) == (ImportStatus.WRITING, TaskResultStatus.RUNNING)
    worker.kill()


@on_postgresql
def test_a_live_import_running_for_hours_is_not_stolen(personas):
    job, result = _import_mid_run(personas, status=ImportStatus.WRITING, minutes_ago=300)
    worker = Worker(registry_tasks.LEASE, job.pk)
    for _ in range(2):
        assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()
        assert recover_stale_tasks(dt.timedelta(0)) == tasks_recovery.Recovery()
    # A second delivery of the same task waits for the lease, then leaves the job to its worker.
    assert registry_tasks.run_import.call(job.pk) == ImportStatus.WRITING
    job.refresh_from_db()
    result.refresh_from_db()
    assert (job.status, result.status) == (ImportStatus.WRITING, TaskResultStatus.RUNNING)
    assert not Enterprise.objects.filter(name__startswith="中断企业").exists()
    worker.kill()
    assert recover_stale_tasks(LIMIT).jobs_requeued == [f"registry.import#{job.pk}"]


def test_an_import_that_loses_its_worker_twice_is_failed_with_a_message(personas):
    job, result = _import_mid_run(personas, status=ImportStatus.WRITING, workers=("worker-a", "worker-b"))
    outcome = recover_stale_tasks(LIMIT)
    assert (outcome.failed, outcome.jobs_failed) == ([str(result.pk)], [f"registry.import#{job.pk}"])
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert job.message.startswith("导入中断") and "重新上传" in job.message
    assert [e["message"] for e in job.errors] == [job.message]
    _work()
    assert not Enterprise.objects.filter(name__startswith="中断企业").exists()
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()


def test_an_import_left_running_with_no_task_is_queued_again(personas):
    # The page ran a small file itself and its server process died mid-run: no task row at all.
    content = xlsx([enterprise_row("页面中断企业", next_credit_code())], ENTERPRISE_HEADERS)
    job = registry.start_import(ImportKind.ENTERPRISES, upload(content), actor=personas.bureau)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING, started_at=long_ago)
    fresh = registry.start_import(
        ImportKind.ENTERPRISES, upload(content), actor=personas.bureau
    )  # just uploaded

    outcome = recover_stale_tasks(LIMIT)
    assert outcome.jobs_requeued == [f"registry.import#{job.pk}"] and outcome.requeued == []
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["args"], queued.status) == (
        registry_tasks.run_import.module_path,
        [job.pk],
        TaskResultStatus.READY,
    )
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()  # its task is queued now
    _work()
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 1)
    assert fresh.status == ImportStatus.PENDING  # young: the page may still be running it
    assert DBTaskResult.objects.count() == 1


# --- planning ----------------------------------------------------------------------------------


@pytest.fixture
def contract(district):
    provider = qualified_provider(
        "安阳恢复测试安全服务有限公司", engineers=5, specialties=["hazchem", "textiles", "general"]
    )
    return procurement.record_service_contract(
        actor=None,
        number="LA2026-R-01",
        title="马投涧镇隐患排查服务",
        township=district.town_b,
        provider=provider,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        price=30000,
        enterprises=[district.chem, district.textile],
    )


def _planning_mid_run(contract, personas, *, workers=("worker-dead",)):
    job = procurement.start_planning_job(contract, 2026, actor=personas.bureau, params={"method": "greedy"})
    result = _claimed(procurement_tasks.run_planning.enqueue(job.pk).id, minutes_ago=90, workers=workers)
    PlanningJob.objects.filter(pk=job.pk).update(status=PlanningJobStatus.RUNNING)
    return job, result


def test_a_planning_job_whose_worker_died_is_solved_once_by_the_next_worker(contract, personas):
    job, result = _planning_mid_run(contract, personas)
    Worker(procurement_tasks.LEASE, job.pk).kill()
    outcome = recover_stale_tasks(LIMIT)
    assert (outcome.requeued, outcome.jobs_requeued) == ([str(result.pk)], [f"procurement.planning#{job.pk}"])
    job.refresh_from_db()
    assert job.status == PlanningJobStatus.PENDING
    assert recover_stale_tasks(LIMIT) == tasks_recovery.Recovery()
    _work()
    job.refresh_from_db()
    assert job.status == PlanningJobStatus.DONE
    assert list(InspectionPlan.objects.filter(contract=contract).values_list("pk", flat=True)) == [
        job.plan_id
    ]


def test_a_planning_job_killed_after_storing_its_plan_is_settled_not_solved_again(contract, personas):
    job, result = _planning_mid_run(contract, personas)
    # The dead run got as far as storing its plan (one transaction with its audit event).
    stored = procurement.solve_contract_plan(contract, 2026, actor=personas.bureau, method="greedy")
    outcome = recover_stale_tasks(LIMIT)
    assert outcome.jobs_settled == [f"procurement.planning#{job.pk}"] and outcome.jobs_requeued == []
    job.refresh_from_db()
    assert (job.status, job.plan_id) == (PlanningJobStatus.DONE, stored.pk)
    _work()  # the re-queued task finds its job done
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == PlanningJobStatus.DONE
    assert InspectionPlan.objects.filter(contract=contract).count() == 1


def test_a_planning_job_lost_twice_is_failed_and_frees_the_contract(contract, personas, capsys):
    job, result = _planning_mid_run(contract, personas, workers=("worker-a", "worker-b"))
    call_command("recover_tasks")
    out = capsys.readouterr().out
    assert "放弃 1 个多次失联的任务" in out and f"procurement.planning#{job.pk}" in out
    job.refresh_from_db()
    assert job.status == PlanningJobStatus.FAILED and job.message.startswith("计划编制中断")
    assert not InspectionPlan.objects.filter(contract=contract).exists()
    # The contract is no longer held by a job "求解中": planning can start again.
    again = procurement.start_planning_job(contract, 2026, actor=personas.bureau, params={"method": "greedy"})
    assert procurement.run_planning_job(again).status == PlanningJobStatus.DONE
