"""A task left RUNNING by a worker that died is re-queued once and then run to completion by a
worker; a task still running on a live worker is left alone; one that loses its worker again
is failed rather than retried for ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hazardloop.core.tasks_recovery import recover_stale_tasks

# The worker closes its database connection between tasks, as a long-running process should;
# inside a test transaction that would end the test's own connection on PostgreSQL. The rows the
# migrations put in (industries, checklists) are restored after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RUNS: list[int] = []


@task()
def remember(value: int) -> int:
    """A task whose every run is visible to the test."""
    RUNS.append(value)
    return value * 2


@pytest.fixture(autouse=True)
def _clear_runs():
    RUNS.clear()


def _running(value: int, *, started_minutes_ago: int, workers=("worker-dead",)) -> DBTaskResult:
    """A result as a worker leaves it after `claim`, started some minutes ago."""
    result = DBTaskResult.objects.get(pk=remember.enqueue(value).id)
    result.status = TaskResultStatus.RUNNING
    result.started_at = timezone.now() - dt.timedelta(minutes=started_minutes_ago)
    result.worker_ids = list(workers)
    result.save(update_fields=["status", "started_at", "worker_ids"])
    return result


def _work():
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--worker-id", "worker-new")


def test_a_stale_task_is_requeued_once_and_a_worker_then_runs_it(caplog):
    stale = _running(1, started_minutes_ago=90)
    fresh = _running(2, started_minutes_ago=5, workers=("worker-alive",))

    with caplog.at_level("WARNING", logger="hazardloop.core.tasks_recovery"):
        outcome = recover_stale_tasks(dt.timedelta(minutes=30))
    assert outcome.requeued == [str(stale.pk)] and outcome.failed == []
    assert str(stale.pk) in caplog.text and "worker-dead" in caplog.text
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, stale.started_at) == (TaskResultStatus.READY, None)
    assert fresh.status == TaskResultStatus.RUNNING  # its worker may well be alive

    # Exactly once: a second recovery finds nothing more to do.
    assert recover_stale_tasks(dt.timedelta(minutes=30)).requeued == []

    _work()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == TaskResultStatus.SUCCESSFUL
    assert stale.return_value == 2
    assert stale.worker_ids == ["worker-dead", "worker-new"]
    assert RUNS == [1]  # the fresh one was not picked up again
    assert fresh.status == TaskResultStatus.RUNNING


def test_a_task_that_loses_its_worker_again_is_failed_not_retried(caplog):
    twice = _running(3, started_minutes_ago=90, workers=("worker-a", "worker-b"))
    outcome = recover_stale_tasks(dt.timedelta(minutes=30))
    assert outcome.failed == [str(twice.pk)] and outcome.requeued == []
    twice.refresh_from_db()
    assert twice.status == TaskResultStatus.FAILED
    assert twice.exception_class_path == "hazardloop.core.tasks_recovery.WorkerLost"
    assert twice.finished_at is not None
    _work()
    assert RUNS == []


def test_the_command_uses_the_setting(settings, capsys):
    settings.TASKS_STALE_AFTER_MINUTES = 60
    younger = _running(4, started_minutes_ago=45)
    older = _running(5, started_minutes_ago=75)
    call_command("recover_tasks")
    assert "已重新排队 1 个任务" in capsys.readouterr().out
    younger.refresh_from_db()
    older.refresh_from_db()
    assert (younger.status, older.status) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)
    call_command("recover_tasks", "--minutes", "30")
    younger.refresh_from_db()
    assert younger.status == TaskResultStatus.READY
