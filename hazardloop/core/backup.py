"""Backup and restore of the database and the uploaded files, for the `backup` and `restore`
commands.

A backup is a directory `hazardloop-YYYYMMDD-HHMMSS/` holding the database copy
(`database.sqlite3`, or `database.pgdump` in pg_dump's custom format), `media.tar` with the
uploads, and `manifest.json` with the engine, the time and a SHA-256 of each file. It is built
under a `.partial` name and renamed at the end, so a directory with the final name is complete.

Functions take a Django database settings dict (`connections[alias].settings_dict`) rather than
reading settings themselves, so that they can work on any database, including a scratch one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_TAR = "media.tar"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """Something the operator must fix; the message says what, in Chinese."""


def engine_of(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(_("不支持备份此数据库引擎：%(engine)s") % {"engine": engine})


def describe_database(db: dict) -> str:
    if engine_of(db) == "sqlite":
        return f"SQLite {db['NAME']}"
    host = db.get("HOST") or "localhost"
    port = db.get("PORT") or 5432
    return f"PostgreSQL {db.get('USER') or ''}@{host}:{port}/{db['NAME']}"


def _sqlite_path(db: dict) -> Path:
    name = str(db["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        raise BackupError(_("内存数据库无法备份或恢复：%(name)s") % {"name": name})
    return Path(name)


def _pg_env(db: dict) -> dict:
    """Connection details go to pg_dump/pg_restore through the environment, so that the password
    never appears on a command line (which every local user can read with ps)."""
    env = dict(os.environ)
    values = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    options = db.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            values[variable] = options[option]
    for variable, value in values.items():
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def _run(command: list[str], db: dict) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            _("找不到 %(tool)s，请安装 PostgreSQL 客户端工具（Debian：postgresql-client）。")
            % {"tool": command[0]}
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)d）：%(error)s")
            % {"tool": command[0], "code": done.returncode, "error": done.stderr.strip()}
        )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(connection: sqlite3.Connection) -> str:
    # CHECK constraints may call the functions Django adds to its SQLite connections (REGEXP,
    # date extraction, …); a bare connection lacks them and the check would fail on their names.
    from django.db.backends.sqlite3._functions import register

    register(connection)
    return connection.execute("PRAGMA integrity_check").fetchone()[0]


def _backup_sqlite(db: dict, target: Path) -> None:
    source_path = _sqlite_path(db)
    if not source_path.exists():
        raise BackupError(_("数据库文件不存在：%(path)s") % {"path": source_path})
    source = sqlite3.connect(source_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1) copies under a single read snapshot, so writers running meanwhile
        # in WAL mode neither block the copy nor make it inconsistent.
        source.backup(copy)
        # A self-contained file: no -wal or -shm companion to forget when moving it.
        copy.execute("PRAGMA journal_mode=DELETE")
        status = _integrity(copy)
    finally:
        copy.close()
        source.close()
    if status != "ok":
        raise BackupError(_("备份副本完整性检查失败：%(status)s") % {"status": status})


def _backup_postgresql(db: dict, target: Path) -> None:
    _run(["pg_dump", "--format=custom", "--no-password", f"--file={target}", str(db["NAME"])], db)


def _tar_media(media_root: Path, target: Path) -> int:
    with tarfile.open(target, "w") as archive:
        if media_root.is_dir():
            # Symbolic links are stored as links, never followed out of the tree.
            archive.add(media_root, arcname="media")
    return sum(len(files) for _root, _dirs, files in os.walk(media_root))


def _unique_dir(parent: Path, stem: str) -> Path:
    candidate, n = parent / stem, 1
    while candidate.exists() or candidate.with_name(candidate.name + ".partial").exists():
        n += 1
        candidate = parent / f"{stem}-{n}"
    return candidate


@dataclass(frozen=True)
class BackupSet:
    path: Path
    manifest: dict

    @property
    def engine(self) -> str:
        return self.manifest["engine"]

    @property
    def database_file(self) -> Path:
        return self.path / self.manifest["database"]["file"]

    @property
    def media_file(self) -> Path:
        return self.path / self.manifest["media"]["file"]

    @classmethod
    def load(cls, path: Path) -> BackupSet:
        manifest_path = Path(path) / MANIFEST
        if not manifest_path.is_file():
            raise BackupError(
                _("不是完整的备份目录（缺少 %(file)s）：%(path)s") % {"file": MANIFEST, "path": path}
            )
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(_("不支持的备份格式版本：%(v)s") % {"v": manifest.get("format")})
        return cls(path=Path(path), manifest=manifest)

    def check(self) -> None:
        """Every file is there and unchanged since the backup was written."""
        for part in ("database", "media"):
            entry = self.manifest[part]
            file = self.path / entry["file"]
            if not file.is_file():
                raise BackupError(_("备份文件缺失：%(file)s") % {"file": file})
            if sha256_of(file) != entry["sha256"]:
                raise BackupError(
                    _("备份文件校验失败（SHA-256 不符），文件已损坏或被改动：%(file)s") % {"file": file}
                )


def create_backup(db: dict, *, media_root: Path, dest_dir: Path, prefix: str = "hazardloop") -> BackupSet:
    """Copy the database and the uploads into a new backup directory under `dest_dir`."""
    engine = engine_of(db)
    created = timezone.now()
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = _unique_dir(dest_dir, f"{prefix}-{timezone.localtime(created):%Y%m%d-%H%M%S}")
    work = final.with_name(final.name + ".partial")
    work.mkdir()
    try:
        database = work / DATABASE_FILES[engine]
        if engine == "sqlite":
            _backup_sqlite(db, database)
        else:
            _backup_postgresql(db, database)
        media_count = _tar_media(Path(media_root), work / MEDIA_TAR)
        manifest = {
            "format": FORMAT_VERSION,
            "engine": engine,
            "created": created.isoformat(),
            "source": describe_database(db),
            "database": {
                "file": database.name,
                "sha256": sha256_of(database),
                "bytes": database.stat().st_size,
            },
            "media": {
                "file": MEDIA_TAR,
                "sha256": sha256_of(work / MEDIA_TAR),
                "files": media_count,
                "source": str(media_root),
            },
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return BackupSet(path=final, manifest=manifest)


def restore_plan(backup: BackupSet, db: dict, *, media_root: Path) -> list[str]:
    """What a restore of `backup` would overwrite, one line each, for the operator to confirm."""
    return [
        _("备份：%(path)s（创建于 %(created)s，来源 %(source)s）")
        % {"path": backup.path, "created": backup.manifest["created"], "source": backup.manifest["source"]},
        _("将覆盖数据库：%(db)s（其中现有的全部数据）") % {"db": describe_database(db)},
        _("将替换上传文件目录：%(media)s（备份中 %(n)d 个文件）")
        % {"media": media_root, "n": backup.manifest["media"]["files"]},
    ]


def _restore_sqlite(backup: BackupSet, db: dict) -> None:
    target = _sqlite_path(db)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup.database_file}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=30)
    try:
        # Through the backup API rather than a file copy: it takes the database's locks and
        # goes through its journal, so a -wal file beside the live database cannot resurrect
        # old pages afterwards.
        source.backup(live)
        status = _integrity(live)
    finally:
        live.close()
        source.close()
    if status != "ok":
        raise BackupError(_("恢复后的数据库完整性检查失败：%(status)s") % {"status": status})


def _restore_postgresql(backup: BackupSet, db: dict) -> None:
    # One transaction: if any object fails, the database is left exactly as it was.
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={db['NAME']}",
            str(backup.database_file),
        ],
        db,
    )


def _restore_media(backup: BackupSet, media_root: Path) -> None:
    """Swap the directory's contents rather than the directory itself, with the staging area
    inside it: MEDIA_ROOT is often a mount point, which can be neither renamed nor reached by a
    rename from another file system."""
    media_root = Path(media_root)
    media_root.mkdir(parents=True, exist_ok=True)
    stamp = f"{dt.datetime.now():%Y%m%d%H%M%S%f}"
    staging = media_root / f".restoring-{stamp}"
    replaced = media_root / f".replaced-{stamp}"
    with tarfile.open(backup.media_file) as archive:
        # The "data" filter refuses absolute paths, links out of the tree and device files.
        archive.extractall(staging, filter="data")
    restored = staging / "media"
    restored.mkdir(exist_ok=True)
    replaced.mkdir()
    for entry in list(media_root.iterdir()):
        if entry not in (staging, replaced):
            entry.rename(replaced / entry.name)
    for entry in list(restored.iterdir()):
        entry.rename(media_root / entry.name)
    shutil.rmtree(staging)
    shutil.rmtree(replaced)


def restore_backup(backup: BackupSet, db: dict, *, media_root: Path) -> None:
    """Overwrite the database and the uploads with `backup`. The database goes first: if it
    fails, the uploads are untouched. Callers close their own connections beforehand."""
    if backup.engine != engine_of(db):
        raise BackupError(
            _("备份来自 %(backup)s 数据库，不能恢复到 %(target)s 数据库。")
            % {"backup": backup.engine, "target": engine_of(db)}
        )
    backup.check()
    if backup.engine == "sqlite":
        _restore_sqlite(backup, db)
    else:
        _restore_postgresql(backup, db)
    _restore_media(backup, media_root)


def database_exists(db: dict) -> bool:
    """Whether there is anything to protect with a safety copy before a restore."""
    if engine_of(db) == "sqlite":
        return _sqlite_path(db).exists()
    return True
