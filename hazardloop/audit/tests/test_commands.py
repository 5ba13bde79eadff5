import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditAnchor, AuditEvent
from hazardloop.audit.services import record_event


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_failure() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", stdout=StringIO())
    return str(excinfo.value)


def test_clean_chain_verifies_with_its_count(append):
    append(5)
    output = verify()
    assert "完整" in output
    assert "共校验 5 条" in output


def test_empty_log_verifies(db):
    assert "共校验 0 条" in verify()


def test_command_exits_non_zero_on_a_broken_chain(append, tamper):
    append(3)
    tamper("UPDATE audit_auditevent SET target_repr = 'x' WHERE seq = 2")
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", stdout=StringIO())
    assert excinfo.value.returncode != 0


def test_tampered_data_is_reported_at_that_rows_sequence_number(append, tamper):
    append(6)
    tamper(
        "UPDATE audit_auditevent SET data = %s WHERE seq = %s",
        ['{"i": 99}', 4],
    )
    message = verify_failure()
    assert "序号 4 处断裂" in message
    assert "内容哈希不符" in message
    assert "此前 3 条记录校验通过" in message


def test_deleted_middle_row_is_reported_as_a_gap(append, tamper):
    append(6)
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    message = verify_failure()
    assert "序号 3 处断裂" in message
    assert "序号不连续" in message


def test_deleted_newest_row_is_reported_against_the_head(append, tamper):
    append(4)
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [4])
    message = verify_failure()
    assert "序号 4 处断裂" in message
    assert "链尾" in message


def _append_at(moment, n):
    with mock.patch("hazardloop.audit.services.timezone.now", return_value=moment):
        for i in range(n):
            with transaction.atomic():
                record_event(EventType.RECORD_UPDATED, actor=None, data={"i": i})


def test_purge_command_keeps_the_chain_verifiable(db):
    _append_at(timezone.now() - dt.timedelta(days=400), 4)
    _append_at(timezone.now(), 2)
    out = StringIO()
    call_command("purge_audit", "--older-than-days", "365", stdout=out)
    assert "已清理 4 条" in out.getvalue()
    assert AuditAnchor.objects.get().seq == 4
    output = verify()
    assert "共校验 3 条" in output
    assert "锚点序号 4" in output


def test_purge_command_takes_its_default_from_settings(db, settings):
    settings.AUDIT_RETENTION_DAYS = 300
    _append_at(timezone.now() - dt.timedelta(days=320), 1)
    _append_at(timezone.now() - dt.timedelta(days=200), 1)
    call_command("purge_audit", stdout=StringIO())
    assert AuditAnchor.objects.get().seq == 1


@pytest.mark.parametrize("days", ["90", "179"])
def test_purge_command_refuses_less_than_six_months(db, days):
    _append_at(timezone.now() - dt.timedelta(days=400), 1)
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("purge_audit", "--older-than-days", days, stdout=StringIO())
    assert AuditEvent.objects.count() == 1


def test_purge_command_refuses_a_too_short_setting_too(db, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("purge_audit", stdout=StringIO())


def test_tampering_after_a_purge_is_still_found(db, tamper):
    _append_at(timezone.now() - dt.timedelta(days=400), 3)
    _append_at(timezone.now(), 3)
    call_command("purge_audit", "--older-than-days", "365", stdout=StringIO())
    tamper("UPDATE audit_auditevent SET actor_display = 'someone' WHERE seq = %s", [5])
    assert "序号 5 处断裂" in verify_failure()
