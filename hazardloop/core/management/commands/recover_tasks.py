"""Put background tasks left RUNNING by a worker that died back in the queue, and the import and
planning jobs they were running with them (see hazardloop/core/tasks_recovery.py). Run it from
cron every few minutes and before starting the workers; safe to run from several hosts at once."""

import datetime as dt

from django.core.management.base import BaseCommand

from hazardloop.core.tasks_recovery import recover_stale_tasks, stale_after


class Command(BaseCommand):
    help = (
        "将因任务进程异常退出而停留在“运行中”的后台任务重新排队（超过 TASKS_STALE_AFTER_MINUTES 分钟；"
        "在 PostgreSQL 上，导入与计划编制任务一旦失去其进程即可回收），并恢复其导入、计划编制任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=None,
            help="运行超过多少分钟视为进程已失联；默认取 TASKS_STALE_AFTER_MINUTES。",
        )

    def handle(self, *args, minutes=None, **options):
        older_than = dt.timedelta(minutes=minutes) if minutes is not None else stale_after()
        outcome = recover_stale_tasks(older_than)
        self.stdout.write(
            f"已重新排队 {len(outcome.requeued)} 个任务，放弃 {len(outcome.failed)} 个多次失联的任务"
            f"（阈值 {int(older_than.total_seconds() // 60)} 分钟）。"
        )
        jobs = [
            ("重新排队", outcome.jobs_requeued),
            ("已完成（中断前已写入）", outcome.jobs_settled),
            ("标记为失败", outcome.jobs_failed),
        ]
        if any(ids for _label, ids in jobs):
            self.stdout.write(
                "作业："
                + "；".join(f"{label} {len(ids)} 个（{', '.join(ids)}）" for label, ids in jobs if ids)
                + "。"
            )
