from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和上传文件到带时间戳的目录（SQLite 在线备份；PostgreSQL 用 pg_dump -Fc）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="备份存放目录；默认 BACKUP_DIR（var/backups/）。",
        )

    def handle(self, *args, **options):
        alias = DEFAULT_DB_ALIAS
        try:
            backup = create_backup(
                connections[alias].settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                dest_dir=options["output_dir"] or Path(settings.BACKUP_DIR),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        # A backup is a copy of every person's data leaving the database, so it is logged; the
        # event itself is, necessarily, not inside the copy it describes.
        with transaction.atomic(using=alias):
            record_event(
                EventType.BACKUP_CREATED,
                actor=None,
                data={
                    "path": str(backup.path),
                    "engine": backup.engine,
                    "media_files": backup.manifest["media"]["files"],
                },
            )
        self.stdout.write(
            _("备份完成（数据库 %(size)d 字节，上传文件 %(n)d 个）：")
            % {
                "size": backup.manifest["database"]["bytes"],
                "n": backup.manifest["media"]["files"],
            }
        )
        self.stdout.write(str(backup.path))
