"""Backup and restore. The round trips run the real commands in a child process against a
database of their own (a SQLite file, or a scratch PostgreSQL database when the suite runs on
PostgreSQL), because a restore replaces the whole database under the process doing it."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from hazardloop.core import backup as core_backup

SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": ""}

SEED = """
from django.db import transaction
from hazardloop.accounts.models import User
from hazardloop.audit.services import record_event
root = User.objects.create_superuser("root", "root@example.com", "Root-Passw0rd-2026")
clerk = User.objects.create_user("clerk", password="Clerk-Passw0rd-2026", display_name="张三", role="admin")
with transaction.atomic():
    record_event(200, actor=root, target=clerk, data={"名称": "龙泉煤业", "employees": 600})
    record_event(100, actor=clerk)
"""

# Changes after the backup that the restore must undo, in SQL both engines accept.
MUTATIONS = [
    "UPDATE accounts_user SET display_name = '入侵者' WHERE username = 'clerk'",
    "DELETE FROM auth_permission WHERE id IN (SELECT id FROM auth_permission ORDER BY id LIMIT 3)",
    "INSERT INTO django_content_type (app_label, model) VALUES ('stray', 'row')",
]
AUDIT_TABLES = {"audit_auditevent", "audit_auditchainhead"}


def run_hazardloop(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hazardloop.cli", *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stdout + done.stderr
    return done


class SqliteFile:
    def __init__(self, path: Path):
        self.path = path
        self.url = f"sqlite:///{path}"

    def query(self, sql, params=()):
        with sqlite3.connect(self.path) as db:
            return db.execute(sql, params).fetchall()

    def execute(self, statements):
        db = sqlite3.connect(self.path)
        try:
            for sql in statements:
                db.execute(sql)
            db.commit()
        finally:
            db.close()

    def tables(self) -> list[str]:
        rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return sorted(name for (name,) in rows)


class PostgresScratch:
    def __init__(self, name: str):
        db = connection.settings_dict
        self.params = {
            "host": db.get("HOST") or "127.0.0.1",
            "port": int(db.get("PORT") or 5432),
            "user": db.get("USER") or "postgres",
            "password": db.get("PASSWORD") or None,
        }
        self.name = name
        auth = quote(self.params["user"]) + (
            f":{quote(self.params['password'])}" if self.params["password"] else ""
        )
        self.url = f"postgres://{auth}@{self.params['host']}:{self.params['port']}/{name}"

    def _connect(self, dbname):
        import psycopg

        return psycopg.connect(dbname=dbname, autocommit=True, **self.params)

    def create(self):
        with self._connect("postgres") as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        with self._connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql, params=()):
        with self._connect(self.name) as db:
            return db.execute(sql, params).fetchall()

    def execute(self, statements):
        with self._connect(self.name) as db, db.transaction():
            for sql in statements:
                db.execute(sql)

    def tables(self) -> list[str]:
        rows = self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return sorted(name for (name,) in rows)


def snapshot(db) -> dict[str, list]:
    """Every row of every table, in an order that does not depend on the engine's whims."""
    return {table: sorted(map(repr, db.query(f'SELECT * FROM "{table}"'))) for table in db.tables()}


def media_tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch(request, tmp_path):
    if request.param == "sqlite":
        yield SqliteFile(tmp_path / "live.sqlite3")
        return
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip runs when the suite runs on PostgreSQL")
    db = PostgresScratch(f"hl_restore_{uuid.uuid4().hex[:12]}")
    db.create()
    try:
        yield db
    finally:
        db.drop()


@pytest.mark.slow
def test_backup_then_restore_brings_back_every_row_and_every_upload(scratch, tmp_path):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "整改照片.jpg").write_bytes(b"\xff\xd8 photo")
    (media / "report.pdf").write_bytes(b"%PDF-1.7 report")
    env = dict(
        os.environ,
        DATABASE_URL=scratch.url,
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    ok(run_hazardloop(env, "migrate", "--noinput", "-v0"))
    ok(run_hazardloop(env, "shell", "-c", SEED))
    before, media_before = snapshot(scratch), media_tree(media)

    done = ok(run_hazardloop(env, "backup"))
    backup_dir = Path(done.stdout.strip().splitlines()[-1])
    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == ("sqlite" if isinstance(scratch, SqliteFile) else "postgresql")
    assert manifest["media"]["files"] == 2

    scratch.execute(MUTATIONS)
    (media / "report.pdf").unlink()
    (media / "evidence" / "整改照片.jpg").write_bytes(b"overwritten")
    (media / "later.txt").write_text("uploaded after the backup")
    changed, media_changed = snapshot(scratch), media_tree(media)
    assert changed != before

    refused = run_hazardloop(env, "restore", str(backup_dir))
    assert refused.returncode != 0
    assert "--yes" in refused.stderr
    assert scratch.url.rsplit("/", 1)[-1] in refused.stdout  # names the database it would overwrite
    assert snapshot(scratch) == changed
    assert media_tree(media) == media_changed

    restored = ok(run_hazardloop(env, "restore", str(backup_dir), "--yes"))
    assert "审计日志链完整" in restored.stdout
    after = snapshot(scratch)
    assert set(after) == set(before)
    for table in set(before) - AUDIT_TABLES:
        assert after[table] == before[table], table
    assert media_tree(media) == media_before

    # The audit log is the backed-up one plus a single "restored" event; the "backup taken"
    # event was written after the copy and so is gone with everything else that came later.
    types = [t for (t,) in scratch.query("SELECT event_type FROM audit_auditevent ORDER BY seq")]
    assert types == [200, 100, 602]
    ok(run_hazardloop(env, "verify_audit"))
    # The state just before the restore was kept, in case the wrong backup was chosen.
    safety = [p for p in (tmp_path / "backups").iterdir() if p.name.startswith("pre-restore-")]
    assert len(safety) == 1
    assert json.loads((safety[0] / "manifest.json").read_text(encoding="utf-8"))["media"]["files"] == 2


def sqlite_db(path: Path, rows: list[str]) -> dict:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO note (body) VALUES (?)", [(r,) for r in rows])
    return dict(SQLITE, NAME=str(path))


def notes(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [body for (body,) in db.execute("SELECT body FROM note ORDER BY id")]


def test_sqlite_backup_takes_a_consistent_copy_while_a_writer_is_mid_transaction(tmp_path):
    db = sqlite_db(tmp_path / "live.sqlite3", ["committed"])
    writer = sqlite3.connect(db["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO note (body) VALUES ('uncommitted')")
    try:
        result = core_backup.create_backup(db, media_root=tmp_path / "no-media", dest_dir=tmp_path / "out")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert notes(result.database_file) == ["committed"]
    assert result.manifest["media"]["files"] == 0


def test_restore_refuses_a_backup_whose_files_changed_and_touches_nothing(tmp_path):
    db = sqlite_db(tmp_path / "live.sqlite3", ["one"])
    result = core_backup.create_backup(db, media_root=tmp_path / "media", dest_dir=tmp_path / "out")
    with sqlite3.connect(result.database_file) as copy:
        copy.execute("UPDATE note SET body = 'forged'")
    sqlite_db(tmp_path / "live.sqlite3", ["two"])
    loaded = core_backup.BackupSet.load(result.path)
    with pytest.raises(core_backup.BackupError, match="校验失败"):
        core_backup.restore_backup(loaded, db, media_root=tmp_path / "media")
    assert notes(tmp_path / "live.sqlite3") == ["one", "two"]


def test_restore_refuses_a_backup_from_another_engine(tmp_path):
    db = sqlite_db(tmp_path / "live.sqlite3", ["one"])
    result = core_backup.create_backup(db, media_root=tmp_path / "media", dest_dir=tmp_path / "out")
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "elsewhere"}
    with pytest.raises(core_backup.BackupError, match="不能恢复"):
        core_backup.restore_backup(result, postgres, media_root=tmp_path / "media")


def test_an_unfinished_backup_directory_is_not_accepted(tmp_path):
    (tmp_path / "half").mkdir()
    with pytest.raises(core_backup.BackupError, match="manifest.json"):
        core_backup.BackupSet.load(tmp_path / "half")


def test_two_backups_in_the_same_second_get_separate_directories(tmp_path):
    db = sqlite_db(tmp_path / "live.sqlite3", ["one"])
    moment = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
    with mock.patch("hazardloop.core.backup.timezone.now", return_value=moment):
        first = core_backup.create_backup(db, media_root=tmp_path / "media", dest_dir=tmp_path / "out")
        second = core_backup.create_backup(db, media_root=tmp_path / "media", dest_dir=tmp_path / "out")
    assert first.path.name == "hazardloop-20260601-100000"  # local time, Asia/Shanghai
    assert first.path != second.path
    assert not list((tmp_path / "out").glob("*.partial"))


def test_in_memory_databases_are_refused(tmp_path):
    with pytest.raises(core_backup.BackupError, match="内存数据库"):
        core_backup.create_backup(
            dict(SQLITE, NAME="file:memorydb_default?mode=memory&cache=shared"),
            media_root=tmp_path,
            dest_dir=tmp_path / "out",
        )
