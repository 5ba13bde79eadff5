from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hazardloop.audit.services import (
    AuditRetentionError,
    purge_events,
    retention_days_setting,
    retention_error,
)


class Command(BaseCommand):
    help = "清理超过保留期的审计日志（至少保留180天），并记录锚点使哈希链仍可校验。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="清理早于多少天的记录；默认取 AUDIT_RETENTION_DAYS，不得少于180。",
        )

    def handle(self, *args, **options):
        days = options["older_than_days"]
        if days is None:
            days = retention_days_setting()
        problem = retention_error(days)
        if problem:
            raise CommandError(problem)
        try:
            result = purge_events(older_than_days=days)
        except AuditRetentionError as exc:
            raise CommandError(str(exc)) from exc
        if result.anchor is None:
            self.stdout.write(_("没有早于%(days)d天的审计日志，未做清理。") % {"days": days})
            return
        self.stdout.write(
            _("已清理 %(count)d 条早于%(days)d天的审计日志（至序号 %(seq)d），锚点已记录。")
            % {"count": result.deleted, "days": days, "seq": result.anchor.seq}
        )
