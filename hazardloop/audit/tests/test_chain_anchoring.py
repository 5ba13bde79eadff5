"""The chain cannot be cut quietly: signed checkpoints outside the database reveal a truncated
tail with the head moved back (by anyone, superuser included), and on PostgreSQL the
application's role cannot delete, truncate or move the head back at all."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from hazardloop.audit.models import AuditChainHead, AuditEvent
from hazardloop.audit.services import verify_chain

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")
    settings.AUDIT_CHECKPOINT_KEY = "test-checkpoint-key"
    return tmp_path / "audit-checkpoints.log"


def verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def cut_tail_and_move_head_back(tamper, keep: int):
    kept = AuditEvent.objects.get(seq=keep)
    tamper("DELETE FROM audit_auditevent WHERE seq > %s", [keep])
    tamper("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [keep, kept.hash])


def test_without_checkpoints_a_clean_cut_is_invisible(append, tamper, settings):
    # The weakness the checkpoints exist for: the database alone cannot tell.
    settings.AUDIT_CHECKPOINT_FILE = ""
    append(5)
    cut_tail_and_move_head_back(tamper, keep=3)
    assert verify_chain().ok


def test_truncating_the_tail_and_moving_the_head_back_is_detected(append, tamper, checkpoint_file):
    append(5)
    written = verify("--checkpoint")
    assert "已写入检查点：序号 5" in written
    line = json.loads(checkpoint_file.read_text().splitlines()[-1])
    assert line["seq"] == 5 and line["hash"] == AuditEvent.objects.get(seq=5).hash

    append(2)  # events after the checkpoint are fine
    assert "已比对库外检查点 1 个" in verify()

    cut_tail_and_move_head_back(tamper, keep=3)
    with pytest.raises(CommandError) as failure:
        verify()
    message = str(failure.value)
    assert "序号 5 处断裂" in message
    assert "外部检查点" in message


def test_a_rewritten_tail_with_new_hashes_is_detected(append, tamper, checkpoint_file):
    events = append(4)
    verify("--checkpoint")
    # Rebuild event 4 with other data and a correct new hash, head moved along: the chain
    # verifies internally, the checkpoint does not agree.
    from hazardloop.audit import rules

    event = AuditEvent.objects.get(seq=4)
    fields = dict(event.chain_fields())
    fields["data"] = {"i": "forged"}
    new_hash = rules.event_hash(fields)
    tamper(
        "UPDATE audit_auditevent SET data = %s, hash = %s WHERE seq = 4",
        [json.dumps({"i": "forged"}), new_hash],
    )
    tamper("UPDATE audit_auditchainhead SET hash = %s WHERE id = 1", [new_hash])
    report = verify_chain()
    assert not report.ok
    assert (report.result.broken.seq, report.result.broken.kind) == (4, "checkpoint")
    assert events[-1].hash == report.result.broken.expected


def test_an_edited_checkpoint_line_is_refused(append, checkpoint_file):
    append(3)
    verify("--checkpoint")
    line = json.loads(checkpoint_file.read_text())
    line["seq"] = 2  # someone moves the checkpoint back to match a cut chain
    checkpoint_file.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError) as failure:
        verify()
    assert "第 1 行" in str(failure.value) and "签名不符" in str(failure.value)


def test_a_purge_keeps_the_checkpoints_valid(db, checkpoint_file, settings):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    from hazardloop.audit.choices import EventType
    from hazardloop.audit.services import purge_events, record_event

    old = timezone.now() - dt.timedelta(days=400)
    with mock.patch("hazardloop.audit.services.timezone.now", return_value=old):
        for i in range(3):
            with transaction.atomic():
                record_event(EventType.RECORD_UPDATED, actor=None, data={"i": i})
    verify("--checkpoint")  # at seq 3, which the purge removes
    purge_events(older_than_days=365)
    assert "审计日志链完整" in verify()


# --- PostgreSQL: the application's role --------------------------------------------------------

APP_ROLE = "hazardloop_app_probe"


@pytest.fixture
def as_app_role(db):
    """Run SQL as a role that does not own the audit tables but holds every table privilege,
    as the documented deployment's application role does."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') "
            f"THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; END $$"
        )
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_auditevent, audit_auditanchor, "
            f"audit_auditchainhead TO {APP_ROLE}"
        )

    def run(*statements):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
            for sql, params in statements:
                cursor.execute(sql, params)

    return run


def test_the_app_role_cannot_switch_on_the_purge_and_delete(append, as_app_role):
    append(5)
    with pytest.raises(DatabaseError, match="append-only"):
        as_app_role(
            ("SELECT set_config('hazardloop.audit_purge', 'on', true)", []),
            ("DELETE FROM audit_auditevent WHERE seq > 3", []),
        )
    assert AuditEvent.objects.count() == 5


def test_the_app_role_cannot_move_the_head_back_or_truncate(append, as_app_role):
    append(5)
    with pytest.raises(DatabaseError, match="only moves forward"):
        as_app_role(("UPDATE audit_auditchainhead SET seq = 3 WHERE id = 1", []))
    with pytest.raises(DatabaseError, match="only the owner"):
        as_app_role(("TRUNCATE audit_auditanchor", []))
    assert AuditChainHead.objects.get().seq == 5
    # Appending (moving forward) still works for the app role.
    as_app_role(("UPDATE audit_auditchainhead SET seq = seq WHERE id = 1", []))
    assert verify_chain().ok
