from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event, verify_chain
from hazardloop.core.backup import (
    BackupError,
    BackupSet,
    create_backup,
    database_exists,
    restore_backup,
    restore_plan,
)


class Command(BaseCommand):
    help = "用备份覆盖数据库和上传文件。必须加 --yes；不加时只列出将被覆盖的内容。"

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="备份目录（backup 命令输出的路径）。")
        parser.add_argument("--yes", action="store_true", help="确认覆盖现有数据。")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="恢复前不先备份现有数据（默认会先备份到 BACKUP_DIR，名称以 pre-restore 开头）。",
        )

    def handle(self, *args, **options):
        alias = DEFAULT_DB_ALIAS
        db = connections[alias].settings_dict
        media_root = Path(settings.MEDIA_ROOT)
        try:
            backup = BackupSet.load(options["backup"])
            backup.check()
            plan = restore_plan(backup, db, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for line in plan:
            self.stdout.write(line)
        if not options["yes"]:
            raise CommandError(_("未加 --yes，未做任何更改。确认无误后加 --yes 重新运行。"))

        try:
            if not options["no_safety_backup"] and database_exists(db):
                safety = create_backup(
                    db, media_root=media_root, dest_dir=Path(settings.BACKUP_DIR), prefix="pre-restore"
                )
                self.stdout.write(_("已先备份现有数据：%(path)s") % {"path": safety.path})
            # Our own connections hold nothing open across the swap; the application servers and
            # task workers must be stopped by the operator (docs/operations.md).
            connections.close_all()
            restore_backup(backup, db, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        connections.close_all()
        self.stdout.write(_("恢复完成：%(path)s") % {"path": backup.path})
        self._after_restore(alias, backup)

    def _after_restore(self, alias, backup):
        connection = connections[alias]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(
                self.style.WARNING(
                    _("备份的数据库结构较旧：请运行 hazardloop migrate，然后运行 verify_audit。")
                )
            )
            return
        with transaction.atomic(using=alias):
            record_event(
                EventType.BACKUP_RESTORED,
                actor=None,
                data={"path": str(backup.path), "backup_created": backup.manifest["created"]},
            )
        report = verify_chain()
        if report.ok:
            self.stdout.write(_("审计日志链完整（%(n)d 条）。") % {"n": report.result.count})
        else:
            self.stdout.write(
                self.style.ERROR(
                    _("审计日志链在序号 %(seq)d 处断裂，请运行 verify_audit 查看。")
                    % {"seq": report.result.broken.seq}
                )
            )
